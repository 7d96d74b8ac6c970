package io.vigil.common.testing;

import io.vigil.common.series.AlertIds;
import io.vigil.common.series.AlertKey;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.CmdbChange;
import io.vigil.common.model.ControlChange;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.model.NotificationRecord;
import io.vigil.common.model.ProductEvent;
import io.vigil.common.model.Rollup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A valid JSON sample of every message type with the list of its required fields, for contract
 * tests (drop a field, expect it named) and for the services' wiring tests.
 */
public final class Samples {

  /** One message type: a valid body as a field map, and the fields a reader must refuse to miss. */
  public record Sample(Class<?> type, Map<String, Object> fields, List<String> required) {

    public String json() {
      return Http.JSON.writeValueAsString(fields);
    }

    /** The same body without {@code field}. */
    public String jsonWithout(String field) {
      Map<String, Object> copy = new LinkedHashMap<>(fields);
      copy.remove(field);
      return Http.JSON.writeValueAsString(copy);
    }
  }

  private static final long T = 1_764_000_000_000L; // 2025-11-24T16:00:00Z, a whole minute
  /** The sample alert: policy p-1 on series 42. */
  public static final String ALERT_KEY = AlertKey.ofSeries("p-1", 42L).value();
  public static final String EVENT_ID = AlertIds.eventId(ALERT_KEY, 1);

  private Samples() {}

  public static Sample metricPoint() {
    return new Sample(MetricPoint.class, fields(
        "schemaVersion", 1, "seriesId", 42L, "namespace", "qce/cvm", "region", "ap-guangzhou",
        "metric", "cpu_usage", "dimensions", Map.of("appid", "1251763868", "vm_uuid", "ba53fdd0"),
        "timestampMs", T + 1500, "value", 37.5, "unit", "percent", "shard", "default", "receivedAtMs", T + 1600,
        "periods", List.of(60, 300), "graceMs", 30_000, "tenant", "1251763868"),
        List.of("schemaVersion", "seriesId", "namespace", "region", "metric", "timestampMs", "value"));
  }

  /**
   * A wiring case for {@code metrics.raw}: a valid encoded batch of one point, and one whose point's
   * value is not finite ({@code points[0].value}).
   */
  public static ConsumerWiringSupport.ConsumedTopic pointBatches() {
    Map<String, String> dims = Map.of("appid", "1251763868", "vm_uuid", "ba53fdd0");
    long id = io.vigil.common.series.SeriesId.of("qce/cvm", "ap-guangzhou", "cpu_usage", dims);
    io.vigil.common.points.PointBatchCodec.Writer valid = new io.vigil.common.points.PointBatchCodec.Writer(T + 1600,
        "qce/cvm", "ap-guangzhou", "default", java.util.Set.of(60, 300), 30_000);
    valid.add(id, "cpu_usage", "percent", "1251763868", dims, T + 1500, 37.5);
    io.vigil.common.points.PointBatchCodec.Writer invalid = new io.vigil.common.points.PointBatchCodec.Writer(T + 1600,
        "qce/cvm", "ap-guangzhou", "default", java.util.Set.of(60, 300), 30_000);
    invalid.add(id, "cpu_usage", "percent", "1251763868", dims, T + 1500, Double.NaN);
    return new ConsumerWiringSupport.ConsumedTopic("metrics.raw", valid.toBytes(), invalid.toBytes(),
        "points[0].value");
  }

  public static Sample productEvent() {
    return new Sample(ProductEvent.class, fields(
        "schemaVersion", 1, "eventId", "ev-1", "namespace", "qce/cvm", "region", "ap-guangzhou",
        "eventType", "disk_readonly", "objectId", "ins-1", "status", "ABNORMAL",
        "dimensions", Map.of("appid", "1251763868"), "message", "disk is read-only", "timestampMs", T,
        "receivedAtMs", T + 10),
        List.of("schemaVersion", "eventId", "namespace", "region", "eventType", "objectId", "status", "timestampMs"));
  }

