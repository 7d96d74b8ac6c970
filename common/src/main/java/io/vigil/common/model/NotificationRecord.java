package io.vigil.common.model;

import static io.vigil.common.model.Checks.*;


/**
 * The final outcome of one notification, per recipient and channel where it got that far, on
 * {@code notify.records} keyed by {@code notificationId}. An alert event the pipeline ended before
 * routing (silenced, limited, converged) has one record with no recipient or channel.
 *
 * @param stage the pipeline stage that ended it (e.g. {@code silence}, {@code dispatch})
 * @param attempts delivery attempts made; 0 when it never reached dispatch
 * @param notificationId {@code AlertIds.notificationId(eventId, recipient, channel)}, sent to receivers
 *     as the idempotency header; for a record without recipient, derived with empty parts
 * @param reason a short machine-readable reason for a non-SENT status
 * @param alertStatus the alert event's status (FIRING, RESOLVED, NO_DATA)
 * @param severity the alert's severity
 * @param namespace the alert's namespace
 * @param source what raised the alert, as a word: {@code metric}, {@code event}, {@code watchdog}
 * @param enrichmentDegraded sent without (all of) the instance data: cmdb was slow or down
 * @param escalationLevel 0 for the first notification, n for the n-th escalation
 * @param fellBackFrom the channel that failed before this delivery, if it is a fallback
 * @param repeat 0 for the alert event's own notification, n for the n-th repeat while it stays open
 * @param groupKey the convergence group the event joined ({@code CONVERGED}) or the group a
 *     notification tells of; absent for alerts notified on their own
 */
public record NotificationRecord(
    @Required int schemaVersion,
    @Required String notificationId,
    @Required String eventId,
    @Required String alertKey,
    @Required String tenant,
    @Required String region,
    String policyId,
    String recipient,
    Channel channel,
    @Required NotificationStatus status,
    @Required String stage,
    int attempts,
    String reason,
    @Required long timestampMs,
    AlertEvent.AlertStatus alertStatus,
    AlertEvent.Severity severity,
    String namespace,
    String source,
    boolean enrichmentDegraded,
    int escalationLevel,
    Channel fellBackFrom,
    int repeat,
    String groupKey)
    implements VigilMessage {

  public static final String TYPE = "NotificationRecord";
  public static final int SCHEMA_VERSION = 1;

  public NotificationRecord {
    checkVersion(TYPE, schemaVersion, SCHEMA_VERSION);
    text(TYPE, "notificationId", notificationId);
    text(TYPE, "eventId", eventId);
    text(TYPE, "alertKey", alertKey);
    text(TYPE, "tenant", tenant);
    text(TYPE, "region", region);
    optionalText(TYPE, "policyId", policyId);
    optionalText(TYPE, "recipient", recipient);
    present(TYPE, "status", status);
    text(TYPE, "stage", stage);
    if (attempts < 0) {
      throw new InvalidRecordException(TYPE, "attempts", "must be >= 0");
    }
    optionalText(TYPE, "reason", reason);
    epochMs(TYPE, "timestampMs", timestampMs);
    optionalText(TYPE, "namespace", namespace);
    optionalWord(TYPE, "source", source);
    if (escalationLevel < 0) {
      throw new InvalidRecordException(TYPE, "escalationLevel", "must be >= 0");
    }
    optionalText(TYPE, "groupKey", groupKey);
    if (repeat < 0) {
      throw new InvalidRecordException(TYPE, "repeat", "must be >= 0");
    }
    if (fellBackFrom != null && fellBackFrom == channel) {
      throw new InvalidRecordException(TYPE, "fellBackFrom", "a fallback goes to another channel");
    }
  }
}
