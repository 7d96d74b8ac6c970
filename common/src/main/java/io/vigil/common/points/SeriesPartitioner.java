package io.vigil.common.points;

/**
 * The partition of {@code metrics.raw} a series' points go to: the one rule every producer follows,
 * so all points of a series land on one partition and the aggregator's task for that partition owns
 * the series without a repartition. The seriesId is already a uniform 64-bit hash; the partition is
 * its unsigned remainder. Pinned in {@code PointBatchCodecTest}: changing it moves every series.
 */
public final class SeriesPartitioner {

  private SeriesPartitioner() {}

  public static int partition(long seriesId, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1");
    }
    return (int) Long.remainderUnsigned(seriesId, partitions);
  }
}
