package io.vigil.common.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StoreNamesTest {

  private final StoreNames names = new StoreNames("t1a2b3c4d-vigil-", "t1a2b3c4d:");

  @Test
  void everyNameIsUnderItsPrefix() {
    assertThat(names.index("rollups-60s-2026.11.26")).isEqualTo("t1a2b3c4d-vigil-rollups-60s-2026.11.26");
    assertThat(names.redisKey("alert-state", "p-1:s:000000000000002a"))
        .isEqualTo("t1a2b3c4d:alert-state:p-1:s:000000000000002a");
  }

  @Test
  void badNamesAndPrefixesAreRefused() {
    assertThatThrownBy(() -> names.index("Rollups")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> names.index("../x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> names.redisKey()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> names.redisKey("a", "")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StoreNames("Vigil-", "vigil:")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new StoreNames("vigil-", " ")).isInstanceOf(IllegalArgumentException.class);
  }
}
