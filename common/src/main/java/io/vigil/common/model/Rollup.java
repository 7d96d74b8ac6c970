package io.vigil.common.model;

import static io.vigil.common.model.Checks.*;

import java.util.Map;

/**
 * The statistics of one series over one event-time window, on {@code metrics.rollup.<shard>} keyed
 * by {@code seriesId}. Windows are aligned to the epoch: {@code windowStartMs} is a multiple of the
 * period. {@code avg} is derived, never stored: {@code sum / count}.
 */
public record Rollup(
    @Required int schemaVersion,
    @Required long seriesId,
    @Required String namespace,
    @Required String region,
    @Required String metric,
    Map<String, String> dimensions,
    String shard,
    @Required int periodSeconds,
    @Required long windowStartMs,
    @Required double sum,
    @Required long count,
    @Required double min,
    @Required double max,
    @Required double last,
    long emittedAtMs,
    String tenant)
    implements VigilMessage {

  public static final String TYPE = "Rollup";

  /** Emitted when its window closed: the delay of a rollup is measured from its emission. */
  @Override
  public long producedAtMs() {
    return emittedAtMs;
  }
  public static final int SCHEMA_VERSION = 1;

  public Rollup {
    checkVersion(TYPE, schemaVersion, SCHEMA_VERSION);
    text(TYPE, "namespace", namespace);
    text(TYPE, "region", region);
    text(TYPE, "metric", metric);
    dimensions = checkMap(TYPE, "dimensions", dimensions);
    shard = Checks.shard(TYPE, "shard", shard);
    if (periodSeconds <= 0) {
      throw new InvalidRecordException(TYPE, "periodSeconds", "must be > 0");
    }
    epochMs(TYPE, "windowStartMs", windowStartMs);
    if (windowStartMs % (periodSeconds * 1000L) != 0) {
      throw new InvalidRecordException(TYPE, "windowStartMs", "not aligned to the " + periodSeconds + "s period");
    }
    checkStatistics(sum, count, min, max, last);
    optionalEpochMs(TYPE, "emittedAtMs", emittedAtMs);
    optionalText(TYPE, "tenant", tenant);
  }

  /**
   * The checks a rollup's statistics pass, apart from the record for a writer that builds its JSON
   * without one (the aggregator's): finite values, a count, min no greater than max.
   */
  public static void checkStatistics(double sum, long count, double min, double max, double last) {
    finite(TYPE, "sum", sum);
    if (count <= 0) {
      throw new InvalidRecordException(TYPE, "count", "must be > 0");
    }
    finite(TYPE, "min", min);
    finite(TYPE, "max", max);
    finite(TYPE, "last", last);
    if (min > max) {
      throw new InvalidRecordException(TYPE, "min", "greater than max");
    }
  }

  public double avg() {
    return sum / count;
  }

  public long windowEndMs() {
    return windowStartMs + periodSeconds * 1000L;
  }
}
