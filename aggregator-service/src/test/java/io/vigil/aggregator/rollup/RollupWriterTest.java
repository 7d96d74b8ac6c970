package io.vigil.aggregator.rollup;

import io.vigil.common.model.RollupStats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.InvalidRecordException;
import io.vigil.common.model.Rollup;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The hand-written rollup is the document MessageCodec writes for the record, and reads back to it. */
class RollupWriterTest {

  static final long T = 1_795_651_200_000L;
  static final String[] ODD = {"", "plain", "quote\"d", "back\\slash", "tab\there", "line\nfeed", "\u0001ctl",
      "del\u007f", "云监控", "emoji \uD83D\uDE80", "é", "</script>", "a/b"};
  static final double[] EDGES = {0.0, -0.0, 1.0, -1.0, 100.0, 1e7, 1e-5, 0.1 + 0.2, Double.MIN_VALUE,
      -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, Double.MIN_NORMAL, 123456789.123456789};

  final MessageCodec codec = new MessageCodec();
  final RollupWriter writer = new RollupWriter();

  @Test
  void randomRollupsAreTheDocumentTheCodecWritesAndReadBackToTheRecord() throws Exception {
    Random random = new Random(11);
    for (int i = 0; i < 5_000; i++) {
      Map<String, String> dims = new TreeMap<>();
      int k = random.nextInt(4);
      for (int j = 0; j < k; j++) {
        dims.put("k" + j + text(random), text(random));
      }
      SeriesInfo info = new SeriesInfo("ns/" + text(random), "r" + text(random), "m" + text(random), dims,
          random.nextBoolean() ? null : "u", random.nextBoolean() ? null : "t" + text(random));
      double a = number(random);
      double b = number(random);
      RollupStats stats = new RollupStats();
      stats.sum = number(random);
      stats.count = 1 + random.nextInt(1000);
      stats.min = Math.min(a, b);
      stats.max = Math.max(a, b);
      stats.last = number(random);
      int period = new int[] {60, 300, 900, 3600, 86400}[random.nextInt(5)];
      long start = T - (long) random.nextInt(1000) * period * 1000L;
      long id = random.nextLong();
      String shard = random.nextBoolean() ? "default" : "gold-1";
      long emitted = T + random.nextInt(1_000_000);
      Rollup want = new Rollup(Rollup.SCHEMA_VERSION, id, info.namespace(), info.region(), info.metric(), dims, shard,
          period, start, stats.total(), stats.count, stats.min, stats.max, stats.last, emitted, info.tenant());

      byte[] json = writer.write(id, info, shard, period, start, stats, emitted);

      assertThat(codec.decode(json, Rollup.class)).as("rollup %d", i).isEqualTo(want);
      JsonNode ours = codec.mapper().readTree(json);
      JsonNode theirs = codec.mapper().readTree(codec.encode(want));
      assertThat(ours).as("rollup %d: %s", i, new String(json, java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo(theirs);
      assertThat(Double.doubleToRawLongBits(codec.decode(json, Rollup.class).sum()))
          .isEqualTo(Double.doubleToRawLongBits(want.sum()));
    }
  }

  @Test
  void seriesIdsAtTheEdgesOfALongAreWrittenExactly() {
    SeriesInfo info = new SeriesInfo("ns", "r", "m", Map.of("a", "b"), null, "t");
    RollupStats stats = new RollupStats();
    stats.add(T, 1.5);
    for (long id : new long[] {0, 9, 10, -1, -10, 1_000_000_000_000L, Long.MAX_VALUE, Long.MIN_VALUE}) {
      Rollup read = codec.decode(writer.write(id, info, "default", 60, T, stats, T + 60_000), Rollup.class);
      assertThat(read.seriesId()).isEqualTo(id);
      assertThat(read.count()).isEqualTo(1);
    }
  }

  @Test
  void whatARollupRefusesIsRefusedWithTheSameField() {
    SeriesInfo info = new SeriesInfo("ns", "r", "m", Map.of(), null, null);
    RollupStats overflow = new RollupStats();
    overflow.sum = Double.POSITIVE_INFINITY;
    overflow.count = 2;
    overflow.min = 1;
    overflow.max = 1;
    overflow.last = 1;
    assertThatThrownBy(() -> writer.write(1, info, "default", 60, T, overflow, T))
        .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.field()).isEqualTo("sum"));
  }

  static String text(Random random) {
    return ODD[random.nextInt(ODD.length)] + random.nextInt(100);
  }

  static double number(Random random) {
    if (random.nextInt(4) == 0) {
      return EDGES[random.nextInt(EDGES.length)];
    }
    double d;
    do {
      d = Double.longBitsToDouble(random.nextLong());
    } while (!Double.isFinite(d));
    return d;
  }
}
