package io.vigil.bench.flink;

import io.vigil.common.model.RollupStats;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RollupJsonTest {

  @Test
  void aRollupIsOneSmallJsonObject() {
    RollupStats s = new RollupStats();
    s.add(1_000, 0.5);
    s.add(2_000, 1e-7);
    assertEquals("{\"seriesId\":-42,\"periodSeconds\":60,\"windowStartMs\":1796256000000,\"sum\":0.5000001,"
        + "\"count\":2,\"min\":1.0E-7,\"max\":0.5,\"last\":1.0E-7,\"emittedAtMs\":1796256090000}",
        RollupJson.encode(new Rollup(-42, 60, 1_796_256_000_000L, s, 1_796_256_090_000L)));
  }
}
