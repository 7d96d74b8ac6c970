package io.vigil.gateway;

import static io.vigil.common.testing.ServiceContractSupport.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.control.ControlJson;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.control.Product;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.ControlChange;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.points.PointBatch;
import io.vigil.common.points.PointBatchCodec;
import io.vigil.common.points.SeriesPartitioner;
import io.vigil.common.security.SecretBox;
import io.vigil.common.semantics.RequestSigning;
import io.vigil.common.series.SeriesId;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.VigilTestInitializer;
import io.vigil.common.config.ControlSchema;
import io.vigil.common.testing.TestServers;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/metrics} against the real control tables, Kafka and the signer: signed requests
 * only, a product's own namespaces only, every point checked, the accepted ones in Kafka exactly as
 * accepted (one record per partition, each point on its series' partition), and the access config
 * followed from {@code control.changes} without a restart.
 */
@VigilServiceTest
class GatewayIngestIT {

  static final String KEY_ID = "ak_gateway_test";
  static final String SECRET = "vsk_gateway-test-secret-not-real";
  static final String OTHER_KEY_ID = "ak_other_product";

  @LocalServerPort
  int port;

  @Autowired
  DataSource dataSource;

  Http http;

  @BeforeEach
  void accessConfig() throws Exception {
    http = new Http(port);
    JdbcTemplate jdbc = new JdbcTemplate(dataSource);
    if (jdbc.queryForObject("SELECT COUNT(*) FROM ctl_namespaces WHERE id = 'acme/vm'", Integer.class) > 0) {
      return;
    }
    SecretBox box = SecretBox.fromFile(Path.of(VigilTestInitializer.testMasterKey()));
    for (String product : List.of("acme", "other", "ratey")) {
      jdbc.update("INSERT INTO ctl_products (id, tenant, name, version, body, created_at_ms, updated_at_ms,"
          + " updated_by) VALUES (?, '', ?, 1, ?, 1, 1, 'test')", product, product,
          ControlJson.write(new Product(product, null, null)));
    }
    insertNamespace(jdbc, new NamespaceConfig("acme/vm", null, null, List.of("instance"), List.of("zone"),
        List.of(new NamespaceConfig.Metric("cpu", "percent", null), new NamespaceConfig.Metric("mem", "bytes", null)),
        List.of(60, 300), 20_000L, null, List.of("reboot"), null, null, null).withDefaults());
    insertNamespace(jdbc, new NamespaceConfig("other/db", null, null, null, null,
        List.of(new NamespaceConfig.Metric("qps", null, null)), null, null, null, null, null, null, null).withDefaults());
    insertNamespace(jdbc, new NamespaceConfig("acme/small", null, null, List.of("instance"), List.of("zone"),
        List.of(new NamespaceConfig.Metric("cpu", "percent", null)), null, null, null, null, null, 3, null)
        .withDefaults());
    insertNamespace(jdbc, new NamespaceConfig("ratey/x", null, null, List.of("instance"), List.of("zone"),
        List.of(new NamespaceConfig.Metric("cpu", null, null)), null, null, null, null, null, null, null)
        .withDefaults());
    insertCredential(jdbc, box, "ak_ratey", "ratey", SECRET + "-ratey");
    insertCredential(jdbc, box, KEY_ID, "acme", SECRET);
    insertCredential(jdbc, box, OTHER_KEY_ID, "other", SECRET + "-other");
    // the gateway loaded its snapshot before these rows existed: the changes bring them in
    MessageCodec codec = new MessageCodec();
    for (String ns : List.of("acme/vm", "other/db", "acme/small", "ratey/x")) {
      TestKafka.send("control.changes", "NAMESPACE:" + ns, codec.encode(new ControlChange(1,
          ControlChange.EntityType.NAMESPACE, ns, "local", null, 1, ChangeOp.UPSERT, System.currentTimeMillis())));
    }
    Awaits.until("the access config change applied", () -> post(body("acme/vm", List.of(point("cpu", "warmup", 1))))
        .statusCode() == 200);
  }

  static void insertNamespace(JdbcTemplate jdbc, NamespaceConfig ns) {
    jdbc.update("INSERT INTO ctl_namespaces (id, tenant, name, namespace, shard, version, body, created_at_ms,"
        + " updated_at_ms, updated_by) VALUES (?, '', ?, ?, ?, 1, ?, 1, 1, 'test')", ns.name(), ns.name(), ns.name(),
        ns.shard(), ControlJson.write(ns));
  }

  static void insertCredential(JdbcTemplate jdbc, SecretBox box, String keyId, String product, String secret) {
    SecretBox.Sealed sealed = box.seal(keyId, secret);
    jdbc.update("INSERT INTO ctl_product_credentials (id, product, current_key_id, current_secret,"
        + " current_created_at_ms, version, created_at_ms, updated_at_ms, updated_by) VALUES (?, ?, ?, ?, 1, 1, 1, 1,"
        + " 'test')", keyId, product, sealed.keyId(), sealed.ciphertext());
  }

  static Map<String, Object> point(String metric, String instance, double value) {
    return Map.of("metric", metric, "dimensions", Map.of("appid", "1251763868", "instance", instance, "zone", "gz-1"),
        "timestampMs", System.currentTimeMillis() - 1000, "value", value);
  }

  static String body(String namespace, List<Map<String, Object>> points) {
    return Http.JSON.writeValueAsString(Map.of("namespace", namespace, "points", points));
  }

  HttpResponse<String> post(String body) {
    return send(KEY_ID, SECRET, body, System.currentTimeMillis(), "n-" + UUID.randomUUID());
  }

  HttpResponse<String> send(String keyId, String secret, String body, long timestamp, String nonce) {
    return send("/v1/metrics", keyId, secret, body, timestamp, nonce);
  }

  HttpResponse<String> send(String path, String keyId, String secret, String body, long timestamp, String nonce) {
    return signedPost(http, path, keyId, secret, body, timestamp, nonce);
  }

  /** A JSON body POSTed to {@code path}, signed with the product credential (the gateway tests' one signer). */
  static HttpResponse<String> signedPost(Http http, String path, String keyId, String secret, String body,
      long timestamp, String nonce) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String signature = RequestSigning.sign(secret, new RequestSigning.Request("POST", path, Map.of(),
        timestamp, nonce, bytes));
    return http.send(http.request(path).header("Content-Type", "application/json")
        .header("Authorization", RequestSigning.authorization(keyId, signature))
        .header(RequestSigning.TIMESTAMP_HEADER, Long.toString(timestamp))
        .header(RequestSigning.NONCE_HEADER, nonce)
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
  }

  /** A database of the run's with the control-plane schema, for tests that start gateways of their own. */
  static JdbcTemplate controlDatabase(String db) {
    String url = "jdbc:mysql://" + TestServers.mysqlHost() + ":" + TestServers.mysqlPort() + "/" + db
        + "?useSSL=false&allowPublicKeyRetrieval=true&createDatabaseIfNotExist=true";
    Flyway.configure().dataSource(url, TestServers.mysqlUser(), TestServers.mysqlPassword())
        .locations(ControlSchema.LOCATION).table(ControlSchema.HISTORY_TABLE).load().migrate();
    return new JdbcTemplate(new DriverManagerDataSource(url, TestServers.mysqlUser(), TestServers.mysqlPassword()));
  }

  @Test
  void goodPointsReachKafkaEnrichedOnTheirSeriesPartitionAndBadOnesAreNamed() {
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<Map<String, Object>> points = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      points.add(point(i % 2 == 0 ? "cpu" : "mem", "ins-" + run + "-" + i / 2, i * 1.5)); // cpu and mem of each
    }
    points.add(point("disk", "ins-" + run + "-bad", 1)); // not a metric of acme/vm
    points.add(Map.of("metric", "cpu", "dimensions", Map.of("appid", "1251763868"), "timestampMs",
        System.currentTimeMillis(), "value", 1)); // no instance
    HttpResponse<String> r = post(body("acme/vm", points));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode result = Http.json(r);
    assertThat(result.path("accepted").asInt()).isEqualTo(20);
    assertThat(result.path("rejected").size()).isEqualTo(2);
    assertThat(result.path("rejected").get(0).path("field").asString()).isEqualTo("points[20].metric");
    assertThat(result.path("rejected").get(1).path("field").asString()).isEqualTo("points[21].dimensions.instance");

    List<MetricPoint> inKafka = new ArrayList<>();
    List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> records = TestKafka.awaitMatching(
        "metrics.raw", rec -> PointBatchCodec.decode(rec.value()).points().stream()
            .anyMatch(p -> p.dimensions().get("instance").startsWith("ins-" + run)), 20, Duration.ofSeconds(20));
    for (var rec : records) {
      PointBatch batch = PointBatchCodec.decode(rec.value());
      for (MetricPoint p : batch.points()) {
        if (p.dimensions().get("instance").startsWith("ins-" + run)) {
          inKafka.add(p);
          assertThat(rec.partition()).as("the partition of the series' object").isEqualTo(SeriesPartitioner.partition(
              SeriesId.objectOf(p.namespace(), p.region(), p.dimensions()), 12));
        }
      }
    }
    assertThat(inKafka).hasSize(20);
    Map<String, Set<Integer>> partitionsOfInstance = new HashMap<>();
    for (var rec : records) {
      for (MetricPoint p : PointBatchCodec.decode(rec.value()).points()) {
        partitionsOfInstance.computeIfAbsent(p.dimensions().get("instance"), k -> new HashSet<>()).add(rec.partition());
      }
    }
    assertThat(partitionsOfInstance).hasSize(10).allSatisfy((instance, parts) ->
        assertThat(parts).as("cpu and mem of %s on one partition", instance).hasSize(1));
    MetricPoint first = inKafka.stream().filter(p -> p.dimensions().get("instance").equals("ins-" + run + "-0")
        && p.metric().equals("cpu")).findFirst().orElseThrow();
    assertThat(first.seriesId()).isEqualTo(SeriesId.of("acme/vm", "local", "cpu", first.dimensions()));
    assertThat(first.tenant()).isEqualTo("1251763868");
    assertThat(first.unit()).isEqualTo("percent");
    assertThat(first.shard()).isEqualTo("default");
    assertThat(first.periods()).containsExactlyInAnyOrder(60, 300);
    assertThat(first.graceMs()).isEqualTo(20_000);
    assertThat(first.region()).isEqualTo("local");
  }

  @Test
  void aProductSeesWhatHappenedToItsPointsInTheLastHour() {
    HttpResponse<String> posted = post(body("acme/vm", List.of(point("cpu", "status-ok", 1),
        point("nosuch", "status-bad", 1))));
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
    // and the aggregator found one of its points past the namespace's grace
    Map<String, String> dims = Map.of("appid", "1251763868", "instance", "status-late");
    MetricPoint late = new MetricPoint(MetricPoint.SCHEMA_VERSION, SeriesId.of("acme/vm", "local", "cpu", dims),
        "acme/vm", "local", "cpu", dims, System.currentTimeMillis() - 600_000, 1, null, "default",
        System.currentTimeMillis(), Set.of(60), 20_000, "1251763868");
    TestKafka.send("metrics.late", SeriesId.key(late.seriesId()), new MessageCodec().encode(late));
    Awaits.until("the late point counted", () -> status().path("late").asLong() >= 1);
    JsonNode status = status();
    assertThat(status.path("accepted").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(status.path("rejected").path("unknown_metric").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(status.path("series").path("count").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(status.path("series").path("cap").asInt()).isEqualTo(100_000);
    assertThat(status.path("windowMinutes").asInt()).isEqualTo(60);
  }

  JsonNode status() {
    long ts = System.currentTimeMillis();
    String nonce = "n-" + UUID.randomUUID();
    String sig = RequestSigning.sign(SECRET, new RequestSigning.Request("GET", "/v1/ingest/status",
        Map.of("namespace", List.of("acme/vm")), ts, nonce, new byte[0]));
    HttpResponse<String> r = http.send(http.request("/v1/ingest/status?namespace=acme/vm")
        .header("Authorization", RequestSigning.authorization(KEY_ID, sig))
        .header(RequestSigning.TIMESTAMP_HEADER, Long.toString(ts)).header(RequestSigning.NONCE_HEADER, nonce)
        .GET().build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Http.json(r);
  }

  @Test
  void aProductOverItsRateIs429WithRetryAfter() {
    List<Map<String, Object>> fifteen = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      fifteen.add(point("cpu", "r-" + i, i));
    }
    String body = body("ratey/x", fifteen);
    Awaits.until("ratey/x known", () -> send("ak_ratey", SECRET + "-ratey", body, System.currentTimeMillis(),
        "n-" + UUID.randomUUID()).statusCode() != 403);
    // the bucket holds two seconds (20 points) at 10 a second: two requests of 15 cannot both fit now
    HttpResponse<String> second = send("ak_ratey", SECRET + "-ratey", body, System.currentTimeMillis(),
        "n-" + UUID.randomUUID());
    HttpResponse<String> third = second.statusCode() == 429 ? second : send("ak_ratey", SECRET + "-ratey", body,
        System.currentTimeMillis(), "n-" + UUID.randomUUID());
    assertProblem(third, 429, "rate_limited");
    assertThat(Long.parseLong(third.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 2L);
    // another product is not slowed by it
    assertThat(post(body("acme/vm", List.of(point("cpu", "not-limited", 1)))).statusCode()).isEqualTo(200);
  }

  @Test
  void aNamespaceAtItsSeriesCapRefusesNewSeriesAndKeepsTheKnownOnes() {
    String run = UUID.randomUUID().toString().substring(0, 6);
    List<Map<String, Object>> five = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      five.add(point("cpu", "cap-" + run + "-" + i, i));
    }
    JsonNode first = Http.json(post(body("acme/small", five)));
    int accepted = first.path("accepted").asInt();
    assertThat(accepted).as("the namespace allows 3 series (this run's registry is its own)").isEqualTo(3);
    assertThat(first.path("rejected").size()).isEqualTo(2);
    assertThat(first.path("rejected").get(0).path("reason").asString()).contains("cap of 3 series");
    // sent again: the three that got in keep flowing at the cap, the two others are still refused
    JsonNode again = Http.json(post(body("acme/small", five)));
    assertThat(again.path("accepted").asInt()).isEqualTo(3);
    List<Integer> refusedBefore = first.path("rejected").valueStream().map(r -> r.path("index").asInt()).toList();
    assertThat(again.path("rejected").valueStream().map(r -> r.path("index").asInt()).toList())
        .containsExactlyElementsOf(refusedBefore);
    assertThat(Http.sample(http.get("/actuator/prometheus").body(), "vigil_points_rejected_total",
        "reason=\"series_cap\"")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void onlySignedFreshUnreplayedRequestsForTheProductsOwnNamespacesGetIn() {
    String body = body("acme/vm", List.of(point("cpu", "ins-auth", 1)));
    HttpResponse<String> unsigned = http.send(http.request("/v1/metrics").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    assertProblem(unsigned, 401, "unauthenticated");
    assertProblem(send(KEY_ID, "not-the-secret", body, System.currentTimeMillis(), "n-" + UUID.randomUUID()), 401,
        "unauthenticated");
    assertProblem(send("ak_nobody", SECRET, body, System.currentTimeMillis(), "n-" + UUID.randomUUID()), 401,
        "unauthenticated");
    assertProblem(send(KEY_ID, SECRET, body, System.currentTimeMillis() - Duration.ofMinutes(6).toMillis(),
        "n-" + UUID.randomUUID()), 401, "unauthenticated");
    String nonce = "n-" + UUID.randomUUID();
    long now = System.currentTimeMillis();
    assertThat(send(KEY_ID, SECRET, body, now, nonce).statusCode()).isEqualTo(200);
    JsonNode replay = assertProblem(send(KEY_ID, SECRET, body, now, nonce), 401, "unauthenticated");
    assertThat(replay.path("detail").asString()).contains("already used");
    // a product writes its own namespaces only
    assertProblem(post(body("other/db", List.of(Map.of("metric", "qps", "dimensions", Map.of("appid", "1"),
        "timestampMs", now, "value", 1)))), 403, "forbidden");
    assertProblem(post(body("nobody/ns", List.of(point("cpu", "x", 1)))), 403, "forbidden");
    String metrics = http.get("/actuator/prometheus").body();
    assertThat(Http.sample(metrics, "vigil_ingest_auth_failures_total", "reason=\"replayed\"")).isGreaterThanOrEqualTo(1);
    assertThat(Http.sample(metrics, "vigil_ingest_auth_failures_total", "reason=\"bad_signature\""))
        .isGreaterThanOrEqualTo(1);
  }

  /** bin/vigil push signs with openssl, apart from the Java signer: the written spec is enough. */
  @Test
  void binVigilPushSignsAndSendsABatch() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("batch", ".json");
    java.nio.file.Files.writeString(file, body("acme/vm", List.of(point("cpu", "ins-push", 3))));
    Path root = Path.of("..").toAbsolutePath().normalize();
    ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("bin/vigil").toString(), "push", file.toString())
        .redirectErrorStream(true);
    pb.environment().put("VIGIL_KEY_ID", KEY_ID);
    pb.environment().put("VIGIL_SECRET", SECRET);
    pb.environment().put("VIGIL_GATEWAY_URL", "http://127.0.0.1:" + port);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out).contains("\"accepted\":1").endsWith("200\n");
  }

  @Test
  void theIngestionRoutesAreInTheOpenApiDocumentWithSchemasAndProblems() {
    HttpResponse<String> docs = http.get("/v3/api-docs");
    assertThat(docs.statusCode()).isEqualTo(200);
    JsonNode paths = Http.json(docs).path("paths");
    for (String route : List.of("/v1/metrics", "/v1/events")) {
      JsonNode post = paths.path(route).path("post");
      assertThat(post.path("requestBody").path("content").path("application/json").path("schema").isMissingNode())
          .as(route).isFalse();
      for (String status : List.of("400", "401", "403", "413", "415", "503")) {
        assertThat(post.path("responses").path(status).path("content").has("application/problem+json"))
            .as("%s answers %s as problem+json", route, status).isTrue();
      }
    }
  }

  @Test
  void eventsGoToEventsRawKeyedByObjectWithAStableId() {
    String object = "ins-ev-" + UUID.randomUUID().toString().substring(0, 8);
    long t = System.currentTimeMillis() - 500;
    String body = Http.JSON.writeValueAsString(Map.of("namespace", "acme/vm", "events", List.of(
        Map.of("eventType", "reboot", "objectId", object, "severity", "WARNING", "timestampMs", t,
            "dimensions", Map.of("appid", "1251763868", "instance", object), "message", "rebooted",
            "payload", Map.of("reason", "kernel panic")),
        Map.of("eventType", "meteor", "objectId", object, "timestampMs", t,
            "dimensions", Map.of("appid", "1251763868", "instance", object)))));
    HttpResponse<String> r = send("/v1/events", KEY_ID, SECRET, body, System.currentTimeMillis(),
        "n-" + UUID.randomUUID());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(Http.json(r).path("accepted").asInt()).isEqualTo(1);
    assertThat(Http.json(r).path("rejected").get(0).path("field").asString()).isEqualTo("events[1].eventType");
    // sent again (a retry): the same id
    send("/v1/events", KEY_ID, SECRET, body, System.currentTimeMillis(), "n-" + UUID.randomUUID());
    var records = TestKafka.awaitMatching("events.raw", rec -> object.equals(rec.key()), 2, Duration.ofSeconds(20));
    assertThat(records).hasSize(2);
    MessageCodec codec = new MessageCodec();
    var first = codec.decode(records.get(0).value(), io.vigil.common.model.ProductEvent.class);
    var second = codec.decode(records.get(1).value(), io.vigil.common.model.ProductEvent.class);
    assertThat(first.eventId()).isEqualTo(second.eventId()).startsWith("ev-");
    assertThat(first.tenant()).isEqualTo("1251763868");
    assertThat(first.status()).isEqualTo(io.vigil.common.model.ProductEvent.EventStatus.ABNORMAL);
    assertThat(first.payload()).containsEntry("reason", "kernel panic");
    assertThat(first.severity()).isEqualTo("WARNING");
  }

  @Test
  void aBatchWithNoGoodPointIsRefusedNamingEachAndTimesAreBounded() {
    long now = System.currentTimeMillis();
    List<Map<String, Object>> bad = List.of(
        Map.of("metric", "cpu", "dimensions", Map.of("appid", "1", "instance", "i", "color", "red"), "timestampMs", now,
            "value", 1),
        Map.of("metric", "cpu", "dimensions", Map.of("appid", "1", "instance", "i"), "timestampMs", now + 60_000,
            "value", 1),
        Map.of("metric", "cpu", "dimensions", Map.of("appid", "1", "instance", "i"), "timestampMs",
            now - Duration.ofHours(2).toMillis(), "value", 1),
        Map.of("metric", "cpu", "dimensions", Map.of("instance", "i"), "timestampMs", now, "value", 1));
    JsonNode problem = assertProblem(post(body("acme/vm", bad)), 400, "validation_failed");
    assertThat(problem.path("errors").valueStream().map(e -> e.path("field").asString()).toList()).containsExactly(
        "points[0].dimensions.color", "points[1].timestampMs", "points[2].timestampMs", "points[3].dimensions.appid");
    String metrics = http.get("/actuator/prometheus").body();
    assertThat(Http.sample(metrics, "vigil_points_rejected_total", "reason=\"in_future\"")).isGreaterThanOrEqualTo(1);
    assertThat(Http.sample(metrics, "vigil_points_accepted_total", "namespace=\"acme/vm\"")).isGreaterThanOrEqualTo(1);
  }
}
