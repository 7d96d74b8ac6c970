package io.vigil.storage.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.store.StoreNames;
import io.vigil.storage.rollup.RollupIndices.Retention;
import io.vigil.storage.rollup.RollupIndices.Span;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RollupIndicesTest {

  final RollupIndices indices = new RollupIndices(new StoreNames("vigil-", "vigil:"), RollupIndices.defaults());

  static long at(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  @Test
  void aWindowGoesToTheIndexOfTheUtcDayOrMonthItStartsIn() {
    assertThat(indices.indexFor(60, at("2026-12-04T23:59:00Z"))).isEqualTo("vigil-rollups-60s-2026.12.04");
    assertThat(indices.indexFor(60, at("2026-12-05T00:00:00Z"))).isEqualTo("vigil-rollups-60s-2026.12.05");
    assertThat(indices.indexFor(900, at("2026-01-01T00:00:00Z"))).isEqualTo("vigil-rollups-900s-2026.01.01");
    assertThat(indices.indexFor(3600, at("2026-12-31T23:00:00Z"))).isEqualTo("vigil-rollups-3600s-2026.12");
    assertThat(indices.indexFor(86400, at("2027-01-01T00:00:00Z"))).isEqualTo("vigil-rollups-86400s-2027.01");
    assertThatThrownBy(() -> indices.indexFor(120, 0)).hasMessageContaining("no retention for rollups of 120 s");
  }

  @Test
  void aRangeNamesEveryIndexItTouchesAndNoOther() {
    assertThat(indices.indicesFor(60, at("2026-12-03T22:00:00Z"), at("2026-12-05T00:00:00Z")))
        .containsExactly("vigil-rollups-60s-2026.12.03", "vigil-rollups-60s-2026.12.04");
    assertThat(indices.indicesFor(60, at("2026-12-04T10:00:00Z"), at("2026-12-04T10:00:00.001Z")))
        .containsExactly("vigil-rollups-60s-2026.12.04");
    assertThat(indices.indicesFor(3600, at("2026-11-30T00:00:00Z"), at("2027-01-02T00:00:00Z")))
        .containsExactly("vigil-rollups-3600s-2026.11", "vigil-rollups-3600s-2026.12", "vigil-rollups-3600s-2027.01");
    assertThatThrownBy(() -> indices.indicesFor(60, 10, 10)).hasMessageContaining("empty range");
  }

  @Test
  void anIndexExpiresOnceItsWholeSpanIsOlderThanTheRetention() {
    List<String> present = List.of("vigil-rollups-60s-2026.11.18", "vigil-rollups-60s-2026.11.19",
        "vigil-rollups-60s-2026.11.20", "vigil-rollups-3600s-2026.08", "vigil-rollups-3600s-2026.09",
        "vigil-rollups-86400s-2025.11", "vigil-rollups-86400s-2025.12",
        // never ours to delete: another prefix, another kind, a period without retention, a malformed date
        "t1234abcd-vigil-rollups-60s-2020.01.01", "vigil-alerts-2020.01", "vigil-rollups-120s-2020.01.01",
        "vigil-rollups-60s-2020.13.01", "vigil-rollups-60s-2020.01", "vigil-rollups-3600s-2020.01.01");
    // 60 s kept 15 days: the day 2026-11-19 ended 11-20T00:00, expired from 12-05T00:00
    assertThat(indices.expired(present, at("2026-12-05T00:00:00Z"))).containsExactly(
        "vigil-rollups-3600s-2026.08", "vigil-rollups-60s-2026.11.18", "vigil-rollups-60s-2026.11.19",
        "vigil-rollups-86400s-2025.11");
    assertThat(indices.expired(present, at("2026-12-04T23:59:59.999Z"))).containsExactly(
        "vigil-rollups-3600s-2026.08", "vigil-rollups-60s-2026.11.18", "vigil-rollups-86400s-2025.11");
  }

  /** Random windows: the index a window goes to parses back to a span holding the window, never expired early. */
  @Test
  void everyWindowsIndexParsesBackToASpanHoldingItAndOutlivesTheRetention() {
    Random random = new Random(42);
    for (int i = 0; i < 5_000; i++) {
      int period = List.of(60, 300, 900, 3600, 86400).get(random.nextInt(5));
      long start = Math.floorDiv(at("2020-01-01T00:00:00Z") + (long) (random.nextDouble() * 400L * 86_400_000L * 8),
          period * 1000L) * period * 1000L;
      String name = indices.indexFor(period, start);
      RollupIndices.Index index = indices.parse(name).orElseThrow(() -> new AssertionError(name));
      assertThat(index.periodSeconds()).isEqualTo(period);
      assertThat(start).isBetween(index.spanStartMs(), index.spanEndMs() - 1);
      long keep = RollupIndices.defaults().get(period).keep().toMillis();
      long windowEnd = start + period * 1000L;
      assertThat(indices.expired(List.of(name), windowEnd + keep - 1)).as(name).isEmpty();
    }
  }

  @Test
  void theDocumentIdIsTheWindowsIdentity() {
    assertThat(RollupIndices.documentId(0x1aL, 60, 1_700_000_040_000L)).isEqualTo("000000000000001a-60-1700000040000");
    assertThat(RollupIndices.documentId(-1L, 300, 0)).isEqualTo("ffffffffffffffff-300-0");
    Set<String> ids = new HashSet<>();
    List<String> all = new ArrayList<>();
    for (long series : new long[] {1, 2}) {
      for (int period : new int[] {60, 300}) {
        for (long start : new long[] {0, 300_000}) {
          all.add(RollupIndices.documentId(series, period, start));
        }
      }
    }
    ids.addAll(all);
    assertThat(ids).hasSize(all.size());
  }

  @Test
  void aRetentionNeedsASpanAndAPositiveDuration() {
    assertThatThrownBy(() -> new Retention(Span.DAY, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Retention(null, Duration.ofDays(1))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RollupIndices(new StoreNames("vigil-", "vigil:"), Map.of()))
        .hasMessageContaining("no period");
  }
}
