package io.vigil.common.series;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** One written form of an alert's identity, and the ids derived from it, pinned. */
class AlertKeyTest {

  @Test
  void seriesAndObjectKeysRoundTripAndNeverLookAlike() {
    AlertKey series = AlertKey.ofSeries("p-1", 42L);
    assertThat(series.value()).isEqualTo("p-1:s:000000000000002a");
    assertThat(AlertKey.parse(series.value())).isEqualTo(series);
    AlertKey negative = AlertKey.ofSeries("p-1", -1L);
    assertThat(AlertKey.parse(negative.value())).isEqualTo(negative);

    AlertKey object = AlertKey.ofObject("p-1", "000000000000002a");
    assertThat(object.value()).isEqualTo("p-1:o:000000000000002a");
    assertThat(AlertKey.parse(object.value())).isEqualTo(object).isNotEqualTo(series);
    assertThat(AlertKey.parse("p-1:o:ns/obj:with:colons").objectId()).isEqualTo("ns/obj:with:colons");
  }

  @Test
  void anythingElseIsRefused() {
    for (String bad : new String[] {"", "p-1", "p-1:42", "p-1:s:2a", "p-1:s:000000000000002A", "p-1:o:", ":s:000000000000002a",
        "p-1:x:abc"}) {
      assertThatThrownBy(() -> AlertKey.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> AlertKey.ofSeries("p:1", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AlertKey.ofSeries("p-1", 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void derivedIdsAreStableAndDistinct() {
    String key = AlertKey.ofSeries("p-1", 42L).value();
    // pinned: changing the form or seed would orphan every stored id and break deduplication
    assertThat(AlertIds.eventId(key, 1)).isEqualTo(EVENT_1);
    assertThat(AlertIds.notificationId(EVENT_1, "user-7", "EMAIL")).isEqualTo(NOTIFICATION_1);
    assertThat(AlertIds.eventId(key, 2)).isNotEqualTo(EVENT_1).hasSize(16);
    assertThat(AlertIds.notificationId(EVENT_1, "user-7", "SMS")).isNotEqualTo(NOTIFICATION_1);
    // length prefixes: moving a character between parts changes the id
    assertThat(AlertIds.notificationId("ab", "c", "EMAIL")).isNotEqualTo(AlertIds.notificationId("a", "bc", "EMAIL"));
  }

  static final String EVENT_1 = "4015493d2852c8f4";
  static final String NOTIFICATION_1 = "f1895f8767272963";
}
