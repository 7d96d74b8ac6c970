package io.vigil.detector.condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.AlertPolicy.Operator;
import io.vigil.detector.condition.ThresholdStreak.Change;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThresholdStreakTest {

  static final long MIN = 60_000;

  static ThresholdStreak streak(Operator op, double threshold, Integer forPeriods, Integer recoverPeriods,
      Double recoveryThreshold) {
    return new ThresholdStreak(new AlertPolicy.Condition("cpu", 60, AlertPolicy.Statistic.AVG, null, null, op,
        threshold, forPeriods, recoverPeriods, recoveryThreshold, null));
  }

  /** Feeds windows 0, 1, 2... (NaN for a window without a value, null for one that never came). */
  static List<Change> feed(ThresholdStreak s, Double... values) {
    List<Change> out = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        out.add(s.observe(i * MIN, values[i]));
      }
    }
    return out;
  }

  @Test
  void holdsAfterForPeriodsConsecutiveBreachesAndAMissingWindowBreaksTheStreak() {
    ThresholdStreak s = streak(Operator.GT, 90, 3, 1, null);
    assertThat(feed(s, 95.0, 96.0, null, 97.0, 98.0, 99.0)).containsExactly(Change.NONE, Change.NONE, Change.NONE,
        Change.NONE, Change.STARTED_HOLDING);
    assertThat(s.holding()).isTrue();
  }

  @Test
  void aWindowWithoutAValueBreaksTheStreakToo() {
    ThresholdStreak s = streak(Operator.GT, 90, 2, 1, null);
    assertThat(feed(s, 95.0, Double.NaN, 95.0, 95.0)).containsExactly(Change.NONE, Change.NONE, Change.NONE,
        Change.STARTED_HOLDING);
  }

  @Test
  void recoversAfterRecoverPeriodsPastTheRecoveryThreshold() {
    // GT 90, recovery 80: 85 is below the threshold but not past recovery (hysteresis)
    ThresholdStreak s = streak(Operator.GT, 90, 1, 2, 80.0);
    assertThat(feed(s, 95.0, 85.0, 85.0, 79.0, 85.0, 79.0, 70.0)).containsExactly(Change.STARTED_HOLDING,
        Change.NONE, Change.NONE, Change.NONE, Change.NONE, Change.NONE, Change.STOPPED_HOLDING);
    assertThat(s.holding()).isFalse();
  }

  @Test
  void withoutARecoveryThresholdTheThresholdItselfIsTheLine() {
    ThresholdStreak s = streak(Operator.LE, 10, 1, 1, null);
    assertThat(feed(s, 5.0, 10.0, 11.0)).containsExactly(Change.STARTED_HOLDING, Change.NONE,
        Change.STOPPED_HOLDING);
  }

  @Test
  void aRedeliveredOrOlderWindowChangesNothing() {
    ThresholdStreak s = streak(Operator.GT, 90, 2, 1, null);
    assertThat(s.observe(0, 95)).isEqualTo(Change.NONE);
    assertThat(s.observe(0, 95)).as("the same window again").isEqualTo(Change.NONE);
    assertThat(s.observe(-MIN, 95)).as("an older window").isEqualTo(Change.NONE);
    assertThat(s.observe(MIN, 95)).isEqualTo(Change.STARTED_HOLDING);
    assertThat(s.lastWindowMs()).isEqualTo(MIN);
  }

  @Test
  void aConditionWithoutOperatorOrThresholdIsRefused() {
    assertThatThrownBy(() -> streak(null, 1, 1, 1, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> streak(Operator.GT, 1, 0, 1, null)).isInstanceOf(IllegalArgumentException.class);
  }
}
