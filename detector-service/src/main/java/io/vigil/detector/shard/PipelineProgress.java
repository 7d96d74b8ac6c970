package io.vigil.detector.shard;

import io.vigil.common.model.RollupProgress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The aggregator's progress on each partition of this shard's rollup topic, as its markers said
 * (newest marker wins): how the detector will tell a series that sent nothing (its window closed on
 * the partition with no rollup) from a pipeline that stalled (no marker moving), by the pipeline's own
 * progress rather than the wall clock. Detection (no-data conditions) reads it.
 */
public final class PipelineProgress {

  private final Map<Integer, RollupProgress> byPartition = new ConcurrentHashMap<>();

  public void update(int partition, RollupProgress marker) {
    byPartition.merge(partition, marker, (old, next) -> next.watermarkMs() >= old.watermarkMs() ? next : old);
  }

  /**
   * The end of the newest window of {@code periodSeconds} closed on {@code partition} for every series
   * there, or -1 when no marker came yet.
   */
  public long closedThrough(int partition, int periodSeconds) {
    RollupProgress p = byPartition.get(partition);
    if (p == null) {
      return -1;
    }
    Long stated = p.closedThroughMs().get(periodSeconds);
    return stated != null ? stated : RollupProgress.closedThrough(p.watermarkMs(), p.graceMs(), periodSeconds);
  }

  public void forget(int partition) {
    byPartition.remove(partition);
  }
}
