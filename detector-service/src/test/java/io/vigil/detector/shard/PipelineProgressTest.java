package io.vigil.detector.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.model.RollupProgress;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineProgressTest {

  static final long T0 = 1_790_000_040_000L; // a minute boundary in 2026

  /** A marker whose watermark is {@code offsetMs} past T0. */
  static RollupProgress marker(int source, int sources, long offsetMs) {
    return RollupProgress.of("default", source, sources, T0 + offsetMs, 0, 0, List.of(60), T0 + offsetMs);
  }

  @Test
  void alignedTopicsTakeThePartitionsOwnSourceAndItsNewestMarker() {
    PipelineProgress p = new PipelineProgress(4);
    assertThat(p.closedThrough(2, 60)).isEqualTo(-1);
    p.update(2, marker(2, 4, 600_000));
    p.update(2, marker(2, 4, 540_000)); // older, late: ignored
    assertThat(p.closedThrough(2, 60)).isEqualTo(T0 + 600_000);
    assertThat(p.closedThrough(2, 300)).as("computed from the watermark when not stated")
        .isEqualTo(Math.floorDiv(T0 + 600_000, 300_000) * 300_000);
    assertThat(p.closedThrough(1, 60)).isEqualTo(-1);
  }

  @Test
  void otherwiseTheLeastProgressOfEverySourceCountsAndNothingBeforeAllAreSeen() {
    PipelineProgress p = new PipelineProgress(2); // metrics.raw has 3 partitions: every marker on every partition
    p.update(0, marker(0, 3, 900_000));
    p.update(0, marker(1, 3, 600_000));
    assertThat(p.closedThrough(0, 60)).as("source 2 not heard yet").isEqualTo(-1);
    p.update(0, marker(2, 3, 720_000));
    assertThat(p.closedThrough(0, 60)).isEqualTo(T0 + 600_000);
    p.update(0, marker(1, 3, 960_000));
    assertThat(p.closedThrough(0, 60)).isEqualTo(T0 + 720_000);
    p.forget(0);
    assertThat(p.closedThrough(0, 60)).isEqualTo(-1);
  }

  @Test
  void whatMayHaveBeenSentIsClosedByTheSmallestGraceAndTheNewestSource() {
    PipelineProgress p = new PipelineProgress(2);
    assertThat(p.sentThrough(0, 60)).isEqualTo(-1);
    p.update(0, RollupProgress.of("default", 0, 3, T0 + 61_000, 5_000, 5_000, List.of(60), T0));
    assertThat(p.sentThrough(0, 60)).as("one grace: what the closes say").isEqualTo(T0);
    p.update(0, RollupProgress.of("default", 0, 3, T0 + 62_000, 1_000, 5_000, List.of(60), T0));
    assertThat(p.sentThrough(0, 60)).as("a grace of 1 s closed the minute first").isEqualTo(T0 + 60_000);
    p.update(0, RollupProgress.of("default", 1, 3, T0 + 150_000, 0, 0, List.of(60), T0));
    assertThat(p.sentThrough(0, 60)).as("the newest of the sources").isEqualTo(T0 + 120_000);
    assertThat(p.sentThrough(1, 60)).isEqualTo(-1);
    p.forget(0);
    assertThat(p.sentThrough(0, 60)).isEqualTo(-1);
  }

  @Test
  void aMarkerOfAnOlderAggregatorWithoutItsSmallestGraceBoundsByItsWatermark() {
    String json = "{\"schemaVersion\":1,\"shard\":\"default\",\"sourcePartition\":0,\"sourcePartitions\":1,"
        + "\"watermarkMs\":" + (T0 + 61_000) + ",\"graceMs\":5000,\"closedThroughMs\":{\"60\":" + T0 + "}}";
    RollupProgress old = new io.vigil.common.kafka.MessageCodec().decode(
        json.getBytes(java.nio.charset.StandardCharsets.UTF_8), RollupProgress.class);
    assertThat(old.minGraceMs()).isZero();
    assertThat(old.sentThrough(60)).isEqualTo(T0 + 60_000);
  }
}
