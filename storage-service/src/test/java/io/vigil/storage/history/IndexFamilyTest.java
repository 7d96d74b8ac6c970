package io.vigil.storage.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.store.StoreNames;
import io.vigil.storage.rollup.RollupIndices.Retention;
import io.vigil.storage.rollup.RollupIndices.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IndexFamilyTest {

  final StoreNames names = new StoreNames("vigil-", "vigil:");

  static long at(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  @Test
  void monthlyIndicesAreNamedReadAndExpiredWhole() {
    IndexFamily f = new IndexFamily(names, "alert-events", new Retention(Span.MONTH, Duration.ofDays(31)));
    assertThat(f.indexFor(at("2026-12-04T10:00:00Z"))).isEqualTo("vigil-alert-events-2026.12");
    assertThat(f.indicesFor(at("2026-11-30T00:00:00Z"), at("2027-01-01T00:00:00Z")))
        .containsExactly("vigil-alert-events-2026.11", "vigil-alert-events-2026.12");
    List<String> present = List.of("vigil-alert-events-2026.10", "vigil-alert-events-2026.11",
        "vigil-alerts", "other-alert-events-2026.01", "vigil-alert-events-2026.13", "vigil-notifications-2026.01");
    // November ends 2026-12-01; kept 31 days more: gone on 2027-01-01
    assertThat(f.expired(present, at("2026-12-31T23:59:59Z"))).containsExactly("vigil-alert-events-2026.10");
    assertThat(f.expired(present, at("2027-01-01T00:00:00Z")))
        .containsExactly("vigil-alert-events-2026.10", "vigil-alert-events-2026.11");
  }

  @Test
  void dailyIndices() {
    IndexFamily f = new IndexFamily(names, "late-points", new Retention(Span.DAY, Duration.ofDays(2)));
    assertThat(f.indexFor(at("2026-12-04T23:59:59Z"))).isEqualTo("vigil-late-points-2026.12.04");
    assertThat(f.pattern()).isEqualTo("vigil-late-points-*");
    assertThat(f.expired(List.of("vigil-late-points-2026.12.01", "vigil-late-points-2026.12.02",
        "vigil-late-points-2026.12"), at("2026-12-04T00:00:00Z"))).containsExactly("vigil-late-points-2026.12.01");
  }
}