  public static Sample rollup() {
    return new Sample(Rollup.class, fields(
        "schemaVersion", 1, "seriesId", 42L, "namespace", "qce/cvm", "region", "ap-guangzhou",
        "metric", "cpu_usage", "dimensions", Map.of("appid", "1251763868"), "shard", "default",
        "periodSeconds", 60, "windowStartMs", T, "sum", 75.0, "count", 2, "min", 30.0, "max", 45.0, "last", 45.0,
        "emittedAtMs", T + 70_000, "tenant", "1251763868"),
        List.of("schemaVersion", "seriesId", "namespace", "region", "metric", "periodSeconds", "windowStartMs",
            "sum", "count", "min", "max", "last"));
  }

  public static Sample alertEvent() {
    return new Sample(AlertEvent.class, fields(
        "schemaVersion", 1, "eventId", EVENT_ID, "alertKey", ALERT_KEY, "policyId", "p-1", "policyVersion", 3,
        "tenant", "1251763868", "namespace", "qce/cvm", "region", "ap-guangzhou", "metric", "cpu_usage",
        "seriesId", 42L, "dimensions", Map.of("vm_uuid", "ba53fdd0"), "status", "FIRING", "severity", "CRITICAL",
        "sequence", 1, "value", 97.0, "threshold", 90.0, "summary", "cpu_usage avg 97 > 90 for 3 periods",
        "firstFiredAtMs", T, "timestampMs", T, "periodSeconds", 60, "windowStartMs", T - 60_000, "shard", "default"),
        List.of("schemaVersion", "eventId", "alertKey", "policyId", "tenant", "namespace", "region", "status",
            "severity", "sequence", "timestampMs"));
  }

  public static Sample notificationRecord() {
    return new Sample(NotificationRecord.class, fields(
        "schemaVersion", 1, "notificationId", AlertIds.notificationId(EVENT_ID, "user-7", "EMAIL"), "eventId", EVENT_ID,
        "alertKey", ALERT_KEY,
        "tenant", "1251763868", "region", "ap-guangzhou", "policyId", "p-1", "recipient", "user-7", "channel", "EMAIL", "status", "SENT",
        "stage", "dispatch", "attempts", 1, "timestampMs", T, "alertStatus", "FIRING", "severity", "CRITICAL",
        "namespace", "qce/cvm", "source", "metric", "enrichmentDegraded", true, "escalationLevel", 1,
        "fellBackFrom", "SMS", "repeat", 0, "groupKey", "p-1:g:00000000000000ab"),
        List.of("schemaVersion", "notificationId", "eventId", "alertKey", "tenant", "region", "status", "stage",
            "timestampMs"));
  }

  public static Sample controlChange() {
    return new Sample(ControlChange.class, fields(
        "schemaVersion", 1, "type", "POLICY", "id", "p-1", "region", "ap-guangzhou", "tenant", "1251763868", "version", 3, "op", "UPSERT",
        "timestampMs", T),
        List.of("schemaVersion", "type", "id", "region", "version", "op", "timestampMs"));
  }

  public static Sample cmdbChange() {
    return new Sample(CmdbChange.class, fields(
        "schemaVersion", 1, "instance", "qce/cvm/ap-guangzhou/ins-1", "namespace", "qce/cvm",
        "region", "ap-guangzhou", "version", 7, "op", "UPSERT", "attributes", Map.of("name", "web-1"),
        "source", "product", "timestampMs", T, "instanceId", "ins-1", "tags", Map.of("team", "web"),
        "tenant", "1251763868"),
        List.of("schemaVersion", "instance", "namespace", "region", "version", "op", "timestampMs"));
  }

  public static List<Sample> all() {
    return List.of(metricPoint(), productEvent(), rollup(), alertEvent(), notificationRecord(), controlChange(),
        cmdbChange());
  }

  /** A wiring case for {@link ConsumerWiringSupport}: valid sample, and the sample missing its first required non-version field. */
  public static ConsumerWiringSupport.ConsumedTopic consumed(String topicBase, Sample sample) {
    String missing = sample.required().get(1);
    return new ConsumerWiringSupport.ConsumedTopic(topicBase, sample.json(), sample.jsonWithout(missing), missing);
  }

  private static Map<String, Object> fields(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
