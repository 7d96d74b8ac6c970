package io.vigil.common.model;

import static io.vigil.common.model.Checks.*;

import java.util.Map;
import java.util.TreeMap;

/**
 * How far the aggregator has got on one partition of {@code metrics.raw}, sent on the rollup topic of
 * a shard beside that shard's rollups (header {@value #HEADER} = {@value #TYPE}, key {@code
 * ~progress-<sourcePartition>}), about once a second and whether or not the partition had points.
 * Every rollup of a window that ends at or before {@code closedThroughMs.get(period)} and belongs to a
 * series of that source partition was sent before this marker, on the same rollup partition. So a
 * reader can tell a quiet series (its window closed with no rollup) from a stalled pipeline (no
 * marker moving), by the pipeline's own progress and never by its wall clock.
 *
 * <p>Placement: when the rollup topic has as many partitions as {@code metrics.raw} ({@code
 * sourcePartitions}) the marker of source partition p goes to partition p only, which carries
 * exactly p's series; otherwise to every partition, and a reader takes the least progress over the
 * source partitions.
 *
 * @param watermarkMs the partition's progress: the latest gateway acceptance time seen (bounded by the
 *     aggregator's clock), or the clock less the idle allowance when the partition is idle
 * @param graceMs the largest grace of the namespaces seen on the partition: a window closes when the
 *     watermark passes its end + its namespace's grace
 * @param minGraceMs the smallest grace of the namespaces seen on the partition (0 when not stated, as
 *     from an older aggregator): no rollup sent before this marker is of a window ending after
 *     {@code watermarkMs - minGraceMs}, which is what a partition's next owner may have missed
 * @param closedThroughMs per period (seconds), the end of the newest window that is closed for every
 *     series of the partition: {@code floor((watermarkMs - graceMs) / period) * period}
 */
public record RollupProgress(
    @Required int schemaVersion,
    @Required String shard,
    @Required int sourcePartition,
    @Required int sourcePartitions,
    @Required long watermarkMs,
    long graceMs,
    long minGraceMs,
    @Required Map<Integer, Long> closedThroughMs,
    long emittedAtMs)
    implements VigilMessage {

  public static final String TYPE = "RollupProgress";
  public static final int SCHEMA_VERSION = 1;
  /** The header that tells a progress marker from a rollup on a rollup topic. */
  public static final String HEADER = "vigil-type";

  public RollupProgress {
    checkVersion(TYPE, schemaVersion, SCHEMA_VERSION);
    shard = Checks.shard(TYPE, "shard", shard);
    if (sourcePartition < 0 || sourcePartitions <= sourcePartition) {
      throw new InvalidRecordException(TYPE, "sourcePartition", "must be in 0 .. sourcePartitions - 1");
    }
    epochMs(TYPE, "watermarkMs", watermarkMs);
    nonNegative(TYPE, "graceMs", graceMs);
    nonNegative(TYPE, "minGraceMs", minGraceMs);
    present(TYPE, "closedThroughMs", closedThroughMs);
    for (Map.Entry<Integer, Long> e : closedThroughMs.entrySet()) {
      periods(TYPE, "closedThroughMs", java.util.Set.of(e.getKey()));
      if (e.getValue() == null || e.getValue() % (e.getKey() * 1000L) != 0) {
        throw new InvalidRecordException(TYPE, "closedThroughMs." + e.getKey(), "not aligned to the period");
      }
    }
    closedThroughMs = Map.copyOf(closedThroughMs);
    optionalEpochMs(TYPE, "emittedAtMs", emittedAtMs);
  }

  /**
   * The marker a partition at {@code watermarkMs} sends for {@code periods}, the graces of its
   * namespaces between {@code minGraceMs} and {@code graceMs}.
   */
  public static RollupProgress of(String shard, int sourcePartition, int sourcePartitions, long watermarkMs,
      long minGraceMs, long graceMs, Iterable<Integer> periods, long emittedAtMs) {
    Map<Integer, Long> closed = new TreeMap<>();
    for (int period : periods) {
      closed.put(period, closedThrough(watermarkMs, graceMs, period));
    }
    return new RollupProgress(SCHEMA_VERSION, shard, sourcePartition, sourcePartitions, watermarkMs, graceMs,
        minGraceMs, closed,
        emittedAtMs);
  }

  /**
   * The end of the newest window of {@code periodSeconds} that any rollup sent before this marker can
   * be of (a namespace of the smallest grace closes its windows first). Never before the closes.
   */
  public long sentThrough(int periodSeconds) {
    return closedThrough(watermarkMs, Math.min(minGraceMs, graceMs), periodSeconds);
  }

  /** The end of the newest window of {@code periodSeconds} closed at {@code watermarkMs} for every grace up to {@code graceMs}. */
  public static long closedThrough(long watermarkMs, long graceMs, int periodSeconds) {
    long p = periodSeconds * 1000L;
    return Math.floorDiv(watermarkMs - graceMs, p) * p;
  }

  /** The record key of source partition {@code p}'s markers: never a series key (16 hex digits). */
  public static String key(int sourcePartition) {
    return "~progress-" + sourcePartition;
  }

  @Override
  public long producedAtMs() {
    return emittedAtMs;
  }
}
