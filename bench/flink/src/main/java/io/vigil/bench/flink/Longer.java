package io.vigil.bench.flink;

import io.vigil.common.model.RollupStats;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * A longer period's windows, folded from the closed windows of the next shorter period (a window's
 * {@link Rollup} carries the timestamp of its window's last millisecond, so it falls in the longer
 * window that contains it, and arrives before the watermark that closes that window).
 */
final class Longer {

  private Longer() {}

  /** Merges each shorter window's statistics into the longer window's. */
  static final class Fold implements AggregateFunction<Rollup, RollupStats, RollupStats> {

    @Override
    public RollupStats createAccumulator() {
      return new RollupStats();
    }

    @Override
    public RollupStats add(Rollup shorter, RollupStats window) {
      window.merge(shorter.stats);
      return window;
    }

    @Override
    public RollupStats getResult(RollupStats window) {
      return window;
    }

    @Override
    public RollupStats merge(RollupStats a, RollupStats b) {
      a.merge(b);
      return a;
    }
  }

  /** Emits a closed window of {@code periodSeconds}. */
  static final class Emit extends ProcessWindowFunction<RollupStats, Rollup, Long, TimeWindow> {
    private final int periodSeconds;

    Emit(int periodSeconds) {
      this.periodSeconds = periodSeconds;
    }

    @Override
    public void process(Long seriesId, Context context, Iterable<RollupStats> closed, Collector<Rollup> out) {
      RollupStats window = closed.iterator().next();
      if (window.count > 0) {
        out.collect(new Rollup(seriesId, periodSeconds, context.window().getStart(), window,
            System.currentTimeMillis()));
      }
    }
  }
}
