package io.vigil.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.Rollup;
import io.vigil.common.series.SeriesId;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.VigilTestInitializer;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The Prometheus-compatible API against known rollups (StorageServiceIT's context), with the
 * requests Grafana's Prometheus data source makes (its health check {@code 1+1}, buildinfo,
 * metadata, labels and {@code label/__name__/values} with {@code match[]}, {@code query_range} with
 * a fractional step), each as GET and as form POST, and values computed by hand.
 */
@VigilServiceTest
@TestPropertySource(properties = "vigil.kafka.shards=default,big-product")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PromApiIT {

  static final String NS = "prom/vm";
  static final long T1 = 1_765_324_800_000L; // 2025-12-10T00:00:00Z
  static final long S = T1 / 1000;
  static final String SEL = "cpu{namespace=\"" + NS + "\"}";

  @LocalServerPort
  int port;

  Http http;
  final MessageCodec codec = new MessageCodec();

  static Rollup rollup(String tenant, String host, long windowStartMs, double sum) {
    Map<String, String> dims = Map.of("appid", tenant, "host", host);
    return new Rollup(Rollup.SCHEMA_VERSION, SeriesId.of(NS, "local", "cpu", dims), NS, "local", "cpu", dims,
        "default", 60, windowStartMs, sum, 2, sum / 4, sum / 2, sum / 3, windowStartMs + 65_000, tenant);
  }

  @BeforeAll
  void data() {
    http = new Http(port);
    for (int w = 0; w < 4; w++) {
      long at = T1 + w * 60_000L;
      send(rollup("t1", "h1", at, 10 * (w + 1))); // avg 5, 10, 15, 20
      send(rollup("t1", "h2", at, 2)); // avg 1
      send(rollup("t2", "h3", at, 100)); // avg 50
    }
    Awaits.until("the three series queryable", Duration.ofSeconds(60), () -> {
      JsonNode r = range(VigilTestInitializer.SERVICE_KEY, "GET", SEL, S, S + 180, "60");
      return r.path("data").path("result").size() == 3
          && r.path("data").path("result").get(0).path("values").size() == 4;
    });
  }

  void send(Rollup r) {
    TestKafka.send("metrics.rollup.default", SeriesId.key(r.seriesId()), codec.encode(r));
  }

  HttpResponse<String> call(String key, String method, String path, String params) {
    HttpRequest.Builder b;
    if (method.equals("GET")) {
      b = http.request(path + (params.isEmpty() ? "" : "?" + params)).GET();
    } else {
      b = http.request(path).header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(params));
    }
    return http.send(b.header("Authorization", "Bearer " + key).build());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  JsonNode range(String key, String method, String query, long start, long end, String step) {
    return Http.json(call(key, method, "/api/v1/query_range", "query=" + enc(query) + "&start=" + start + "&end="
        + end + "&step=" + step));
  }

  static Map<String, List<String>> byHost(JsonNode r) {
    Map<String, List<String>> out = new java.util.TreeMap<>();
    for (JsonNode s : r.path("data").path("result")) {
      List<String> values = new ArrayList<>();
      s.path("values").forEach(v -> values.add(v.get(0).asString() + "=" + v.get(1).asString()));
      out.put(s.path("metric").path("host").asString(s.path("metric").toString()), values);
    }
    return out;
  }

  @Test
  void grafanasHealthCheckBuildinfoAndMetadata() {
    for (String method : List.of("GET", "POST")) {
      JsonNode health = Http.json(call(VigilTestInitializer.SERVICE_KEY, method, "/api/v1/query",
          "query=1%2B1&time=" + S + ".123"));
      assertThat(health.path("status").asString()).isEqualTo("success");
      assertThat(health.path("data").path("resultType").asString()).isEqualTo("scalar");
      assertThat(health.path("data").path("result").get(1).asString()).isEqualTo("2");
      assertThat(health.path("data").path("result").get(0).asDouble()).isEqualTo(S + 0.123);
      assertThat(Http.json(call(VigilTestInitializer.SERVICE_KEY, method, "/api/v1/status/buildinfo", ""))
          .path("data").path("version").asString()).isNotBlank();
      assertThat(Http.json(call(VigilTestInitializer.SERVICE_KEY, method, "/api/v1/metadata", ""))
          .path("status").asString()).isEqualTo("success");
    }
  }

  @Test
  void selectorsAggregationsAndOffsetAgainstHandComputedValues() {
    for (String method : List.of("GET", "POST")) {
      JsonNode r = range(VigilTestInitializer.SERVICE_KEY, method, SEL, S, S + 180, "60");
      assertThat(r.path("data").path("resultType").asString()).isEqualTo("matrix");
      assertThat(byHost(r).get("h1")).containsExactly(S + "=5", (S + 60) + "=10", (S + 120) + "=15",
          (S + 180) + "=20");
      JsonNode h1 = r.path("data").path("result").get(0).path("metric");
      assertThat(h1.path("__name__").asString()).isEqualTo("cpu");
      assertThat(h1.path("namespace").asString()).isEqualTo(NS);

      assertThat(byHost(range(VigilTestInitializer.SERVICE_KEY, method, "sum(" + SEL + ")", S, S + 180, "60"))
          .values()).containsExactly(List.of(S + "=56", (S + 60) + "=61", (S + 120) + "=66", (S + 180) + "=71"));
      assertThat(byHost(range(VigilTestInitializer.SERVICE_KEY, method, "max by (appid) (" + SEL + ")", S, S, "60"))
          .values()).containsExactlyInAnyOrder(List.of(S + "=5"), List.of(S + "=50"));
      assertThat(byHost(range(VigilTestInitializer.SERVICE_KEY, method,
          "cpu:min_60s{namespace=\"" + NS + "\",host=\"h1\"} offset 1m", S + 60, S + 120, "60")).get("h1"))
          .as("min = sum/4, one minute earlier").containsExactly((S + 60) + "=2.5", (S + 120) + "=5");
      // Grafana's fractional step: evaluation at start + k * 60.5 s
      assertThat(byHost(range(VigilTestInitializer.SERVICE_KEY, method, "cpu{namespace=\"" + NS + "\",host=~\"h1\"}",
          S, S + 180, "60.5")).get("h1")).containsExactly(S + "=5", (S + 60.5) + "=10", (S + 121) + "=15");
    }
  }

  @Test
  void tenantsSeeOnlyTheirOwn() {
    assertThat(byHost(range(VigilTestInitializer.T1_OPERATOR_KEY, "GET", "sum(" + SEL + ")", S, S, "60")).values())
        .containsExactly(List.of(S + "=6"));
    assertThat(range(VigilTestInitializer.T2_OPERATOR_KEY, "GET", "cpu{namespace=\"" + NS + "\",appid=\"t1\"}", S,
        S + 180, "60").path("data").path("result").size()).as("a token of t2 asking for t1's appid").isZero();
    JsonNode hosts = Http.json(call(VigilTestInitializer.T1_OPERATOR_KEY, "GET", "/api/v1/label/host/values",
        "start=" + S + "&end=" + (S + 3600)));
    List<String> values = new ArrayList<>();
    hosts.path("data").forEach(v -> values.add(v.asString()));
    assertThat(values).contains("h1", "h2").doesNotContain("h3");
  }

  @Test
  void labelsValuesAndSeriesAsGrafanaAsksForThem() {
    for (String method : List.of("GET", "POST")) {
      String window = "start=" + S + "&end=" + (S + 3600);
      List<String> labels = new ArrayList<>();
      Http.json(call(VigilTestInitializer.SERVICE_KEY, method, "/api/v1/labels", window)).path("data")
          .forEach(v -> labels.add(v.asString()));
      assertThat(labels).contains("__name__", "namespace", "host", "appid");
      List<String> names = new ArrayList<>();
      Http.json(call(VigilTestInitializer.SERVICE_KEY, method, "/api/v1/label/__name__/values",
          "match%5B%5D=" + enc("{__name__!=\"\"}") + "&" + window)).path("data").forEach(v -> names.add(v.asString()));
      assertThat(names).contains("cpu");
      JsonNode series = Http.json(call(VigilTestInitializer.SERVICE_KEY, method, "/api/v1/series",
          "match%5B%5D=" + enc(SEL) + "&" + window));
      assertThat(series.path("data").size()).isEqualTo(3);
    }
  }

  @Test
  void unsupportedAndBadQueriesAreRefusedInPrometheusShape() {
    HttpResponse<String> r = call(VigilTestInitializer.SERVICE_KEY, "GET", "/api/v1/query_range",
        "query=" + enc("rate(cpu{namespace=\"" + NS + "\"}[5m])") + "&start=" + S + "&end=" + (S + 60) + "&step=60");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(Http.json(r).path("status").asString()).isEqualTo("error");
    assertThat(Http.json(r).path("errorType").asString()).isEqualTo("bad_data");
    assertThat(Http.json(r).path("error").asString()).contains("rate");
    for (String params : List.of("query=cpu&start=" + S + "&end=" + (S + 60) + "&step=60",
        "query=" + enc(SEL) + "&start=x&end=1&step=60", "query=" + enc(SEL) + "&start=" + S + "&end=" + S + "&step=0",
        "query=" + enc(SEL) + "&start=0&end=" + S + "&step=1", "start=1&end=2&step=1")) {
      HttpResponse<String> bad = call(VigilTestInitializer.SERVICE_KEY, "GET", "/api/v1/query_range", params);
      assertThat(bad.statusCode()).as(params + " -> " + bad.body()).isEqualTo(400);
      assertThat(Http.json(bad).path("errorType").asString()).isEqualTo("bad_data");
    }
  }
}
