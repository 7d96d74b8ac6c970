package io.vigil.bench.flink;

import io.vigil.common.model.RollupStats;
/**
 * The statistics of one series over one closed window. A Flink POJO: the one-minute rollups travel
 * on to the longer periods' windows, which fold their {@link RollupStats} (compensation and last's
 * timestamp included, so the fold is exact), and every period's go to the sink.
 */
public final class Rollup {

  public long seriesId;
  public int periodSeconds;
  public long windowStartMs;
  public RollupStats stats;
  /** When the window closed here (epoch ms). */
  public long emittedAtMs;

  public Rollup() {}

  Rollup(long seriesId, int periodSeconds, long windowStartMs, RollupStats stats, long emittedAtMs) {
    this.seriesId = seriesId;
    this.periodSeconds = periodSeconds;
    this.windowStartMs = windowStartMs;
    this.stats = stats;
    this.emittedAtMs = emittedAtMs;
  }

  @Override
  public String toString() {
    return RollupJson.encode(this);
  }
}
