package io.vigil.common.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Readiness of this service's consumers ({@code consumers}): DOWN while any of them waits for a
 * dependency or a broadcast cache has not caught up; the details name each consumer's state.
 */
public class ConsumersHealthIndicator extends AbstractHealthIndicator {

  private final ConsumerStates states;

  public ConsumersHealthIndicator(ConsumerStates states) {
    super("consumer state check failed");
    this.states = states;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    Map<String, Object> details = new LinkedHashMap<>();
    states.all().forEach((name, s) -> {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("state", s.waiting() ? "waiting" : s.caughtUp() ? "running" : "catching-up");
      if (s.waiting()) {
        d.put("dependency", s.dependency());
        d.put("sinceMs", s.sinceMs());
        d.put("attempts", s.attempts());
      }
      details.put(name, d);
    });
    (states.allReady() ? builder.up() : builder.down()).withDetails(details);
  }
}
