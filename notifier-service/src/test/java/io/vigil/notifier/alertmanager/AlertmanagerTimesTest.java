package io.vigil.notifier.alertmanager;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.model.AlertEvent;
import org.junit.jupiter.api.Test;

class AlertmanagerTimesTest {

  @Test
  void timesAsSendersWriteThemAndTheOnesMeaningNotSet() {
    assertThat(AlertmanagerIntake.time("2026-12-05T03:00:00Z")).isEqualTo(1_796_439_600_000L);
    assertThat(AlertmanagerIntake.time("2026-12-05T11:00:00.5+08:00")).isEqualTo(1_796_439_600_500L);
    assertThat(AlertmanagerIntake.unset("0001-01-01T00:00:00Z")).as("Go's zero time").isTrue();
    assertThat(AlertmanagerIntake.unset(null)).isTrue();
    assertThat(AlertmanagerIntake.unset("")).isTrue();
    assertThat(AlertmanagerIntake.unset("2026-12-05T03:00:00Z")).isFalse();
    assertThat(AlertmanagerIntake.time("+500000000-01-01T00:00:00Z")).as("beyond epoch millis").isNull();
    assertThat(AlertmanagerIntake.unset("yesterday")).as("not a time: refused, not unset").isFalse();
    assertThat(AlertmanagerIntake.time("yesterday")).isNull();
  }

  @Test
  void severitiesAsRulesNameThem() {
    assertThat(AlertmanagerIntake.severity("Critical")).isEqualTo(AlertEvent.Severity.CRITICAL);
    assertThat(AlertmanagerIntake.severity("warn")).isEqualTo(AlertEvent.Severity.WARNING);
    assertThat(AlertmanagerIntake.severity("info")).isEqualTo(AlertEvent.Severity.INFO);
    assertThat(AlertmanagerIntake.severity("urgent")).isNull();
  }
}
