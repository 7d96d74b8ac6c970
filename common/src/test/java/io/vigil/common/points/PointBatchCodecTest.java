package io.vigil.common.points;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.model.InvalidRecordException;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.series.SeriesId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The metrics.raw encoding: golden bytes pin the layout; every malformation is named. */
class PointBatchCodecTest {

  static final long T = 1_795_660_800_000L; // 2026-11-26T00:00:00Z

  static MetricPoint point(String metric, String instance, long ts, double value) {
    Map<String, String> dims = Map.of("appid", "1251763868", "instance", instance);
    return new MetricPoint(1, SeriesId.of("qce/cvm", "ap-guangzhou", metric, dims), "qce/cvm", "ap-guangzhou", metric,
        dims, ts, value, "percent", "default", T + 1500, Set.of(60, 300), 30_000, "1251763868");
  }

  static PointBatch sample() {
    return new PointBatch(T + 1500, "qce/cvm", "ap-guangzhou", "default", Set.of(300, 60), 30_000, List.of(
        point("cpu_usage", "ins-1", T, 12.5),
        point("cpu_usage", "ins-2", T, 99.0),
        point("mem_usage", "ins-1", T - 60_000, 0.25),
        point("cpu_usage", "ins-1", T + 60_000, -1e-9)));
  }

  @Test
  void theLayoutIsPinnedByGoldenBytes() throws IOException {
    byte[] encoded = PointBatchCodec.encode(sample());
    String golden;
    try (InputStream in = getClass().getResourceAsStream("/point-batch-golden.hex")) {
      golden = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
    }
    assertThat(HexFormat.of().formatHex(encoded)).isEqualTo(golden);
    // the head of the layout, by hand: magic, version, receivedAtMs as a varint
    assertThat(encoded[0]).isEqualTo((byte) 'V');
    assertThat(encoded[1]).isEqualTo((byte) 'P');
    assertThat(encoded[2]).isEqualTo((byte) 1);
    assertThat(PointBatchCodec.decode(HexFormat.of().parseHex(golden))).isEqualTo(sample());
  }

  @Test
  void pointsRoundTripExactly() {
    PointBatch decoded = PointBatchCodec.decode(PointBatchCodec.encode(sample()));
    assertThat(decoded.points()).containsExactlyElementsOf(sample().points());
    assertThat(decoded.periods()).containsExactlyInAnyOrder(60, 300);
    assertThat(decoded.latestTimestampMs()).isEqualTo(T + 60_000);
    assertThat(Double.doubleToRawLongBits(decoded.points().get(3).value()))
        .isEqualTo(Double.doubleToRawLongBits(-1e-9));
  }

  @Test
  void theCursorReadsEachPointAsDecodeBuildsIt() {
    PointRecord record = PointBatchCodec.check(PointBatchCodec.encode(sample()));
    assertThat(record.size()).isEqualTo(4);
    assertThat(record.latestTimestampMs()).isEqualTo(T + 60_000);
    assertThat(List.of(record.receivedAtMs(), record.namespace(), record.region(), record.shard(), record.graceMs()))
        .containsExactly(T + 1500, "qce/cvm", "ap-guangzhou", "default", 30_000L);
    PointRecord.Cursor c = record.cursor();
    for (MetricPoint want : sample().points()) {
      assertThat(c.next()).isTrue();
      assertThat(c.seriesId()).isEqualTo(want.seriesId());
      assertThat(c.timestampMs()).isEqualTo(want.timestampMs());
      assertThat(Double.doubleToRawLongBits(c.value())).isEqualTo(Double.doubleToRawLongBits(want.value()));
      assertThat(List.of(c.metric(), c.unit(), c.tenant())).containsExactly(want.metric(), want.unit(), want.tenant());
      assertThat(c.point()).isEqualTo(want);
      assertThat(c.dimensions()).isEqualTo(want.dimensions()); // and reading them twice moves nothing
    }
    assertThat(c.next()).isFalse();
    // absent unit and tenant, no dimensions
    PointBatchCodec.Writer w = new PointBatchCodec.Writer(T, "qce/cvm", "r", "default", Set.of(60), 0);
    w.add(9L, "m", null, null, Map.of(), T, 2);
    PointRecord.Cursor bare = PointBatchCodec.check(w.toBytes()).cursor();
    assertThat(bare.next()).isTrue();
    assertThat(bare.unit()).isNull();
    assertThat(bare.tenant()).isNull();
    assertThat(bare.dimensions()).isEmpty();
  }

