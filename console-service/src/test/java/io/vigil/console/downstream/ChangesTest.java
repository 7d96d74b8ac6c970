package io.vigil.console.downstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.services.ServiceCallException;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.support.RedirectAttributesModelMap;

/** A form's change: done, refused in the service's words (or the console's), or the service down and counted. */
class ChangesTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final DependencyMetrics metrics = new DependencyMetrics(registry, Set.of("policy"));

  private String flashed(java.util.function.Supplier<String> change, String key) {
    RedirectAttributesModelMap redirect = new RedirectAttributesModelMap();
    Changes.flash(metrics, redirect, "policy", "Not changed", change);
    return (String) redirect.getFlashAttributes().get(key);
  }

  @Test
  void eachOutcomeIsOneMessage() {
    assertThat(flashed(() -> "Policy cpu enabled.", "notice")).isEqualTo("Policy cpu enabled.");
    assertThat(flashed(() -> {
      throw new ServiceCallException("policy", 409, "conflict",
          "{\"detail\":\"the object changed since version 3\",\"code\":\"conflict\"}");
    }, "failure")).isEqualTo("Not changed: the object changed since version 3.");
    assertThat(flashed(() -> {
      throw new ServiceCallException("policy", 404, "not found", "{\"detail\":\"no such policy\"}");
    }, "failure")).contains("does not exist").contains("a tenant you do not work on");
    assertThat(flashed(() -> {
      throw new ServiceCallException("console", 409, "the overrides changed meanwhile");
    }, "failure")).isEqualTo("Not changed: the overrides changed meanwhile.");

    assertThat(flashed(() -> {
      throw new DependencyUnavailableException("policy", "refused");
    }, "failure")).isEqualTo("Not changed: policy is not answering, so nothing changed. Try again in a moment.");
    assertThat(registry.find("vigil.degraded").tag("reason", "policy_unavailable").counter().count()).isEqualTo(1);
  }

  @Test
  void anAnswerThatSaysItFailedIsAFailure() {
    RedirectAttributesModelMap redirect = new RedirectAttributesModelMap();
    Changes.report(metrics, redirect, "notifier", "Test not sent",
        () -> new Changes.Outcome(false, "Test notification to user ana: SEND_FAILED."));
    Map<String, ?> flash = redirect.getFlashAttributes();
    assertThat(flash.get("failure")).isEqualTo("Test notification to user ana: SEND_FAILED.");
    assertThat(flash).doesNotContainKey("notice");
  }
}
