package io.vigil.bench.flink;

import io.vigil.common.model.RollupStats;
import java.util.Arrays;

/**
 * A series' open minute: its {@link RollupStats} and, as the aggregator does, the distinct timestamps seen
 * in it, so a sender's retry (a point whose (seriesId, timestampMs) the minute already has) is dropped
 * and counted instead of doubling a sum and a count. A minute remembers {@value #MAX_SEEN}
 * timestamps; past that, points are taken unchecked and counted. A Flink POJO: it is the one-minute
 * windows' state.
 */
public final class MinuteStats {

  static final int MAX_SEEN = 1024;

  public RollupStats stats = new RollupStats();
  /** The timestamps seen, sorted, in {@code seen[0..seenCount)}. */
  public long[] seen = new long[8];
  public int seenCount;
  public long duplicates;
  public long unchecked;

  public MinuteStats() {}

  void add(long timestampMs, double value) {
    int at = Arrays.binarySearch(seen, 0, seenCount, timestampMs);
    if (at >= 0) {
      duplicates++;
      return;
    }
    if (seenCount < MAX_SEEN) {
      int insert = -at - 1;
      if (seenCount == seen.length) {
        seen = Arrays.copyOf(seen, Math.min(MAX_SEEN, seen.length * 2));
      }
      System.arraycopy(seen, insert, seen, insert + 1, seenCount - insert);
      seen[insert] = timestampMs;
      seenCount++;
    } else {
      unchecked++;
    }
    stats.add(timestampMs, value);
  }
}
