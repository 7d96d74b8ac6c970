package io.vigil.common.model;

import static io.vigil.common.model.Checks.*;

import java.util.Map;

/**
 * An event a product reported (a disk failure, a reboot, a ping loss), on {@code events.raw}
 * keyed by {@code objectId} so the events of one object stay in order.
 *
 * @param objectId the monitored object the event is about (an instance id, a volume id)
 * @param eventType the event type as registered in the namespace's access config
 * @param status {@code ABNORMAL} for an event that opens a problem, {@code RECOVERED} for one that
 *     closes it; events without recovery are always {@code ABNORMAL}
 * @param severity the product's own view ({@code CRITICAL}, {@code WARNING}, {@code INFO}); optional
 * @param payload small extra facts of the event, shown in notifications; optional
 * @param tenant the value of the namespace's tenant dimension, stated by the gateway
 */
public record ProductEvent(
    @Required int schemaVersion,
    @Required String eventId,
    @Required String namespace,
    @Required String region,
    @Required String eventType,
    @Required String objectId,
    @Required EventStatus status,
    Map<String, String> dimensions,
    String message,
    @Required long timestampMs,
    long receivedAtMs,
    String severity,
    Map<String, String> payload,
    String tenant)
    implements VigilMessage {

  public static final String TYPE = "ProductEvent";

  /** Accepted by the gateway then: the delay of a point is measured from its acceptance. */
  @Override
  public long producedAtMs() {
    return receivedAtMs;
  }
  public static final int SCHEMA_VERSION = 1;

  public enum EventStatus {
    ABNORMAL,
    RECOVERED
  }

  public ProductEvent {
    checkVersion(TYPE, schemaVersion, SCHEMA_VERSION);
    text(TYPE, "eventId", eventId);
    text(TYPE, "namespace", namespace);
    text(TYPE, "region", region);
    text(TYPE, "eventType", eventType);
    text(TYPE, "objectId", objectId);
    present(TYPE, "status", status);
    dimensions = checkMap(TYPE, "dimensions", dimensions);
    if (message != null && message.length() > 8 * MAX_TEXT) {
      throw new InvalidRecordException(TYPE, "message", "longer than " + 8 * MAX_TEXT + " characters");
    }
    epochMs(TYPE, "timestampMs", timestampMs);
    optionalEpochMs(TYPE, "receivedAtMs", receivedAtMs);
    if (severity != null && !java.util.Set.of("CRITICAL", "WARNING", "INFO").contains(severity)) {
      throw new InvalidRecordException(TYPE, "severity", "one of CRITICAL, WARNING, INFO");
    }
    payload = checkMap(TYPE, "payload", payload);
    optionalText(TYPE, "tenant", tenant);
  }
}
