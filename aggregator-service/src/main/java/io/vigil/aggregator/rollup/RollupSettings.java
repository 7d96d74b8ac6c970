package io.vigil.aggregator.rollup;

import java.time.Duration;
import java.util.List;

/**
 * How the aggregator closes windows ({@code vigil.aggregator.*}).
 *
 * @param defaultGrace the grace of a namespace that states none (a point's {@code graceMs} of 0)
 * @param idleAfter a partition without records this long is idle: its progress follows the clock,
 *     less this much, so its windows still close; also the allowance for a record in flight
 * @param forgetAfter a series without points this long (by the partition's progress) is dropped from
 *     the state
 * @param tick how often the clock is looked at (idle partitions, progress markers)
 * @param progressInterval how often each partition's progress marker goes to each shard's topic
 * @param defaultPeriods the periods of a batch that states none
 * @param persistentStore RocksDB stores (true) or in-memory stores with a changelog (false)
 * @param storeCacheBytes the Streams record cache in front of the stores (changelog writes are merged
 *     per key between commits); 0 by default: the series are in memory already, and the cache cost
 *     more than it merged in the rollup benchmark
 * @param foldFromMinutes the longer periods are folded from closed minutes (true, the default) or
 *     each point also updates every longer window (false: measured in {@code docs/benchmarks.md})
 * @param liveLag a partition whose progress is within this of the clock is live (not catching up)
 * @param liveCommitInterval a live partition asks for a commit at least this often, so its rollups are
 *     visible soon; a backlog commits on Streams' {@code commit.interval.ms} (longer, so each series'
 *     changelog record carries more points)
 */
public record RollupSettings(Duration defaultGrace, Duration idleAfter, Duration forgetAfter, Duration tick,
    Duration progressInterval, List<Integer> defaultPeriods, boolean persistentStore, long storeCacheBytes,
    boolean foldFromMinutes, Duration liveLag, Duration liveCommitInterval) {

  public RollupSettings {
    if (defaultGrace.isNegative() || defaultGrace.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("vigil.aggregator.default-grace must be 0 .. 1 day: " + defaultGrace);
    }
    if (idleAfter.isNegative() || idleAfter.isZero() || tick.isNegative() || tick.isZero()
        || progressInterval.isNegative() || progressInterval.isZero() || liveLag.isNegative()
        || liveCommitInterval.isNegative() || liveCommitInterval.isZero()) {
      throw new IllegalArgumentException(
          "vigil.aggregator idle-after, tick, progress-interval and live-commit-interval must be > 0, live-lag >= 0");
    }
    if (forgetAfter.compareTo(Duration.ofDays(1).plus(defaultGrace)) < 0) {
      throw new IllegalArgumentException("vigil.aggregator.forget-after must outlast a day's window and its grace");
    }
    defaultPeriods = List.copyOf(defaultPeriods);
    io.vigil.common.model.Checks.periods("vigil.aggregator", "default-periods", java.util.Set.copyOf(defaultPeriods));
    if (defaultPeriods.isEmpty() || storeCacheBytes < 0) {
      throw new IllegalArgumentException("vigil.aggregator: default-periods must not be empty, store-cache-bytes >= 0");
    }
  }

  public static RollupSettings defaults() {
    return new RollupSettings(Duration.ofSeconds(30), Duration.ofSeconds(3), Duration.ofHours(26),
        Duration.ofMillis(250), Duration.ofSeconds(1), List.of(60, 300, 900, 3600, 86400), false, 0, true,
        Duration.ofSeconds(10), Duration.ofSeconds(1));
  }
}
