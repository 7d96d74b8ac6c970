package io.vigil.common.model;

import static io.vigil.common.model.Checks.*;

import java.util.Map;
import java.util.Set;

/**
 * One raw sample as the gateway accepted it, enriched from the access config, on
 * {@code metrics.raw} keyed by {@code seriesId}.
 *
 * @param seriesId the series identity computed by the gateway ({@code SeriesId}); consumers may
 *     recompute it, never invent another
 * @param shard the detection shard the namespace maps to ({@code default} unless configured)
 * @param receivedAtMs when the gateway accepted the point
 */
public record MetricPoint(
    @Required int schemaVersion,
    @Required long seriesId,
    @Required String namespace,
    @Required String region,
    @Required String metric,
    Map<String, String> dimensions,
    @Required long timestampMs,
    @Required double value,
    String unit,
    String shard,
    long receivedAtMs,
    Set<Integer> periods,
    long graceMs,
    String tenant)
    implements VigilMessage {

  public static final String TYPE = "MetricPoint";

  /** Accepted by the gateway then: the delay of a point is measured from its acceptance. */
  @Override
  public long producedAtMs() {
    return receivedAtMs;
  }
  public static final int SCHEMA_VERSION = 1;

  public MetricPoint {
    checkVersion(TYPE, schemaVersion, SCHEMA_VERSION);
    text(TYPE, "namespace", namespace);
    text(TYPE, "region", region);
    text(TYPE, "metric", metric);
    dimensions = checkMap(TYPE, "dimensions", dimensions);
    epochMs(TYPE, "timestampMs", timestampMs);
    finite(TYPE, "value", value);
    optionalText(TYPE, "unit", unit);
    shard = Checks.shard(TYPE, "shard", shard);
    optionalEpochMs(TYPE, "receivedAtMs", receivedAtMs);
    periods = Checks.periods(TYPE, "periods", periods);
    grace(TYPE, "graceMs", graceMs);
    optionalText(TYPE, "tenant", tenant);
  }
}
