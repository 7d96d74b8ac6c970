package io.vigil.common.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class LabelGuardTest {

  @Test
  void refusesTheValueThatWouldPassTheLimitAndCountsIt() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LabelGuard guard = new LabelGuard(3);
    registry.config().meterFilter(guard);
    guard.countIn(registry);

    for (int i = 0; i < 5; i++) {
      Counter.builder("vigil.test.calls").tag("user", "u" + i).register(registry).increment();
    }
    assertThat(registry.find("vigil.test.calls").counters()).hasSize(3);
    assertThat(registry.get(MetricNames.LABEL_REFUSED).tag("meter", "vigil.test.calls").counter().count())
        .isEqualTo(2.0);
    // a known value still works after the limit
    Counter.builder("vigil.test.calls").tag("user", "u1").register(registry).increment();
    assertThat(registry.get("vigil.test.calls").tag("user", "u1").counter().count()).isEqualTo(2.0);
  }

  @Test
  void capsTheFamilyNotOneTag() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LabelGuard guard = new LabelGuard(1000);
    registry.config().meterFilter(guard);
    guard.countIn(registry);
    // the 201st namespace (and the 300th) keeps its meters: one tag may have many values
    for (int i = 0; i < 300; i++) {
      Counter.builder("vigil.test.points").tag("namespace", "ns" + i).tag("reason", "ok").register(registry);
    }
    assertThat(registry.find("vigil.test.points").counters()).hasSize(300);
    // but tags that multiply past the cap are stopped, whichever of them grows
    for (int i = 0; i < 300; i++) {
      for (String reason : new String[] {"late", "invalid", "duplicate", "limited"}) {
        Counter.builder("vigil.test.points").tag("namespace", "ns" + i).tag("reason", reason).register(registry);
      }
    }
    assertThat(registry.find("vigil.test.points").counters()).hasSize(1000);
    assertThat(registry.get(MetricNames.LABEL_REFUSED).tag("meter", "vigil.test.points").counter().count())
        .isEqualTo(500.0);
  }

  @Test
  void leavesOtherFamiliesAlone() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry.config().meterFilter(new LabelGuard(1));
    for (int i = 0; i < 5; i++) {
      Counter.builder("http.server.other").tag("uri", "/x" + i).register(registry);
    }
    assertThat(registry.find("http.server.other").counters()).hasSize(5);
  }
}
