package io.vigil.common.points;

import io.vigil.common.model.MetricPoint;
import java.util.List;
import java.util.Set;

/**
 * One record of {@code metrics.raw}: points of one request that fall on one partition, all of one
 * namespace and region, with what the aggregator needs to roll them up (shard, periods, grace)
 * stated once. Encoded with {@link PointBatchCodec}; {@link #points()} are ordinary {@link
 * MetricPoint}s, validated as such when decoded.
 */
public record PointBatch(long receivedAtMs, String namespace, String region, String shard, Set<Integer> periods,
    long graceMs, List<MetricPoint> points) {

  public PointBatch {
    periods = Set.copyOf(periods);
    points = List.copyOf(points);
  }

  /** The event time of the batch: its latest point's (what moves stream time forward). */
  public long latestTimestampMs() {
    long latest = Long.MIN_VALUE;
    for (MetricPoint p : points) {
      latest = Math.max(latest, p.timestampMs());
    }
    return latest;
  }
}
