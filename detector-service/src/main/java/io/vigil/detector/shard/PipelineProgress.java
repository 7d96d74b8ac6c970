package io.vigil.detector.shard;

import io.vigil.common.model.RollupProgress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The aggregator's progress on each partition of this shard's rollup topic, as its markers said: how
 * the detector tells a series that sent nothing (its window closed on the partition with no rollup)
 * from a pipeline that stalled (no marker moving), by the pipeline's own progress rather than the wall
 * clock.
 *
 * <p>When the rollup topic has as many partitions as {@code metrics.raw}, a partition's markers come
 * from its own source partition, which alone feeds it. Otherwise every source partition's marker
 * reaches every rollup partition, and a window is closed only when it is closed on every source: the
 * least progress counts, and nothing is known until a marker from each source has come.
 */
public final class PipelineProgress {

  private final int rollupPartitions;
  private final Map<Integer, Map<Integer, RollupProgress>> byPartition = new ConcurrentHashMap<>();

  /** @param rollupPartitions the partition count of the shard's rollup topic */
  public PipelineProgress(int rollupPartitions) {
    this.rollupPartitions = rollupPartitions;
  }

  /** Takes a marker read on {@code partition}; per source partition the newest progress wins. */
  public void update(int partition, RollupProgress marker) {
    byPartition.computeIfAbsent(partition, p -> new ConcurrentHashMap<>()).merge(marker.sourcePartition(), marker,
        (old, next) -> next.watermarkMs() >= old.watermarkMs() ? next : old);
  }

  /**
   * The end of the newest window of {@code periodSeconds} closed on {@code partition} for every series
   * there, or -1 when that is not known yet.
   */
  public long closedThrough(int partition, int periodSeconds) {
    Map<Integer, RollupProgress> sources = byPartition.get(partition);
    if (sources == null || sources.isEmpty()) {
      return -1;
    }
    RollupProgress own = sources.get(partition);
    if (own != null && own.sourcePartitions() == rollupPartitions) {
      return closedThrough(own, periodSeconds);
    }
    long least = Long.MAX_VALUE;
    int expected = -1;
    for (RollupProgress p : sources.values()) {
      expected = Math.max(expected, p.sourcePartitions());
      least = Math.min(least, closedThrough(p, periodSeconds));
    }
    return sources.size() >= expected ? least : -1;
  }

  /**
   * The end of the newest window of {@code periodSeconds} that a rollup on {@code partition} before
   * its markers can be of ({@link RollupProgress#sentThrough}), the newest over the sources (a series
   * may be of any of them), or -1 when no marker has come: the bound of what an earlier owner of the
   * partition may have read. At least {@link #closedThrough} once that is known.
   */
  public long sentThrough(int partition, int periodSeconds) {
    Map<Integer, RollupProgress> sources = byPartition.get(partition);
    long newest = -1;
    if (sources != null) {
      for (RollupProgress p : sources.values()) {
        newest = Math.max(newest, p.sentThrough(periodSeconds));
      }
    }
    return newest;
  }

  private static long closedThrough(RollupProgress p, int periodSeconds) {
    Long stated = p.closedThroughMs().get(periodSeconds);
    return stated != null ? stated : RollupProgress.closedThrough(p.watermarkMs(), p.graceMs(), periodSeconds);
  }

  public void forget(int partition) {
    byPartition.remove(partition);
  }
}
