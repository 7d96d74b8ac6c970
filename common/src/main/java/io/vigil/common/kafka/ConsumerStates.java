package io.vigil.common.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.MetricNames;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every consumer of this service is doing, for readiness and metrics: running, waiting for a
 * dependency (paused with backoff, nothing committed past the record that hit it), or still
 * catching up (a broadcast cache that has not loaded its snapshot and replayed to the captured end
 * offsets). Consumer names are fixed per service ({@code <service>-<purpose>}), so they are
 * bounded label values.
 */
public final class ConsumerStates {

  private static final Logger log = LoggerFactory.getLogger(ConsumerStates.class);

  /** One consumer's state; {@code dependency} and {@code sinceMs} are set while it waits. */
  public record State(boolean caughtUp, String dependency, long sinceMs, long attempts) {

    public boolean waiting() {
      return dependency != null;
    }

    public boolean ready() {
      return caughtUp && !waiting();
    }
  }

  private final Map<String, State> states = new ConcurrentHashMap<>();
  private final java.util.Set<String> outsideReadiness = ConcurrentHashMap.newKeySet();
  private final MeterRegistry registry;
  private final DependencyMetrics dependencies;
  private final Clock clock;

  public ConsumerStates(MeterRegistry registry, DependencyMetrics dependencies, Clock clock) {
    this.registry = registry;
    this.dependencies = dependencies;
    this.clock = clock;
  }

  /** Registers a consumer; {@code caughtUp} false for one that must load before it is ready. */
  public void register(String consumer, boolean caughtUp) {
    states.put(consumer, new State(caughtUp, null, 0, 0));
    Gauge.builder(MetricNames.KAFKA_CONSUMER_WAITING, states, s -> {
      State st = s.get(consumer);
      return st != null && st.waiting() ? 1 : 0;
    }).tag(MetricNames.TAG_CONSUMER, consumer)
        .description("1 while the consumer is paused waiting for a dependency").register(registry);
  }

  /**
   * A delivery failed because {@code dependency} did not answer: the consumer pauses and retries.
   * Counted every time; logged when the wait begins.
   */
  public void waiting(String consumer, String dependency, Throwable error) {
    dependencies.failure(DependencyMetrics.DEPENDENCIES.contains(dependency) ? dependency : "unknown");
    Counter.builder(MetricNames.KAFKA_DEPENDENCY_WAITS).tag(MetricNames.TAG_CONSUMER, consumer)
        .tag(MetricNames.TAG_DEPENDENCY, DependencyMetrics.DEPENDENCIES.contains(dependency) ? dependency : "unknown")
        .description("deliveries that failed on an unavailable dependency and were retried after a pause")
        .register(registry).increment();
    State[] before = new State[1];
    states.compute(consumer, (k, s) -> {
      State b = s == null ? new State(true, null, 0, 0) : s;
      before[0] = b;
      return new State(b.caughtUp(), dependency, b.waiting() ? b.sinceMs() : clock.millis(), b.attempts() + 1);
    });
    if (!before[0].waiting()) {
      log.warn("consumer {} paused: {} unavailable ({}); retrying with backoff, nothing is dead-lettered",
          consumer, dependency, error == null ? "?" : error.toString());
    }
  }

  /** A delivery succeeded: the consumer runs again (logged when it had been waiting). */
  public void running(String consumer) {
    State[] before = new State[1];
    states.computeIfPresent(consumer, (k, s) -> {
      before[0] = s;
      return s.waiting() ? new State(s.caughtUp(), null, 0, 0) : s;
    });
    if (before[0] != null && before[0].waiting()) {
      log.info("consumer {} resumed after {} attempts; {} answers again", consumer, before[0].attempts(),
          before[0].dependency());
    }
  }

  /** A broadcast consumer has its snapshot and has replayed up to the end offsets captured at start. */
  public void caughtUp(String consumer) {
    states.compute(consumer, (k, s) -> s == null ? new State(true, null, 0, 0)
        : new State(true, s.dependency(), s.sinceMs(), s.attempts()));
  }

  public State state(String consumer) {
    return states.get(consumer);
  }

  public Map<String, State> all() {
    return new LinkedHashMap<>(states);
  }

  public boolean allReady() {
    return states.entrySet().stream().allMatch(e -> e.getValue().ready() || outsideReadiness.contains(e.getKey()));
  }

  /**
   * A consumer that works beside the service's main job (the cmdb's knowledge indexing): while it
   * waits for its dependency the service stays ready; it is still reported and measured.
   */
  public void outsideReadiness(String consumer) {
    outsideReadiness.add(consumer);
  }
}
