package io.vigil.detector.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PolicyTimerTest {

  @Test
  void aQuickFlushWaitsTheIntervalASlowOneAMultipleOfItsOwnTime() {
    assertThat(PolicyTimer.pauseAfter(TimeUnit.MILLISECONDS.toNanos(2), 100)).isEqualTo(100);
    assertThat(PolicyTimer.pauseAfter(TimeUnit.MILLISECONDS.toNanos(800), 100))
        .isEqualTo(800L * PolicyTimer.PAUSE_PER_BUILD);
  }
}
