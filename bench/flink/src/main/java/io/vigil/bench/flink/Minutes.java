package io.vigil.bench.flink;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** The one-minute windows: points folded into {@link MinuteStats} as they come, a {@link Rollup} when one closes. */
final class Minutes {

  static final int PERIOD_SECONDS = 60;

  private Minutes() {}

  /** Adds each point to its series' open minute (a retry of a timestamp the minute has is dropped there). */
  static final class Aggregate implements AggregateFunction<Point, MinuteStats, MinuteStats> {

    @Override
    public MinuteStats createAccumulator() {
      return new MinuteStats();
    }

    @Override
    public MinuteStats add(Point point, MinuteStats minute) {
      minute.add(point.timestampMs, point.value);
      return minute;
    }

    @Override
    public MinuteStats getResult(MinuteStats minute) {
      return minute;
    }

    /** Only merging windows (sessions) merge; tumbling ones never call this. */
    @Override
    public MinuteStats merge(MinuteStats a, MinuteStats b) {
      throw new UnsupportedOperationException("one-minute windows do not merge");
    }
  }

  /** Emits a closed minute and counts the retries it dropped (the {@value #DUPLICATES} accumulator). */
  static final class Emit extends ProcessWindowFunction<MinuteStats, Rollup, Long, TimeWindow> {

    static final String DUPLICATES = "duplicate-points";
    static final String UNCHECKED = "unchecked-points";

    private transient LongCounter duplicates;
    private transient LongCounter unchecked;

    @Override
    public void open(OpenContext openContext) {
      duplicates = new LongCounter();
      unchecked = new LongCounter();
      getRuntimeContext().addAccumulator(DUPLICATES, duplicates);
      getRuntimeContext().addAccumulator(UNCHECKED, unchecked);
    }

    @Override
    public void process(Long seriesId, Context context, Iterable<MinuteStats> closed, Collector<Rollup> out) {
      MinuteStats minute = closed.iterator().next();
      duplicates.add(minute.duplicates);
      unchecked.add(minute.unchecked);
      if (minute.stats.count > 0) {
        out.collect(new Rollup(seriesId, PERIOD_SECONDS, context.window().getStart(), minute.stats,
            System.currentTimeMillis()));
      }
    }
  }
}
