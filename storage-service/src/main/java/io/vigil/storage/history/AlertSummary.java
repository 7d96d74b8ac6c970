package io.vigil.storage.history;

import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.common.model.NotificationRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How an alert's summary document follows its events: pure functions of the document as read, so a
 * write that lost a race is simply computed again.
 *
 * <p>Events apply in sequence order and only when newer than the summary's {@code sequence} (a
 * redelivered or replayed event changes nothing). The summary carries the newest event's fields,
 * whether the alert is {@code open} (FIRING or NO_DATA), when the current episode opened and when it
 * resolved, how many events it has seen, and a severity rank to sort "firing now" by (critical
 * first). An acknowledgement is kept until the alert resolves; a new episode starts unacknowledged.
 */
public final class AlertSummary {

  private AlertSummary() {}

  /** The severity rank sorted by: 0 critical, 1 warning, 2 info. */
  public static int rank(AlertEvent.Severity severity) {
    return switch (severity) {
      case CRITICAL -> 0;
      case WARNING -> 1;
      case INFO -> 2;
    };
  }

  /**
   * The summary after these events of one alert (in partition order); the same instance when none
   * of them is newer than the summary.
   */
  public static Map<String, Object> apply(Map<String, Object> summary, List<AlertEvent> events) {
    Map<String, Object> out = summary;
    for (AlertEvent e : events) {
      long seen = number(out.get("sequence"));
      if (e.sequence() <= seen) {
        continue;
      }
      if (out == summary) {
        out = new HashMap<>(summary);
      }
      boolean wasOpen = Boolean.TRUE.equals(out.get("open"));
      boolean open = e.status() != AlertStatus.RESOLVED;
      put(out, "schemaVersion", e.schemaVersion());
      put(out, "eventId", e.eventId());
      put(out, "alertKey", e.alertKey());
      put(out, "policyId", e.policyId());
      put(out, "policyVersion", e.policyVersion());
      put(out, "tenant", e.tenant());
      put(out, "namespace", e.namespace());
      put(out, "region", e.region());
      put(out, "metric", e.metric());
      put(out, "seriesId", e.seriesId() == 0 ? null : e.seriesId());
      put(out, "objectId", e.objectId());
      put(out, "dimensions", e.dimensions().isEmpty() ? null : e.dimensions());
      put(out, "status", e.status().name());
      put(out, "severity", e.severity().name());
      put(out, "severityRank", rank(e.severity()));
      put(out, "sequence", e.sequence());
      put(out, "value", e.value());
      put(out, "threshold", e.threshold());
      put(out, "summary", e.summary());
      put(out, "timestampMs", e.timestampMs());
      put(out, "periodSeconds", e.periodSeconds() == 0 ? null : e.periodSeconds());
      put(out, "windowStartMs", e.windowStartMs() == 0 ? null : e.windowStartMs());
      put(out, "shard", e.shard());
      put(out, "reason", e.reason());
      put(out, "open", open);
      put(out, "events", (int) number(out.get("events")) + 1);
      if (open && !wasOpen) {
        // a new episode: opened when it first fired (the detector's word) or now
        put(out, "openedAtMs", e.firstFiredAtMs() > 0 ? e.firstFiredAtMs() : e.timestampMs());
        put(out, "firstFiredAtMs", e.firstFiredAtMs() > 0 ? e.firstFiredAtMs() : e.timestampMs());
        put(out, "resolvedAtMs", null);
        if (number(out.get("acknowledgedAtMs")) < (long) out.get("openedAtMs")) {
          put(out, "acknowledgedAtMs", null);
          put(out, "acknowledgedBy", null);
        }
      } else if (!open) {
        put(out, "resolvedAtMs", e.timestampMs());
        if (e.firstFiredAtMs() > 0) {
          put(out, "firstFiredAtMs", e.firstFiredAtMs());
        }
      }
    }
    return out;
  }

  /**
   * The summary after an acknowledgement (a notification record with status ACKNOWLEDGED); the same
   * instance when it already holds an acknowledgement at least as new.
   */
  public static Map<String, Object> acknowledge(Map<String, Object> summary, NotificationRecord ack) {
    if (number(summary.get("acknowledgedAtMs")) >= ack.timestampMs()) {
      return summary;
    }
    Map<String, Object> out = new HashMap<>(summary);
    put(out, "alertKey", ack.alertKey());
    put(out, "tenant", ack.tenant());
    put(out, "region", ack.region());
    if (ack.policyId() != null) {
      out.putIfAbsent("policyId", ack.policyId());
    }
    put(out, "acknowledgedAtMs", ack.timestampMs());
    put(out, "acknowledgedBy", ack.recipient());
    return out;
  }

  private static void put(Map<String, Object> m, String key, Object value) {
    if (value == null) {
      m.remove(key);
    } else {
      m.put(key, value);
    }
  }

  private static long number(Object o) {
    return o instanceof Number n ? n.longValue() : 0L;
  }
}
