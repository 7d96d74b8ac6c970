package io.vigil.notifier.render;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.MessageTemplate;
import io.vigil.common.model.AlertEvent;
import io.vigil.notifier.pipeline.Notice;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The data a template renders: the variables {@link MessageTemplate#SAMPLE_ALERT} declares (a saved
 * template was checked against that sample, so every variable it uses is here), filled from the
 * notice. Values are strings, maps and lists only; numbers are written plainly (93.5, not 9.35E1).
 */
public final class AlertModel {

  private AlertModel() {}

  public static Map<String, Object> of(Notice n) {
    AlertEvent e = n.event();
    AlertPolicy p = n.policy() == null ? null : n.policy().policy();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", e.status().name());
    m.put("severity", e.severity().name());
    m.put("policyId", e.policyId());
    m.put("policyName", p == null ? e.policyId() : p.name());
    m.put("tenant", e.tenant());
    m.put("namespace", e.namespace());
    m.put("region", e.region());
    m.put("metric", e.metric() == null ? "" : e.metric());
    m.put("value", number(e.value()));
    m.put("threshold", number(e.threshold()));
    m.put("period", e.periodSeconds() == 0 ? "" : Integer.toString(e.periodSeconds()));
    long starts = e.firstFiredAtMs() > 0 ? e.firstFiredAtMs() : e.timestampMs();
    m.put("startsAt", Instant.ofEpochMilli(starts).toString());
    m.put("endsAt", e.status() == AlertEvent.AlertStatus.RESOLVED ? Instant.ofEpochMilli(e.timestampMs()).toString()
        : "");
    m.put("alertKey", e.alertKey());
    m.put("summary", summary(e, p));
    m.put("runbookUrl", p == null || p.annotations().runbookUrl() == null ? "" : p.annotations().runbookUrl());
    Map<String, String> dims = new TreeMap<>(e.dimensions());
    m.put("dimensions", dims);
    List<Map<String, String>> list = new ArrayList<>(dims.size());
    dims.forEach((k, v) -> list.add(Map.of("key", k, "value", v)));
    m.put("dimensionList", list);
    m.put("labels", p == null ? Map.of() : p.labels());
    m.put("instance", n.instance());
    Notice.GroupInfo g = n.group();
    if (g == null) {
      m.put("alerts", List.of(element(e)));
      boolean resolved = e.status() == AlertEvent.AlertStatus.RESOLVED;
      m.put("alertCount", "1");
      m.put("firingCount", resolved ? "0" : "1");
      m.put("resolvedCount", resolved ? "1" : "0");
      m.put("moreAlerts", "0");
      m.put("grouped", false);
      m.put("groupText", "");
    } else {
      List<Map<String, Object>> examples = new ArrayList<>();
      long resolvedCount = g.tell().stream().filter(a -> a.status() == AlertEvent.AlertStatus.RESOLVED).count();
      for (AlertEvent a : g.tell()) {
        if (examples.size() == MAX_EXAMPLES) {
          break;
        }
        examples.add(element(a));
      }
      String groupText = text(g.labels());
      m.put("alerts", examples);
      m.put("alertCount", Integer.toString(g.tell().size()));
      m.put("firingCount", Integer.toString(g.openCount()));
      m.put("resolvedCount", Long.toString(resolvedCount));
      m.put("moreAlerts", Integer.toString(Math.max(0, g.tell().size() - MAX_EXAMPLES)));
      m.put("grouped", true);
      m.put("groupText", groupText);
      m.put("status", g.openCount() > 0 ? "FIRING" : "RESOLVED");
      m.put("summary", (g.repeat() ? "Still firing: " : "") + g.tell().size() + " alerts of "
          + m.get("policyName") + (groupText.isEmpty() ? "" : " (" + groupText + ")") + ": " + g.openCount()
          + " firing, " + resolvedCount + " resolved");
      m.put("endsAt", "");
    }
    m.put("enrichmentDegraded", n.enrichmentDegraded());
    m.put("ackUrl", "");
    if (n.currentValue() != null) {
      m.put("value", n.currentValue()); // a repeat tells the value now
    }
    m.put("valueAt", n.currentAtMs() > 0 ? Instant.ofEpochMilli(n.currentAtMs()).toString() : "");
    m.put("sparkline", n.sparkline() == null ? "" : n.sparkline());
    m.put("limitNote", n.limitNote() == null ? "" : n.limitNote());
    m.put("repeat", n.kind() == Notice.Kind.REPEAT ? Integer.toString(n.followUpNumber()) : "0");
    m.put("escalationLevel", Integer.toString(n.escalationLevel()));
    return m;
  }

  /** A group's message lists at most this many alerts; the rest are counted. */
  static final int MAX_EXAMPLES = 10;

  private static Map<String, Object> element(AlertEvent a) {
    Map<String, Object> el = new LinkedHashMap<>();
    Map<String, String> d = new TreeMap<>(a.dimensions());
    el.put("alertKey", a.alertKey());
    el.put("status", a.status().name());
    el.put("value", number(a.value()));
    el.put("dimensions", d);
    el.put("dimensionText", text(d));
    return el;
  }

  private static String text(Map<String, String> labels) {
    StringBuilder s = new StringBuilder();
    new TreeMap<>(labels).forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append('=').append(v));
    return s.toString();
  }

  /** The event's summary; else the policy's; else one line made of what the event says. */
  static String summary(AlertEvent e, AlertPolicy p) {
    if (e.summary() != null && !e.summary().isBlank()) {
      return e.summary();
    }
    if (p != null && p.annotations().summary() != null) {
      return p.annotations().summary();
    }
    StringBuilder s = new StringBuilder();
    s.append(e.metric() == null ? e.objectId() : e.metric());
    if (e.value() != null) {
      s.append(" is ").append(number(e.value()));
    }
    if (e.threshold() != null) {
      s.append(" (threshold ").append(number(e.threshold())).append(')');
    }
    return s.toString();
  }

  static String number(Double d) {
    if (d == null) {
      return "";
    }
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }
}
