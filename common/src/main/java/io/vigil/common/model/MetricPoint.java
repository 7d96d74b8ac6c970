package io.vigil.common.model;

import static io.vigil.common.model.Checks.*;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

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
    @JsonProperty(required = true) int schemaVersion,
    @JsonProperty(required = true) long seriesId,
    @JsonProperty(required = true) String namespace,
    @JsonProperty(required = true) String region,
    @JsonProperty(required = true) String metric,
    Map<String, String> dimensions,
    @JsonProperty(required = true) long timestampMs,
    @JsonProperty(required = true) double value,
    String unit,
    String shard,
    long receivedAtMs)
    implements VigilMessage {

  public static final String TYPE = "MetricPoint";
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
    shard = shard == null || shard.isBlank() ? "default" : optionalText(TYPE, "shard", shard);
    nonNegative(TYPE, "receivedAtMs", receivedAtMs);
  }
}
