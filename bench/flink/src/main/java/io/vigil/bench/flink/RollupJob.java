package io.vigil.bench.flink;

import io.vigil.common.model.RollupStats;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.util.OutputTag;

/**
 * The rollup topology, apart from where the batches come from and where the rollups go (so a test
 * can feed it a bounded source and collect what it emits):
 *
 * <pre>
 * batches (timestamps and watermarks from AcceptanceWatermarks)
 *   → points, each at its own event time                               (PointsOperator, chained)
 *   → keyBy(seriesId) → 60 s tumbling windows, MinuteStats per point   (late points: side output, counted)
 *   → 300 s windows folded from the closed minutes                     (chained: the minutes are already keyed)
 *   → 900 s from the 300 s, 3600 s from the 900 s, 86400 s from the 3600 s
 *   → every period's rollups, one stream
 * </pre>
 *
 * Windows are epoch-aligned (Flink's tumbling windows without an offset). A longer period is folded
 * from the next shorter one's closed windows rather than from every minute as the aggregator does:
 * the same statistics (the fold is exact), with less to fold.
 */
final class RollupJob {

  /** The longer periods, each folded from the one before it (the first from the minutes). */
  static final int[] LONGER_PERIODS = {300, 900, 3600, 86_400};

  static final OutputTag<Point> LATE = new OutputTag<>("late-points", TypeInformation.of(Point.class));

  private RollupJob() {}

  static DataStream<Rollup> rollups(DataStream<Points> batches) {
    TypeInformation<MinuteStats> minuteType = TypeInformation.of(MinuteStats.class);
    TypeInformation<RollupStats> statsType = TypeInformation.of(RollupStats.class);
    TypeInformation<Rollup> rollupType = TypeInformation.of(Rollup.class);
    DataStream<Point> points = batches.transform("points", TypeInformation.of(Point.class), new PointsOperator())
        .uid("points");
    SingleOutputStreamOperator<Rollup> minutes = points
        .keyBy(p -> p.seriesId, Types.LONG)
        .window(TumblingEventTimeWindows.of(Duration.ofSeconds(Minutes.PERIOD_SECONDS)))
        .sideOutputLateData(LATE)
        .aggregate(new Minutes.Aggregate(), new Minutes.Emit(), minuteType, minuteType, rollupType)
        .name("60 s windows").uid("rollups-60");
    minutes.getSideOutput(LATE).process(new CountLate(), TypeInformation.of(Point.class))
        .name("late points").uid("late-points");

    DataStream<Rollup> all = minutes;
    DataStream<Rollup> shorter = minutes;
    for (int period : LONGER_PERIODS) {
      // a window operator's output stays on the subtask that owns its key: no second exchange needed
      shorter = DataStreamUtils.reinterpretAsKeyedStream(shorter, r -> r.seriesId, Types.LONG)
          .window(TumblingEventTimeWindows.of(Duration.ofSeconds(period)))
          .aggregate(new Longer.Fold(), new Longer.Emit(period), statsType, statsType, rollupType)
          .name(period + " s windows").uid("rollups-" + period);
      all = all.union(shorter);
    }
    return all;
  }
}
