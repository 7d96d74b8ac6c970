package io.vigil.gateway;

import static io.vigil.common.testing.ServiceContractSupport.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.control.ControlJson;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.control.Product;
import io.vigil.common.points.PointBatch;
import io.vigil.common.points.PointBatchCodec;
import io.vigil.common.security.SecretBox;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.VigilTestInitializer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Two whole gateway instances side by side, sharing only Kafka, MySQL and Redis (as two pods do): a
 * request replayed to the other instance is refused, the series cap and the rate limit are one for
 * both, a restarted instance still knows both, and the points in Kafka are the points the two
 * answered as accepted.
 */
class GatewayPairIT {

  static final String KEY_ID = "ak_pair";
  static final String SECRET = "vsk_pair-secret-not-real";
  static final String SLOW_KEY_ID = "ak_pair_slow";
  static final String SLOW_SECRET = "vsk_pair-slow-secret-not-real";
  /** Unique to the run: the run's metrics.raw is shared with the module's other tests. */
  static final String NAMESPACE = "pair/cap" + UUID.randomUUID().toString().substring(0, 6);

  static String db;
  static ConfigurableApplicationContext first;
  static ConfigurableApplicationContext second;

  @BeforeAll
  static void twoGateways() {
    db = TestRun.database("gateway_pair");
    JdbcTemplate jdbc = GatewayIngestIT.controlDatabase(db);
    for (String product : List.of("pair", "pairslow")) {
      jdbc.update("INSERT INTO ctl_products (id, tenant, name, version, body, created_at_ms, updated_at_ms,"
          + " updated_by) VALUES (?, '', ?, 1, ?, 1, 1, 'test')", product, product,
          ControlJson.write(new Product(product, null, null)));
    }
    GatewayIngestIT.insertNamespace(jdbc, new NamespaceConfig(NAMESPACE, null, null, List.of("instance"), null,
        List.of(new NamespaceConfig.Metric("cpu", "percent", null)), null, null, null, null, null, 3, null)
        .withDefaults());
    GatewayIngestIT.insertNamespace(jdbc, new NamespaceConfig("pairslow/x", null, null, List.of("instance"), null,
        List.of(new NamespaceConfig.Metric("cpu", null, null)), null, null, null, null, null, null, null)
        .withDefaults());
    SecretBox box = SecretBox.fromFile(Path.of(VigilTestInitializer.testMasterKey()));
    GatewayIngestIT.insertCredential(jdbc, box, KEY_ID, "pair", SECRET);
    GatewayIngestIT.insertCredential(jdbc, box, SLOW_KEY_ID, "pairslow", SLOW_SECRET);
    first = start();
    second = start();
  }

  static ConfigurableApplicationContext start() {
    ConfigurableApplicationContext gateway = new SpringApplicationBuilder(GatewayApplication.class)
        .initializers(new VigilTestInitializer())
        .run("--server.port=0", "--vigil.mysql.database=" + db, "--vigil.gateway.rate.products.pairslow=10");
    Http http = http(gateway);
    Awaits.until("ready", () -> http.get("/actuator/health/readiness").statusCode() == 200);
    return gateway;
  }

  @AfterAll
  static void stop() {
    for (ConfigurableApplicationContext c : new ConfigurableApplicationContext[] {first, second}) {
      if (c != null) {
        c.close();
      }
    }
  }

  static Http http(ConfigurableApplicationContext gateway) {
    return new Http(((WebServerApplicationContext) gateway).getWebServer().getPort());
  }

