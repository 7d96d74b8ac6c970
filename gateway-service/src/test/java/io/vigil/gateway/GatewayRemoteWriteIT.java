package io.vigil.gateway;

import static io.vigil.common.testing.ServiceContractSupport.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.ControlChange;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.points.PointBatchCodec;
import io.vigil.common.security.SecretBox;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.VigilTestInitializer;
import io.vigil.common.testing.fault.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.xerial.snappy.Snappy;

/**
 * Prometheus remote write into the gateway: hand-built requests for every answer the spec defines,
 * and an unchanged Prometheus (the OS package) scraping a target and pushing its samples, which
 * arrive in {@code metrics.raw} as points of the namespace named in the URL.
 */
@VigilServiceTest
class GatewayRemoteWriteIT {

  static final String KEY_ID = "ak_prom_test";
  static final String SECRET = "vsk_prom-test-secret-not-real";

  @LocalServerPort
  int port;

  @Autowired
  DataSource dataSource;

  Http http;

  @BeforeEach
  void accessConfig() {
    http = new Http(port);
    JdbcTemplate jdbc = new JdbcTemplate(dataSource);
    if (jdbc.queryForObject("SELECT COUNT(*) FROM ctl_namespaces WHERE id = 'prom/app'", Integer.class) == 0) {
      jdbc.update("INSERT INTO ctl_products (id, tenant, name, version, body, created_at_ms, updated_at_ms,"
          + " updated_by) VALUES ('prom', '', 'prom', 1, '{\"name\":\"prom\"}', 1, 1, 'test')");
      GatewayIngestIT.insertNamespace(jdbc, new NamespaceConfig("prom/app", null, null, null,
          List.of("instance", "job"), List.of(new NamespaceConfig.Metric("vigil_test_value", null, null),
              new NamespaceConfig.Metric("requests", null, null)), null, null, null, null, null, null,
          NamespaceConfig.UnknownDimensions.DROP).withDefaults());
      GatewayIngestIT.insertCredential(jdbc, SecretBox.fromFile(Path.of(VigilTestInitializer.testMasterKey())), KEY_ID,
          "prom", SECRET);
      TestKafka.send("control.changes", "NAMESPACE:prom/app", new MessageCodec().encode(new ControlChange(1,
          ControlChange.EntityType.NAMESPACE, "prom/app", "local", null, 1, ChangeOp.UPSERT, System.currentTimeMillis())));
    }
    Awaits.until("the namespace known", () -> write(request(List.of(series("requests", "warm", 1))),
        basic(KEY_ID, SECRET)).statusCode() == 204);
  }