  @Test
  void eachDictionaryStringIsCheckedForEveryUseItIsPutTo() {
    // " " passes as a dimension value (values may be blank) and is still refused when a later point puts it to
    // another use (a metric, a key): a string is checked once per use, not once for all
    String longText = "x".repeat(io.vigil.common.model.Checks.MAX_TEXT + 1);
    PointBatchCodec.Writer w = new PointBatchCodec.Writer(T, "qce/cvm", "r", "default", Set.of(60), 0);
    w.add(1L, "m", null, null, Map.of("k", " "), T, 1);
    w.add(2L, " ", null, null, Map.of(), T, 1);
    assertInvalid(w.toBytes(), "points[1].metric");
    PointBatchCodec.Writer keys = new PointBatchCodec.Writer(T, "qce/cvm", "r", "default", Set.of(60), 0);
    keys.add(1L, "m", null, null, Map.of("k", " "), T, 1);
    keys.add(2L, "m", null, null, Map.of(" ", "v"), T, 1);
    assertInvalid(keys.toBytes(), "points[1].dimensions");
    PointBatchCodec.Writer units = new PointBatchCodec.Writer(T, "qce/cvm", "r", "default", Set.of(60), 0);
    units.add(1L, "m", null, null, Map.of(), T, 1);
    units.add(2L, "m", longText, null, Map.of(), T, 1);
    assertInvalid(units.toBytes(), "points[1].unit");
    PointBatchCodec.Writer ts = new PointBatchCodec.Writer(T, "qce/cvm", "r", "default", Set.of(60), 0);
    ts.add(1L, "m", null, null, Map.of(), T, 1);
    ts.add(2L, "m", null, null, Map.of(), T / 1000, 1);
    assertInvalid(ts.toBytes(), "points[1].timestampMs");
    PointBatchCodec.Writer header = new PointBatchCodec.Writer(T, " ", "r", "default", Set.of(60), 0);
    header.add(1L, "m", null, null, Map.of(), T, 1);
    assertInvalid(header.toBytes(), "namespace");
  }

  @Test
  void aPointCostsFarLessThanItsJson() {
    long json = 0;
    PointBatchCodec.Writer w = new PointBatchCodec.Writer(T, "qce/cvm", "ap-guangzhou", "default", Set.of(60), 30_000);
    for (int i = 0; i < 500; i++) {
      Map<String, String> dims = Map.of("appid", "1251763868", "instance", "ins-" + (i % 50), "zone", "gz-" + (i % 3));
      w.add(SeriesId.of("qce/cvm", "ap-guangzhou", "cpu_usage", dims), "cpu_usage", "percent", "1251763868", dims,
          T + i, i * 0.5);
      json += new io.vigil.common.kafka.MessageCodec().encode(new MetricPoint(1, 0, "qce/cvm", "ap-guangzhou",
          "cpu_usage", dims, T + i, i * 0.5, "percent", "default", T, Set.of(60), 30_000, "1251763868")).length;
    }
    byte[] batch = w.toBytes();
    assertThat(batch.length / 500.0).as("bytes per point").isLessThan(40);
    assertThat(batch.length).as("against one JSON record a point").isLessThan((int) (json / 8));
  }

  @Test
  void theSeriesPartitionIsPinned() {
    assertThat(SeriesPartitioner.partition(0L, 12)).isZero();
    assertThat(SeriesPartitioner.partition(-1L, 12)).isEqualTo(3); // 2^64-1 mod 12, unsigned
    assertThat(SeriesPartitioner.partition(1234567890123L, 12)).isEqualTo((int) (1234567890123L % 12));
    long id = sample().points().get(0).seriesId();
    assertThat(SeriesPartitioner.partition(id, 12)).isBetween(0, 11).isEqualTo((int) Long.remainderUnsigned(id, 12));
  }

  @Test
  void everyMalformationIsAnInvalidRecordNamingWhatIsWrong() {
    byte[] good = PointBatchCodec.encode(sample());
    assertInvalid(new byte[] {'X', 'P', 1}, "magic");
    byte[] v2 = good.clone();
    v2[2] = 2;
    assertInvalid(v2, "version");
    assertInvalid(java.util.Arrays.copyOf(good, good.length - 3), "points[3].value");
    byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
    assertInvalid(trailing, "points");
    assertInvalid(null, "value");

    // a NaN value is refused by MetricPoint's own check, named with the point
    PointBatchCodec.Writer w = new PointBatchCodec.Writer(T, "qce/cvm", "r", "default", Set.of(60), 0);
    w.add(1L, "m", null, null, Map.of(), T, Double.NaN);
    assertInvalid(w.toBytes(), "points[0].value");
    // a dictionary index past the dictionary
    PointBatchCodec.Writer one = new PointBatchCodec.Writer(T, "qce/cvm", "r", "default", Set.of(60), 0);
    one.add(1L, "m", null, null, Map.of(), T, 1);
    byte[] b = one.toBytes();
    int metricAt = b.length - 8 - 1 - 1 - 1 - 1 - 1; // value, ts delta, dims, tenant, unit, metric
    b[metricAt] = 0x70;
    assertInvalid(b, "points[0].metric");
  }

  private static void assertInvalid(byte[] bytes, String field) {
    assertThatThrownBy(() -> PointBatchCodec.decode(bytes)).isInstanceOfSatisfying(InvalidRecordException.class,
        e -> assertThat(e.field()).isEqualTo(field));
  }
}
