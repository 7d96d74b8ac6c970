package io.vigil.bench.flink;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.RelativeClock;

/**
 * The aggregator's notion of progress as Flink watermarks, per Kafka partition (the source runs one
 * generator per split): a partition's progress is the latest acceptance time ({@code receivedAtMs})
 * of its batches, never beyond the clock, and a window closes when progress reaches its end + grace.
 * Flink fires an event-time window when the watermark reaches {@code end - 1} and calls a point late
 * when its window's {@code end - 1} is at or below the watermark, so the watermark is
 * {@code min(receivedAtMs, now) - grace - 1}: both then hold exactly when {@code end + grace <=
 * progress}, the aggregator's rule. Two differences remain: Flink emits a batch's watermark after the
 * batch's points (the aggregator advances first, so a point already older than grace at its own
 * batch's acceptance is late there, counted here unless an earlier batch closed its minute), and a
 * subtask's watermark is the least of its partitions' (the aggregator judges each partition by its
 * own progress, so here the slowest partition delays every close). Neither makes a point of the
 * benchmark's input late. One grace per partition is assumed: the
 * watermark only moves forward, so where namespaces of different graces share a partition every
 * window there closes by the smallest grace.
 *
 * <p>A partition never goes idle by default, so every partition's progress holds back every window
 * (the aggregator's partitions close their windows each on its own). With {@code idleAfter} above 0,
 * a partition that has had no batch for that long (on Flink's input-activity clock, which stands still
 * only while the source is back-pressured) is marked idle and holds no one back. That is unsafe on a
 * backlog: the source drains the records of one partition after another, so a partition can wait
 * seconds for its turn while the others' progress closes its windows (a tenth of the benchmark's load
 * made 20% of the points late that way). With {@code followClock} an idle partition's progress
 * follows the clock less {@code idleAfter}, as the aggregator's does, so the windows still open when
 * the input ends close too; the aggregator does that only when its consumer's lag on the partition is
 * 0, which this generator cannot see, so it is for small or live input only.
 */
final class AcceptanceWatermarks implements WatermarkStrategy<Points> {

  static final long DEFAULT_GRACE_MS = 30_000;

  private final long idleAfterMs;
  private final boolean followClock;
  private final SerializableClock clock;

  /** The wall clock, serializable so the strategy can travel with the job. */
  interface SerializableClock extends LongSupplier, java.io.Serializable {}

  AcceptanceWatermarks(Duration idleAfter, boolean followClock, SerializableClock clock) {
    this.idleAfterMs = idleAfter.toMillis();
    this.followClock = followClock;
    this.clock = clock;
  }

  static AcceptanceWatermarks of(Duration idleAfter, boolean followClock) {
    return new AcceptanceWatermarks(idleAfter, followClock, System::currentTimeMillis);
  }

  /** The watermark a batch allows: its acceptance time (at most now) less its grace, less 1 ms. */
  static long watermarkOf(long receivedAtMs, long graceMs, long nowMs) {
    long grace = graceMs > 0 ? graceMs : DEFAULT_GRACE_MS;
    long accepted = receivedAtMs > 0 ? Math.min(receivedAtMs, nowMs) : nowMs;
    return accepted - grace - 1;
  }

  @Override
  public TimestampAssigner<Points> createTimestampAssigner(TimestampAssignerSupplier.Context context) {
    return (batch, kafkaTimestamp) -> batch.receivedAtMs; // each point gets its own in PointsOperator
  }

  @Override
  public WatermarkGenerator<Points> createWatermarkGenerator(WatermarkGeneratorSupplier.Context context) {
    return new Generator(context.getInputActivityClock(), idleAfterMs, followClock, clock);
  }

  static final class Generator implements WatermarkGenerator<Points> {
    private final RelativeClock activity;
    private final long idleAfterMs;
    private final boolean followClock;
    private final LongSupplier clock;
    private long watermark = Long.MIN_VALUE;
    private long graceMs = DEFAULT_GRACE_MS;
    private long lastBatchAt;
    private boolean idle;

    Generator(RelativeClock activity, long idleAfterMs, boolean followClock, LongSupplier clock) {
      this.activity = activity;
      this.idleAfterMs = idleAfterMs;
      this.followClock = followClock;
      this.clock = clock;
      this.lastBatchAt = activity.relativeTimeMillis();
    }

    /** A batch moves its partition's progress at once (the aggregator's moves with every batch). */
    @Override
    public void onEvent(Points batch, long timestamp, WatermarkOutput output) {
      lastBatchAt = activity.relativeTimeMillis();
      graceMs = batch.graceMs > 0 ? batch.graceMs : DEFAULT_GRACE_MS;
      long allowed = watermarkOf(batch.receivedAtMs, batch.graceMs, clock.getAsLong());
      if (allowed > watermark || idle) {
        watermark = Math.max(watermark, allowed);
        idle = false;
        output.emitWatermark(new Watermark(watermark));
      }
    }

    /** Idleness, and with {@code followClock} the clock's progress for an idle partition. */
    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
      if (idleAfterMs <= 0 || activity.relativeTimeMillis() - lastBatchAt < idleAfterMs) {
        return;
      }
      if (followClock) {
        long allowed = clock.getAsLong() - idleAfterMs - graceMs - 1;
        if (allowed > watermark) {
          watermark = allowed;
          output.emitWatermark(new Watermark(watermark));
        }
      } else if (!idle) {
        idle = true;
        output.markIdle();
      }
    }
  }
}