  @Test
  void twoInstancesShareNoncesCapAndRateThroughRedisAndARestartForgetsNothing() {
    Http a = http(first);
    Http b = http(second);
    int accepted = 0;

    // a request seen by one instance is a replay at the other
    String body = body(NAMESPACE, List.of("s0", "s1"));
    long now = System.currentTimeMillis();
    String nonce = "n-" + UUID.randomUUID();
    HttpResponse<String> once = send(a, KEY_ID, SECRET, body, now, nonce);
    assertThat(once.statusCode()).as(once.body()).isEqualTo(200);
    accepted += Http.json(once).path("accepted").asInt();
    JsonNode replay = assertProblem(send(b, KEY_ID, SECRET, body, now, nonce), 401, "unauthenticated");
    assertThat(replay.path("detail").asString()).contains("already used");

    // one cap of 3 series for both: a let in s0 and s1, so b has room for one more only
    JsonNode atB = Http.json(send(b, KEY_ID, SECRET, body(NAMESPACE, List.of("s2", "s3")),
        System.currentTimeMillis(), "n-" + UUID.randomUUID()));
    assertThat(atB.path("accepted").asInt()).as(atB.toString()).isEqualTo(1);
    assertThat(atB.path("rejected").get(0).path("reason").asString()).contains("cap of 3 series");
    accepted += 1;
    // a learns of b's series from Redis: the three known series flow, the fourth is still refused
    JsonNode atA = Http.json(send(a, KEY_ID, SECRET, body(NAMESPACE, List.of("s0", "s1", "s2", "s3")),
        System.currentTimeMillis(), "n-" + UUID.randomUUID()));
    assertThat(atA.path("accepted").asInt()).as(atA.toString()).isEqualTo(3);
    assertThat(atA.path("rejected").size()).isEqualTo(1);
    accepted += 3;

    // a restarted instance keeps the cap and the nonces: nothing lived only in its memory
    first.close();
    first = start();
    a = http(first);
    JsonNode restarted = Http.json(send(a, KEY_ID, SECRET, body(NAMESPACE, List.of("s0", "s1", "s2", "s3", "s4")),
        System.currentTimeMillis(), "n-" + UUID.randomUUID()));
    assertThat(restarted.path("accepted").asInt()).as(restarted.toString()).isEqualTo(3);
    assertThat(restarted.path("rejected").size()).isEqualTo(2);
    accepted += 3;
    assertProblem(send(a, KEY_ID, SECRET, body, now, nonce), 401, "unauthenticated");

    // one rate for both: 10 points a second, two seconds of it in the bucket
    String fifteen = Http.JSON.writeValueAsString(Map.of("namespace", "pairslow/x", "points",
        points(List.of("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "r13",
            "r14"))));
    HttpResponse<String> fits = send(a, SLOW_KEY_ID, SLOW_SECRET, fifteen, System.currentTimeMillis(),
        "n-" + UUID.randomUUID());
    assertThat(fits.statusCode()).as(fits.body()).isEqualTo(200);
    assertProblem(send(b, SLOW_KEY_ID, SLOW_SECRET, fifteen, System.currentTimeMillis(), "n-" + UUID.randomUUID()),
        429, "rate_limited");

    int total = accepted;
    Awaits.until("points in Kafka = points the two answered as accepted", Duration.ofSeconds(20),
        () -> pointsInKafka() == total);
  }

  static int pointsInKafka() {
    int n = 0;
    for (var rec : TestKafka.awaitMatching("metrics.raw", r -> NAMESPACE.equals(PointBatchCodec.decode(r.value())
        .namespace()), Integer.MAX_VALUE, Duration.ofSeconds(4))) {
      PointBatch batch = PointBatchCodec.decode(rec.value());
      n += batch.points().size();
    }
    return n;
  }

  static List<Map<String, Object>> points(List<String> instances) {
    List<Map<String, Object>> points = new ArrayList<>();
    for (String instance : instances) {
      points.add(Map.of("metric", "cpu", "dimensions", Map.of("appid", "1", "instance", instance),
          "timestampMs", System.currentTimeMillis() - 500, "value", 1.5));
    }
    return points;
  }

  static String body(String namespace, List<String> instances) {
    return Http.JSON.writeValueAsString(Map.of("namespace", namespace, "points", points(instances)));
  }

  static HttpResponse<String> send(Http http, String keyId, String secret, String body, long timestamp,
      String nonce) {
    return GatewayIngestIT.signedPost(http, "/v1/metrics", keyId, secret, body, timestamp, nonce);
  }

}
