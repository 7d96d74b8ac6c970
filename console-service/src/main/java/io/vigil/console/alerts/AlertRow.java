package io.vigil.console.alerts;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * One alert as the pages show it, read from storage's alert document; {@code shard} names the
 * detector that judged it (the one to ask for its checks).
 */
public record AlertRow(String alertKey, String tenant, String namespace, String region, String policyId,
    String metric, String severity, String status, Double value, Double threshold, String summary,
    long firstFiredAtMs, long timestampMs, int periodSeconds, long seriesId, String objectId,
    Map<String, String> dimensions, String acknowledgedBy, String shard) {

  public static AlertRow of(Map<String, Object> doc) {
    Map<String, String> dims = new TreeMap<>();
    if (doc.get("dimensions") instanceof Map<?, ?> m) {
      m.forEach((k, v) -> dims.put(String.valueOf(k), String.valueOf(v)));
    }
    return new AlertRow(text(doc, "alertKey"), text(doc, "tenant"), text(doc, "namespace"), text(doc, "region"),
        text(doc, "policyId"), text(doc, "metric"), text(doc, "severity"), text(doc, "status"),
        number(doc, "value"), number(doc, "threshold"), text(doc, "summary"), whole(doc, "firstFiredAtMs"),
        whole(doc, "timestampMs"), (int) whole(doc, "periodSeconds"), whole(doc, "seriesId"), text(doc, "objectId"),
        dims, text(doc, "acknowledgedBy"), text(doc, "shard"));
  }

  /** How long it has been firing, e.g. {@code 3h 12m}. */
  public String age(long nowMs) {
    return span(nowMs - (firstFiredAtMs > 0 ? firstFiredAtMs : timestampMs));
  }

  static String span(long ms) {
    Duration d = Duration.ofMillis(Math.max(0, ms));
    if (d.toDays() > 0) {
      return d.toDays() + "d " + d.toHoursPart() + "h";
    }
    if (d.toHours() > 0) {
      return d.toHours() + "h " + d.toMinutesPart() + "m";
    }
    if (d.toMinutes() > 0) {
      return d.toMinutes() + "m " + d.toSecondsPart() + "s";
    }
    return d.toSeconds() + "s";
  }

  public String severityClass() {
    return severity == null ? "sev-unknown" : "sev-" + severity.toLowerCase(java.util.Locale.ROOT);
  }

  private static String text(Map<String, Object> doc, String field) {
    Object v = doc.get(field);
    return v == null ? null : String.valueOf(v);
  }

  private static Double number(Map<String, Object> doc, String field) {
    return doc.get(field) instanceof Number n ? n.doubleValue() : null;
  }

  private static long whole(Map<String, Object> doc, String field) {
    Object v = doc.get(field);
    if (v instanceof Number n) {
      return n.longValue();
    }
    if (v instanceof String s) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }
}
