package io.vigil.common.model;

import static io.vigil.common.model.Checks.*;

import io.vigil.common.series.AlertIds;
import io.vigil.common.series.AlertKey;
import java.util.Map;

/**
 * A change of one alert's state, on {@code alerts.events} keyed by {@code alertKey}; all events of
 * one alert share the key and carry an increasing {@code sequence}, so consumers can both keep
 * their order and drop a stale or repeated one.
 *
 * @param eventId {@link AlertIds#eventId}(alertKey, sequence): the same event always has the same id
 * @param alertKey {@link AlertKey}'s written form: {@code <policyId>:s:<series hex>} for metric
 *     alerts, {@code <policyId>:o:<objectId>} for event alerts
 * @param seriesId the series for metric alerts; {@code 0} for event alerts
 * @param objectId the object for event alerts; absent for metric alerts
 * @param value the observed statistic; absent for {@code NO_DATA}
 * @param threshold the condition's threshold; absent for event alerts
 * @param periodSeconds the rollup period the condition judged; 0 for event alerts
 * @param windowStartMs the first millisecond of the window that caused this transition; 0 if none
 * @param shard the detection shard that judged it
 * @param reason why it changed, as a word, for transitions not caused by data: e.g. {@code
 *     policy_disabled}, {@code policy_changed}, {@code policy_deleted}
 */
public record AlertEvent(
    @Required int schemaVersion,
    @Required String eventId,
    @Required String alertKey,
    @Required String policyId,
    long policyVersion,
    @Required String tenant,
    @Required String namespace,
    @Required String region,
    String metric,
    long seriesId,
    String objectId,
    Map<String, String> dimensions,
    @Required AlertStatus status,
    @Required Severity severity,
    @Required long sequence,
    Double value,
    Double threshold,
    String summary,
    long firstFiredAtMs,
    @Required long timestampMs,
    int periodSeconds,
    long windowStartMs,
    String shard,
    String reason)
    implements VigilMessage {

  public static final String TYPE = "AlertEvent";
  public static final int SCHEMA_VERSION = 1;

  public enum AlertStatus {
    FIRING,
    RESOLVED,
    NO_DATA
  }

  public enum Severity {
    CRITICAL,
    WARNING,
    INFO
  }

  public AlertEvent {
    checkVersion(TYPE, schemaVersion, SCHEMA_VERSION);
    text(TYPE, "eventId", eventId);
    text(TYPE, "alertKey", alertKey);
    AlertKey key;
    try {
      key = AlertKey.parse(alertKey);
    } catch (IllegalArgumentException e) {
      throw new InvalidRecordException(TYPE, "alertKey", e.getMessage());
    }
    text(TYPE, "policyId", policyId);
    if (!key.policyId().equals(policyId)) {
      throw new InvalidRecordException(TYPE, "alertKey", "names policy " + key.policyId() + ", not " + policyId);
    }
    nonNegative(TYPE, "policyVersion", policyVersion);
    text(TYPE, "tenant", tenant);
    text(TYPE, "namespace", namespace);
    text(TYPE, "region", region);
    optionalText(TYPE, "metric", metric);
    optionalText(TYPE, "objectId", objectId);
    if (seriesId == 0 && (objectId == null || objectId.isBlank())) {
      throw new InvalidRecordException(TYPE, "seriesId", "either seriesId or objectId is required");
    }
    dimensions = checkMap(TYPE, "dimensions", dimensions);
    present(TYPE, "status", status);
    present(TYPE, "severity", severity);
    if (sequence <= 0) {
      throw new InvalidRecordException(TYPE, "sequence", "must be > 0");
    }
    if (!eventId.equals(AlertIds.eventId(alertKey, sequence))) {
      throw new InvalidRecordException(TYPE, "eventId", "is not AlertIds.eventId(alertKey, sequence)");
    }
    optionalFinite(TYPE, "value", value);
    optionalFinite(TYPE, "threshold", threshold);
    if (summary != null && summary.length() > 4 * MAX_TEXT) {
      throw new InvalidRecordException(TYPE, "summary", "longer than " + 4 * MAX_TEXT + " characters");
    }
    optionalEpochMs(TYPE, "firstFiredAtMs", firstFiredAtMs);
    epochMs(TYPE, "timestampMs", timestampMs);
    if (periodSeconds < 0) {
      throw new InvalidRecordException(TYPE, "periodSeconds", "must be >= 0");
    }
    optionalEpochMs(TYPE, "windowStartMs", windowStartMs);
    shard = Checks.shard(TYPE, "shard", shard);
    optionalWord(TYPE, "reason", reason);
  }
}
