package io.vigil.common.points;

/**
 * The partition of {@code metrics.raw} and of the rollup topics a series' records go to: the one rule
 * every producer follows. The key is the series' object id ({@code SeriesId.objectOf}: namespace,
 * region and dimensions without the metric), so all points of a series land on one partition, the
 * aggregator's task for that partition owns the series without a repartition, and every metric of an
 * object reaches one detector partition (a policy can combine conditions on several metrics). The
 * id is already a uniform 64-bit hash; the partition is its unsigned remainder. Pinned in {@code
 * PointBatchCodecTest}: changing it moves every series.
 */
public final class SeriesPartitioner {

  private SeriesPartitioner() {}

  public static int partition(long objectId, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1");
    }
    return (int) Long.remainderUnsigned(objectId, partitions);
  }
}
