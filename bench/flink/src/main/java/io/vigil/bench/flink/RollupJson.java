package io.vigil.bench.flink;

import io.vigil.common.model.RollupStats;
import java.nio.charset.StandardCharsets;

/**
 * A rollup as the value of a {@code flink.rollups} record: a small JSON object with the fields of
 * common's {@code Rollup} that the job knows (the aggregator's also names the series: namespace,
 * region, metric, dimensions, tenant, shard), e.g.
 * {@code {"seriesId":-42,"periodSeconds":60,"windowStartMs":1795651200000,"sum":12.5,"count":6,
 * "min":0.5,"max":4.5,"last":3.0,"emittedAtMs":1795655000123}}.
 */
final class RollupJson {

  private RollupJson() {}

  static byte[] bytes(Rollup r) {
    return encode(r).getBytes(StandardCharsets.US_ASCII);
  }

  static String encode(Rollup r) {
    RollupStats s = r.stats;
    StringBuilder b = new StringBuilder(200);
    b.append("{\"seriesId\":").append(r.seriesId)
        .append(",\"periodSeconds\":").append(r.periodSeconds)
        .append(",\"windowStartMs\":").append(r.windowStartMs);
    number(b.append(",\"sum\":"), s.total());
    b.append(",\"count\":").append(s.count);
    number(b.append(",\"min\":"), s.min);
    number(b.append(",\"max\":"), s.max);
    number(b.append(",\"last\":"), s.last);
    return b.append(",\"emittedAtMs\":").append(r.emittedAtMs).append('}').toString();
  }

  /** A finite double as Java prints it (valid JSON, e.g. 1.0E-5); a sum that overflowed as null. */
  private static void number(StringBuilder b, double v) {
    if (Double.isFinite(v)) {
      b.append(v);
    } else {
      b.append("null");
    }
  }
}
