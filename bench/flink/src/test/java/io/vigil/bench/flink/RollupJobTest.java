package io.vigil.bench.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The topology on a bounded input in a local Flink (no broker): an hour of 10 s points of one series
 * gives 60/12/4/1 rollups with the statistics computed directly from the points, a point is late
 * exactly when its minute's end + grace is at or below the progress of an earlier batch, and a retry
 * in an open minute is dropped. The input's end closes every window, the day's included (the
 * aggregator would keep that one open).
 */
class RollupJobTest {

  static final long DAY = 1_796_256_000_000L; // a midnight UTC
  static final long A = 1;
  static final long B = 2;
  static final long C = 3;
  static final long GRACE = 30_000;

  static final Map<String, Rollup> rollups = new TreeMap<>();
  static JobExecutionResult result;
  static final double[] aValues = new double[360];

  @BeforeAll
  static void run() throws Exception {
    List<Points> batches = new ArrayList<>();
    Random random = new Random(42);
    for (int i = 0; i < 360; i++) {
      long ts = DAY + i * 10_000L;
      aValues[i] = Math.round(random.nextGaussian() * 1e6) / 1e3;
      batches.add(batch(ts + 1_000, point(A, ts, aValues[i])));
      if (i == 12) { // C: a point, its retry, another point, all in minute 2
        batches.add(batch(DAY + 121_500, point(C, DAY + 120_500, 5.0)));
        batches.add(batch(DAY + 122_000, point(C, DAY + 120_500, 5.0)));
        batches.add(batch(DAY + 122_500, point(C, DAY + 130_000, 7.0)));
      }
      if (i == 60) { // B: a point in minute 10 (600 s to 660 s)
        batches.add(batch(DAY + 606_000, point(B, DAY + 605_000, 1.0)));
      }
      if (i == 68) { // minute 10's end + grace is DAY + 690 s
        batches.add(batch(DAY + 689_999, point(B, DAY + 606_000, 2.0)));   // in time
        batches.add(batch(DAY + 690_000, point(B, DAY + 607_000, 4.0)));   // its own batch closes the minute: counted
        batches.add(batch(DAY + 690_001, point(B, DAY + 608_000, 100.0))); // the minute has closed: late
      }
    }
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
    DataStream<Points> input = env.fromData(batches, TypeInformation.of(Points.class))
        .assignTimestampsAndWatermarks(new AcceptanceWatermarks(Duration.ofHours(1), false, () -> DAY + 86_400_000L));
    RollupJob.rollups(input).sinkTo(new Collecting());
    result = env.execute("rollup-job-test");
  }

  /** Keeps what the job emits in {@link #rollups}, by series, period and window start (from the day's). */
  static final class Collecting implements Sink<Rollup> {
    @Override
    public SinkWriter<Rollup> createWriter(WriterInitContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(Rollup r, Context context) {
          synchronized (rollups) {
            rollups.put(r.seriesId + "/" + r.periodSeconds + "/" + (r.windowStartMs - DAY), r);
          }
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() {}
      };
    }
  }

  static Points batch(long receivedAtMs, Point p) {
    return new Points(receivedAtMs, GRACE, new long[] {p.seriesId}, new long[] {p.timestampMs}, new double[] {p.value});
  }

  static Point point(long series, long ts, double value) {
    return new Point(series, ts, value);
  }

  @Test
  void anHourOfTenSecondPointsGivesEveryPeriodsWindowsWithTheStatisticsOfThePoints() {
    Map<Integer, Integer> perPeriod = new HashMap<>();
    for (Rollup r : rollups.values()) {
      if (r.seriesId != A) {
        continue;
      }
      perPeriod.merge(r.periodSeconds, 1, Integer::sum);
      long offset = r.windowStartMs - DAY;
      assertEquals(0, offset % (r.periodSeconds * 1000L), "epoch-aligned");
      BigDecimal sum = BigDecimal.ZERO;
      int count = 0;
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      double last = Double.NaN;
      for (int i = 0; i < 360; i++) {
        long ts = i * 10_000L;
        if (ts >= offset && ts < offset + r.periodSeconds * 1000L) {
          sum = sum.add(new BigDecimal(aValues[i]));
          count++;
          min = Math.min(min, aValues[i]);
          max = Math.max(max, aValues[i]);
          last = aValues[i];
        }
      }
      String window = r.periodSeconds + " s at " + offset;
      assertEquals(count, r.stats.count, window);
      assertEquals(sum.doubleValue(), r.stats.total(), Math.ulp(sum.doubleValue()), window);
      assertEquals(min, r.stats.min, window);
      assertEquals(max, r.stats.max, window);
      assertEquals(last, r.stats.last, window);
    }
    assertEquals(Map.of(60, 60, 300, 12, 900, 4, 3600, 1, 86_400, 1), perPeriod);
  }

  @Test
  void aPointIsLateOnceAnEarlierBatchHasMovedProgressToItsMinutesEndPlusGrace() {
    Rollup minute = rollups.get(B + "/60/600000");
    assertEquals(3, minute.stats.count);
    assertEquals(7.0, minute.stats.total());
    assertEquals(4.0, minute.stats.last);
    assertEquals(1L, (Long) result.getAccumulatorResult(CountLate.LATE));
    assertEquals(3, rollups.get(B + "/300/600000").stats.count, "folded from the minute, without the late point");
  }

  @Test
  void aRetryInAnOpenMinuteIsDroppedAndCounted() {
    Rollup minute = rollups.get(C + "/60/120000");
    assertEquals(2, minute.stats.count);
    assertEquals(12.0, minute.stats.total());
    assertEquals(7.0, minute.stats.last);
    assertEquals(1L, (Long) result.getAccumulatorResult(Minutes.Emit.DUPLICATES));
    assertEquals(5, rollups.keySet().stream().filter(k -> k.startsWith(C + "/")).count(), "one window per period");
  }
}
