package io.vigil.storage.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.storage.rollup.RollupIndices;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RollupIndexPropertiesTest {

  @Test
  void aConfiguredRetentionReplacesItsPeriodsDefaultAndKeepsItsSpan() {
    var retentions = new RollupIndexProperties(1, 0, "5s", Map.of(60, Duration.ofDays(3)), Duration.ofHours(1)).retentions();
    assertThat(retentions.get(60)).isEqualTo(new RollupIndices.Retention(RollupIndices.Span.DAY, Duration.ofDays(3)));
    assertThat(retentions.get(3600)).isEqualTo(RollupIndices.defaults().get(3600));
    assertThat(new RollupIndexProperties(1, 0, "5s", null, Duration.ofHours(1)).retentions()).isEqualTo(RollupIndices.defaults());
  }

  @Test
  void aPeriodThatIsNotRolledUpOrABadSettingIsRefused() {
    assertThatThrownBy(() -> new RollupIndexProperties(1, 0, "5s", Map.of(120, Duration.ofDays(3)), Duration.ofHours(1)).retentions())
        .hasMessageContaining("retention.120");
    assertThatThrownBy(() -> new RollupIndexProperties(1, 0, "5s", Map.of(60, Duration.ZERO), Duration.ofHours(1)).retentions())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RollupIndexProperties(0, 0, "5s", null, Duration.ofHours(1)).settings()).hasMessageContaining("shards");
  }
}
