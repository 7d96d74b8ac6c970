package io.vigil.storage.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BlockPropertiesTest {

  static BlockProperties settle(Duration settle, boolean enabled) {
    return new BlockProperties(enabled, settle, Duration.ofSeconds(5), 200_000, 5, 50_000, 250);
  }

  @Test
  void blocksAreReadOnlyAfterTheirMinutesCanBeSearched() {
    assertThatCode(() -> settle(Duration.ofSeconds(30), true).checkAgainst("5s")).doesNotThrowAnyException();
    assertThatCode(() -> settle(Duration.ofSeconds(1), true).checkAgainst("500ms")).doesNotThrowAnyException();
    assertThatThrownBy(() -> settle(Duration.ofSeconds(5), true).checkAgainst("5s")).hasMessageContaining("settle");
    assertThatThrownBy(() -> settle(Duration.ofSeconds(30), true).checkAgainst("1m")).hasMessageContaining("settle");
    assertThatThrownBy(() -> settle(Duration.ofSeconds(30), true).checkAgainst("-1"))
        .hasMessageContaining("enabled=false");
    assertThatCode(() -> settle(Duration.ofSeconds(1), false).checkAgainst("-1")).doesNotThrowAnyException();
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> new BlockProperties(true, Duration.ofSeconds(30), Duration.ofMillis(1), 1, 5, 1, 250))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BlockProperties(true, Duration.ofSeconds(30), Duration.ofSeconds(5), 0, 5, 1, 250))
        .hasMessageContaining("max-pending");
    assertThatThrownBy(() -> new BlockProperties(true, Duration.ofSeconds(30), Duration.ofSeconds(5), 1, 5, 0, 250))
        .hasMessageContaining("max-per-query");
    assertThatThrownBy(() -> new BlockProperties(true, Duration.ofSeconds(30), Duration.ofSeconds(5), 1, 5, 1, 0))
        .hasMessageContaining("max-rate");
  }
}