  @Test
  void everyAnswerIsTheOneTheSpecTellsSendersToReadAsSuch() throws Exception {
    long now = System.currentTimeMillis();
    assertThat(write(request(List.of(series("requests", "a", now), series("requests", "b", now))), basic(KEY_ID, SECRET))
        .statusCode()).isEqualTo(204);
    assertThat(write(request(List.of(series("requests", "c", now))), "Bearer " + KEY_ID + ":" + SECRET).statusCode())
        .as("the credential as a bearer token").isEqualTo(204);
    // a sample that will never be accepted: 4xx, so the sender drops it rather than retrying forever
    JsonAssert bad = new JsonAssert(assertProblem(write(request(List.of(series("nope", "d", now))),
        basic(KEY_ID, SECRET)), 400, "validation_failed"));
    assertThat(bad.node().path("field").asString()).isEqualTo("points[0].metric");
    assertProblem(write(request(List.of(series("requests", "e", now))), basic(KEY_ID, "wrong")), 401,
        "unauthenticated");
    assertProblem(write(request(List.of(series("requests", "e", now))), null), 401, "unauthenticated");
    // a tiny body declaring a huge expansion is refused before it is expanded
    byte[] bomb = new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 0, 0, 0};
    assertProblem(send(bomb, basic(KEY_ID, SECRET), "snappy"), 413, "payload_too_large");
    assertProblem(send("not snappy at all".getBytes(StandardCharsets.UTF_8), basic(KEY_ID, SECRET), "snappy"), 400,
        "malformed_body");
    // the product writes its own namespaces only
    HttpResponse<String> other = http.send(http.request("/api/v1/write?namespace=acme/vm")
        .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
        .header("Authorization", basic(KEY_ID, SECRET))
        .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(request(List.of(series("requests", "f", now))))))
        .build());
    assertProblem(other, 403, "forbidden");
  }

  @Test
  void anUnchangedPrometheusPushesItsSamplesIntoMetricsRaw() throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    com.sun.net.httpserver.HttpServer target = com.sun.net.httpserver.HttpServer.create(
        new InetSocketAddress("127.0.0.1", 0), 0);
    target.createContext("/metrics", ex -> {
      byte[] body = ("# TYPE vigil_test_value gauge\nvigil_test_value{appid=\"1251763868\",instance=\"" + run
          + "\"} 42\n").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    target.start();
    Path dir = Files.createTempDirectory("prometheus");
    int promPort = ChildJvm.freePort();
    Files.writeString(dir.resolve("prometheus.yml"), """
        global:
          scrape_interval: 1s
        scrape_configs:
          - job_name: app
            honor_labels: true
            static_configs:
              - targets: ["127.0.0.1:%d"]
        remote_write:
          - url: http://127.0.0.1:%d/api/v1/write?namespace=prom/app
            basic_auth:
              username: %s
              password: %s
            write_relabel_configs:
              - source_labels: [__name__]
                regex: vigil_test_value
                action: keep
            queue_config:
              batch_send_deadline: 1s
        """.formatted(target.getAddress().getPort(), port, KEY_ID, SECRET));
    Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    try {
      var records = TestKafka.awaitMatching("metrics.raw", r -> PointBatchCodec.decode(r.value()).points().stream()
          .anyMatch(p -> run.equals(p.dimensions().get("instance"))), 1, Duration.ofSeconds(60));
      assertThat(records).as("a point from Prometheus; its log: %s", log(dir)).isNotEmpty();
      MetricPoint p = PointBatchCodec.decode(records.get(0).value()).points().stream()
          .filter(x -> run.equals(x.dimensions().get("instance"))).findFirst().orElseThrow();
      assertThat(p.namespace()).isEqualTo("prom/app");
      assertThat(p.metric()).isEqualTo("vigil_test_value");
      assertThat(p.value()).isEqualTo(42.0);
      assertThat(p.tenant()).isEqualTo("1251763868");
      assertThat(p.dimensions()).containsEntry("job", "app");
    } finally {
      prometheus.destroy();
      prometheus.waitFor();
      target.stop(0);
    }
  }

  private static String log(Path dir) {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (Exception e) {
      return "(no log)";
    }
  }

  record JsonAssert(tools.jackson.databind.JsonNode node) {}

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  HttpResponse<String> write(byte[] protobuf, String authorization) {
    try {
      return send(Snappy.compress(protobuf), authorization, "snappy");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> send(byte[] body, String authorization, String encoding) {
    HttpRequest.Builder b = http.request("/api/v1/write?namespace=prom/app")
        .header("Content-Type", "application/x-protobuf").header("Content-Encoding", encoding)
        .header("X-Prometheus-Remote-Write-Version", "0.1.0");
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.send(b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  record SeriesIn(String metric, Map<String, String> labels, double value, long ts) {}

  static SeriesIn series(String metric, String instance, long ts) {
    return new SeriesIn(metric, Map.of("appid", "1251763868", "instance", instance, "job", "j"), 1.5,
        ts <= 1 ? System.currentTimeMillis() : ts);
  }

  /** A WriteRequest in protobuf wire format, written by hand as a sender would. */
  static byte[] request(List<SeriesIn> all) {
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    for (SeriesIn s : all) {
      ByteArrayOutputStream ts = new ByteArrayOutputStream();
      List<Map.Entry<String, String>> labels = new ArrayList<>(s.labels().entrySet());
      labels.add(0, Map.entry("__name__", s.metric()));
      for (Map.Entry<String, String> l : labels) {
        ByteArrayOutputStream label = new ByteArrayOutputStream();
        field(label, 1, l.getKey().getBytes(StandardCharsets.UTF_8));
        field(label, 2, l.getValue().getBytes(StandardCharsets.UTF_8));
        field(ts, 1, label.toByteArray());
      }
      ByteArrayOutputStream sample = new ByteArrayOutputStream();
      sample.write(0x09); // field 1, fixed64
      long bits = Double.doubleToRawLongBits(s.value());
      for (int i = 0; i < 8; i++) {
        sample.write((int) (bits >>> (8 * i)) & 0xFF);
      }
      sample.write(0x10); // field 2, varint
      varint(sample, s.ts());
      field(ts, 2, sample.toByteArray());
      field(req, 1, ts.toByteArray());
    }
    return req.toByteArray();
  }

  static void field(ByteArrayOutputStream out, int number, byte[] bytes) {
    varint(out, (number << 3) | 2);
    varint(out, bytes.length);
    out.writeBytes(bytes);
  }

  static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
