package io.vigil.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.common.model.AlertEvent.Severity;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.model.Rollup;
import io.vigil.common.series.AlertIds;
import io.vigil.common.series.AlertKey;
import io.vigil.common.series.SeriesId;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.VigilTestInitializer;
import io.vigil.storage.rollup.RollupIndices;
import java.io.ByteArrayInputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The query API over data written through the service's own consumers (StorageServiceIT's
 * context), with answers computed by hand: downsampling (avg = Σsum/Σcount, last of the latest
 * window), filters with common's functions, late points added and marked, tenant scoping for every
 * route, open alerts most severe first, and every route in /v3/api-docs answering bad input with a
 * 4xx problem, never a 5xx.
 */
@VigilServiceTest
@TestPropertySource(properties = "vigil.kafka.shards=default,big-product")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryApiIT {

  static final String NS = "qapi/vm";
  static final long T0 = 1_765_238_400_000L; // 2025-12-09T00:00:00Z, a multiple of 120 s
  static final double[] SUMS_A = {10, 20, 30, 40};

  @LocalServerPort
  int port;

  @Autowired
  ElasticsearchClient client;

  @Autowired
  RollupIndices rollups;

  @Autowired
  MeterRegistry registry;

  Http http;
  final MessageCodec codec = new MessageCodec();
  long seriesA;
  long seriesB;
  long seriesC;
  String alertT1Warning;
  String alertT1Critical;

  static Map<String, String> dims(String tenant, String host) {
    return Map.of("appid", tenant, "host", host);
  }

  static Rollup rollup(long series, String tenant, String host, long windowStartMs, double sum) {
    return new Rollup(Rollup.SCHEMA_VERSION, series, NS, "local", "cpu", dims(tenant, host), "default", 60,
        windowStartMs, sum, 2, sum / 4, sum / 2, sum / 3, windowStartMs + 65_000, tenant);
  }

  static AlertEvent event(String key, String tenant, Severity severity, long at) {
    return new AlertEvent(1, AlertIds.eventId(key, 1), key, AlertKey.parse(key).policyId(), 1, tenant, NS, "local",
        "cpu", AlertKey.parse(key).seriesId(), null, dims(tenant, "a"), AlertStatus.FIRING, severity, 1, 95.0, 90.0,
        "cpu high", at, at, 60, at - 60_000, "default", null);
  }

  @BeforeAll
  void data() {
    http = new Http(port);
    seriesA = SeriesId.of(NS, "local", "cpu", dims("t1", "a"));
    seriesB = SeriesId.of(NS, "local", "cpu", dims("t1", "b"));
    seriesC = SeriesId.of(NS, "local", "cpu", dims("t2", "c"));
    for (int w = 0; w < 4; w++) {
      long at = T0 + w * 60_000L;
      send(rollup(seriesA, "t1", "a", at, SUMS_A[w]));
      send(rollup(seriesB, "t1", "b", at, 1));
      send(rollup(seriesC, "t2", "c", at, 100));
    }
    MetricPoint late = new MetricPoint(1, seriesA, NS, "local", "cpu", dims("t1", "a"), T0 + 30_000, 100, null,
        "default", T0 + 600_000, Set.of(60), 5_000, "t1");
    TestKafka.send("metrics.late", SeriesId.key(seriesA), codec.encode(late));

    alertT1Warning = AlertKey.ofSeries("qp-1", seriesA).value();
    alertT1Critical = AlertKey.ofSeries("qp-2", seriesB).value();
    String alertT2 = AlertKey.ofSeries("qp-3", seriesC).value();
    sendEvent(event(alertT1Warning, "t1", Severity.WARNING, T0));
    sendEvent(event(alertT1Critical, "t1", Severity.CRITICAL, T0 + 60_000));
    sendEvent(event(alertT2, "t2", Severity.CRITICAL, T0));

    Awaits.until("every series and the late point queryable", Duration.ofSeconds(60), () -> {
      JsonNode r = Http.json(query(VigilTestInitializer.SERVICE_KEY, body(4, "avg", "[]")));
      return r.path("series").size() == 3 && r.path("series").get(0).path("points").size() == 4
          && r.path("series").get(0).path("points").get(0).path("late").asBoolean(false)
          && open(VigilTestInitializer.SERVICE_KEY, "").path("items").size() == 3;
    });
  }

  void send(Rollup r) {
    TestKafka.send("metrics.rollup.default", SeriesId.key(r.seriesId()), codec.encode(r));
  }

  void sendEvent(AlertEvent e) {
    TestKafka.send("alerts.events", e.alertKey(), codec.encode(e));
  }

  static String body(int maxPoints, String stat, String filters) {
    return "{\"namespace\":\"" + NS + "\",\"metric\":\"cpu\",\"period\":60,\"statistic\":\"" + stat
        + "\",\"fromMs\":" + T0 + ",\"toMs\":" + (T0 + 240_000) + ",\"maxPoints\":" + maxPoints + ",\"filters\":"
        + filters + "}";
  }

  HttpResponse<String> post(String key, String path, String json) {
    HttpRequest.Builder b = http.request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return http.send(b.build());
  }

  HttpResponse<String> get(String key, String path) {
    return http.send(http.request(path).header("Authorization", "Bearer " + key).GET().build());
  }

  HttpResponse<String> query(String key, String json) {
    return post(key, "/v1/series/query", json);
  }

  JsonNode open(String key, String params) {
    return Http.json(get(key, "/v1/alerts/open?namespace=" + URLEncoder.encode(NS, StandardCharsets.UTF_8) + params));
  }

  JsonNode seriesOf(JsonNode result, long id) {
    for (JsonNode s : result.path("series")) {
      if (s.path("seriesId").asString().equals(SeriesId.hex(id))) {
        return s;
      }
    }
    return null;
  }

  @Test
  void downsamplesBySumOverCountAndAddsLatePoints() {
    HttpResponse<String> r = query(VigilTestInitializer.SERVICE_KEY, body(2, "avg", "[]"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode a = seriesOf(Http.json(r), seriesA);
    assertThat(Http.json(r).path("stepMs").asLong()).isEqualTo(120_000);
    assertThat(a.path("points").size()).isEqualTo(2);
    // step 1: windows 0 and 1 (Σsum 30, Σcount 4) plus the late point 100: 130 / 5
    assertThat(a.path("points").get(0).path("t").asLong()).isEqualTo(T0);
    assertThat(a.path("points").get(0).path("v").asDouble()).isCloseTo(26.0, within(1e-9));
    assertThat(a.path("points").get(0).path("late").asBoolean()).isTrue();
    // step 2: windows 2 and 3: 70 / 4, no late point
    assertThat(a.path("points").get(1).path("v").asDouble()).isCloseTo(17.5, within(1e-9));
    assertThat(a.path("points").get(1).has("late")).isFalse();

    JsonNode last = seriesOf(Http.json(query(VigilTestInitializer.SERVICE_KEY, body(2, "last", "[]"))), seriesA);
    assertThat(last.path("points").get(0).path("v").asDouble()).as("last of window 1").isCloseTo(20.0 / 3,
        within(1e-9));
    JsonNode max = seriesOf(Http.json(query(VigilTestInitializer.SERVICE_KEY, body(2, "max", "[]"))), seriesA);
    assertThat(max.path("points").get(0).path("v").asDouble()).as("the late point is the max").isEqualTo(100.0);
    assertThat(max.path("points").get(1).path("v").asDouble()).isEqualTo(20.0);
    JsonNode count = seriesOf(Http.json(query(VigilTestInitializer.SERVICE_KEY, body(4, "count", "[]"))), seriesA);
    assertThat(count.path("points").get(1).path("v").asDouble()).isEqualTo(2.0);
  }

  @Test
  void countsComeFromDocCountsAndDocumentsWithoutThemAreReadByTheirCount() throws Exception {
    Counter recounted = registry.get("vigil_storage_series_recounted_total").counter();
    double before = recounted.count();
    JsonNode count = seriesOf(Http.json(query(VigilTestInitializer.SERVICE_KEY, body(4, "count", "[]"))), seriesB);
    assertThat(count.path("points").size()).isEqualTo(4);
    count.path("points").forEach(p -> assertThat(p.path("v").asDouble()).isEqualTo(2.0));
    assertThat(recounted.count()).as("rollups indexed by this service carry _doc_count").isEqualTo(before);

    // a series of another metric: two windows written as documents were before _doc_count (counts 5 and
    // 3, one point each for Elasticsearch), two through the consumer (count 2 each)
    long legacy = SeriesId.of(NS, "local", "cpu_legacy", dims("t1", "old"));
    double[] sums = {50, 30, 8, 4};
    long[] counts = {5, 3, 2, 2};
    for (int w = 0; w < 4; w++) {
      long at = T0 + w * 60_000L;
      Rollup r = new Rollup(Rollup.SCHEMA_VERSION, legacy, NS, "local", "cpu_legacy", dims("t1", "old"), "default",
          60, at, sums[w], counts[w], 1, sums[w], 1, at + 65_000, "t1");
      if (w < 2) {
        String index = rollups.indexFor(60, at);
        client.index(i -> i.index(index).id(RollupIndices.documentId(legacy, 60, at))
            .withJson(new ByteArrayInputStream(codec.encode(r))).refresh(Refresh.True));
      } else {
        send(r);
      }
    }
    // and a late point in a fifth window no rollup has
    MetricPoint late = new MetricPoint(1, legacy, NS, "local", "cpu_legacy", dims("t1", "old"), T0 + 250_000, 7, null,
        "default", T0 + 900_000, Set.of(60), 5_000, "t1");
    TestKafka.send("metrics.late", SeriesId.key(legacy), codec.encode(late));
    String legacyBody = body(5, "count", "[]").replace("\"cpu\"", "\"cpu_legacy\"")
        .replace("\"toMs\":" + (T0 + 240_000), "\"toMs\":" + (T0 + 300_000));
    Awaits.until("the legacy series' four windows and the late point", Duration.ofSeconds(30), () ->
        Http.json(query(VigilTestInitializer.SERVICE_KEY, legacyBody)).path("series").path(0).path("points")
            .size() == 5);
    double recountedBefore = recounted.count();
    JsonNode points = Http.json(query(VigilTestInitializer.SERVICE_KEY, legacyBody)).path("series").path(0)
        .path("points");
    for (int w = 0; w < 4; w++) {
      assertThat(points.get(w).path("v").asDouble()).as("count of window %d", w).isEqualTo((double) counts[w]);
      assertThat(points.get(w).has("late")).isFalse();
    }
    assertThat(points.get(4).path("t").asLong()).isEqualTo(T0 + 240_000);
    assertThat(points.get(4).path("v").asDouble()).as("a step only a late point fills").isEqualTo(1.0);
    assertThat(points.get(4).path("late").asBoolean()).isTrue();
    assertThat(recounted.count()).isEqualTo(recountedBefore + 1);
    JsonNode lastPoints = Http.json(query(VigilTestInitializer.SERVICE_KEY, legacyBody.replace("\"count\"",
        "\"last\""))).path("series").path(0).path("points");
    assertThat(lastPoints.size()).as("a late point has no last: its step is left out").isEqualTo(4);
    JsonNode avg = Http.json(query(VigilTestInitializer.SERVICE_KEY, body(2, "avg", "[]")
        .replace("\"cpu\"", "\"cpu_legacy\""))).path("series").path(0).path("points");
    assertThat(avg.get(0).path("v").asDouble()).as("(50 + 30) / (5 + 3)").isCloseTo(10.0, within(1e-9));
    assertThat(avg.get(1).path("v").asDouble()).as("(8 + 4) / (2 + 2)").isCloseTo(3.0, within(1e-9));
  }

  @Test
  void filtersMeanWhatTheyMeanInPoliciesAndTenantsSeeOnlyTheirOwn() {
    String regex = "[{\"Function\":\"Regex\",\"Field\":\"host\",\"Args\":\"a|c\"}]";
    JsonNode all = Http.json(query(VigilTestInitializer.SERVICE_KEY, body(4, "avg", regex)));
    assertThat(ids(all)).containsExactlyInAnyOrder(SeriesId.hex(seriesA), SeriesId.hex(seriesC));
    JsonNode t1 = Http.json(query(VigilTestInitializer.T1_OPERATOR_KEY, body(4, "avg", regex)));
    assertThat(ids(t1)).containsExactly(SeriesId.hex(seriesA));
    String otherTenant = "[{\"Function\":\"Equal\",\"Field\":\"appid\",\"Args\":\"t1\"}]";
    assertThat(ids(Http.json(query(VigilTestInitializer.T2_OPERATOR_KEY, body(4, "avg", otherTenant)))))
        .as("a token of t2 asking for t1's appid gets nothing").isEmpty();
    String notIn = "[{\"Function\":\"NotIn\",\"Field\":\"host\",\"Args\":[\"a\",\"b\"]}]";
    assertThat(ids(Http.json(query(VigilTestInitializer.SERVICE_KEY, body(4, "avg", notIn)))))
        .containsExactly(SeriesId.hex(seriesC));

    String window = "{\"period\":60,\"windowStartMs\":" + (T0 + 60_000) + ",\"seriesIds\":[\"" + SeriesId.hex(seriesA)
        + "\",\"" + SeriesId.hex(seriesC) + "\",\"00000000000000ff\"]}";
    JsonNode values = Http.json(post(VigilTestInitializer.SERVICE_KEY, "/v1/series/window", window)).path("values");
    assertThat(values.size()).isEqualTo(2);
    assertThat(values.path(SeriesId.hex(seriesA)).path("avg").asDouble()).isEqualTo(10.0);
    assertThat(Http.json(post(VigilTestInitializer.T1_OPERATOR_KEY, "/v1/series/window", window)).path("values")
        .propertyNames()).containsExactly(SeriesId.hex(seriesA));
  }

  @Test
  void openAlertsAreMostSevereFirstAndScopedToTheTenant() {
    JsonNode t1 = open(VigilTestInitializer.T1_OPERATOR_KEY, "");
    assertThat(t1.path("items").size()).isEqualTo(2);
    assertThat(t1.path("items").get(0).path("alertKey").asString()).isEqualTo(alertT1Critical);
    assertThat(t1.path("items").get(1).path("alertKey").asString()).isEqualTo(alertT1Warning);
    assertThat(open(VigilTestInitializer.T1_OPERATOR_KEY, "&severity=WARNING").path("items").size()).isEqualTo(1);
    assertThat(open(VigilTestInitializer.T2_OPERATOR_KEY, "").path("items").size()).isEqualTo(1);
    assertThat(open(VigilTestInitializer.T2_OPERATOR_KEY, "&tenant=t1").path("items").size())
        .as("naming another tenant finds nothing").isZero();
    JsonNode events = Http.json(get(VigilTestInitializer.T1_OPERATOR_KEY, "/v1/alerts/events?fromMs=" + T0
        + "&toMs=" + (T0 + 3_600_000) + "&namespace=" + URLEncoder.encode(NS, StandardCharsets.UTF_8)
        + "&dimension=host:a"));
    assertThat(events.path("total").asLong()).isEqualTo(2);
  }

  @Test
  void badInputIsAProblemNamingTheField() {
    HttpResponse<String> r = query(VigilTestInitializer.SERVICE_KEY, "{\"metric\":\"cpu\",\"period\":61,"
        + "\"fromMs\":5,\"toMs\":1,\"maxPoints\":0,\"filters\":[{\"Function\":\"Like\",\"Field\":\"x\",\"Args\":\"y\"}]}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    List<String> fields = new ArrayList<>();
    Http.json(r).path("errors").forEach(e -> fields.add(e.path("field").asString()));
    assertThat(fields).contains("namespace", "period", "toMs", "maxPoints", "filters[0].Function");
    assertThat(post(null, "/v1/series/query", body(4, "avg", "[]")).statusCode()).isEqualTo(401);
    HttpResponse<String> tooLong = get(VigilTestInitializer.SERVICE_KEY, "/v1/notifications?fromMs=0&toMs="
        + (T0 + 1));
    assertThat(tooLong.statusCode()).isEqualTo(400);
    assertThat(tooLong.body()).contains("toMs");
  }

  @Test
  void aQueryOverTheTotalPointsAOneQueryMayReadIsRefused() {
    // three series x 11,001 steps (a week of minutes and a few days more) is over the tests' 20,000
    String week = body(11_000, "avg", "[]").replace("\"toMs\":" + (T0 + 240_000),
        "\"toMs\":" + (T0 + 11_000 * 60_000L));
    HttpResponse<String> r = query(VigilTestInitializer.SERVICE_KEY, week);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(r.body()).contains("maxPoints").contains("3 series x 11001 steps");
    // the same range in 5,000 points a series is within it
    HttpResponse<String> fewer = query(VigilTestInitializer.SERVICE_KEY, week.replace("\"maxPoints\":11000",
        "\"maxPoints\":5000"));
    assertThat(fewer.statusCode()).as(fewer.body()).isEqualTo(200);
    assertThat(Http.json(fewer).path("series").size()).isEqualTo(3);
  }

  @Test
  void everyRouteIsDocumentedAndNoBadInputMakesA5xx() {
    JsonNode paths = Http.json(get(VigilTestInitializer.SERVICE_KEY, "/v3/api-docs")).path("paths");
    List<String> documented = new ArrayList<>(paths.propertyNames());
    assertThat(documented).contains("/v1/series/query", "/v1/series/window", "/v1/alerts/open", "/v1/alerts/events",
        "/v1/notifications");
    List<String> failures = new ArrayList<>();
    String[] junk = {"x", "-1", "99999999999999999999", "", "%00", "1e400", "[]"};
    for (String path : documented) {
      if (!path.startsWith("/v1/")) {
        continue;
      }
      for (String method : paths.path(path).propertyNames()) {
        JsonNode op = paths.path(path).path(method);
        assertThat(op.path("responses").has("400")).as("problem responses of %s %s", method, path).isTrue();
        if (method.equals("post")) {
          assertThat(op.path("requestBody").path("content").path("application/json").path("schema").isMissingNode())
              .as("request schema of %s", path).isFalse();
          for (String body : new String[] {"", "{}", "[]", "null", "{\"period\":\"x\"}", "{\"seriesIds\":[1,{}]}",
              "{\"filters\":[null,1]}", "{\"namespace\":{}}"}) {
            check(failures, path, body, post(VigilTestInitializer.SERVICE_KEY, path, body), true);
          }
        } else {
          for (JsonNode p : op.path("parameters")) {
            for (String v : junk) {
              String q = path + "?" + p.path("name").asString() + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8);
              // a free-text filter may match nothing (200); a bad number or word is a 4xx problem
              check(failures, q, "", get(VigilTestInitializer.SERVICE_KEY, q), false);
            }
          }
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  private static void check(List<String> failures, String what, String body, HttpResponse<String> r,
      boolean mustRefuse) {
    if (r.statusCode() < 400 && !mustRefuse) {
      return;
    }
    if (r.statusCode() >= 500 || r.statusCode() < 400) {
      failures.add(what + " " + body + " -> " + r.statusCode() + " " + r.body());
    } else if (!r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
      failures.add(what + " " + body + " -> not problem+json");
    }
  }

  private static List<String> ids(JsonNode result) {
    List<String> out = new ArrayList<>();
    result.path("series").forEach(s -> out.add(s.path("seriesId").asString()));
    return out;
  }
}
