package io.vigil.console.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Firing now's filters: checked before storage is asked, sent encoded. */
class AlertFilterTest {

  @Test
  void filtersAreCheckedBeforeStorageIsAskedAndSentEncoded() {
    assertThat(new AlertFilter("t1", "acme/vm", null, "critical", "firing").problems()).isEmpty();
    assertThat(new AlertFilter("a b", null, null, "LOUD", "OPEN").problems())
        .containsExactly("tenant: 1 to 200 letters, digits and _ . : / -", "severity: one of CRITICAL, INFO, WARNING",
            "status: one of FIRING, NO_DATA");
    assertThat(new AlertFilter("t1", "acme/vm", "", " ", null).query()).isEqualTo("tenant=t1&namespace=acme/vm");
    assertThat(new AlertFilter(null, null, null, null, null).query()).isEmpty();
  }
}
