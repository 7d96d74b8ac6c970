package io.vigil.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * What every service must show when booted whole against the real servers: health UP (liveness and
 * readiness, readiness naming each dependency), the {@code vigil_} families it declares served on
 * {@code /actuator/prometheus}, no actuator endpoint beyond health, prometheus and info, and the
 * shared HTTP error contract — malformed JSON, wrong media type, unknown route, oversize body,
 * missing and invalid credentials, invalid fields — answered as problem+json through the real
 * filter and security chain. A service's IT extends this and names its families and dependencies.
 */
@VigilServiceTest
public abstract class ServiceContractSupport {

  @LocalServerPort
  protected int port;

  protected Http http;

  /** The families of a service that publishes through {@code VigilPublisher}. */
  public static final List<String> PRODUCER_FAMILIES =
      List.of("vigil_kafka_produced_total", "vigil_kafka_produce_failed_total");

  /** The {@code vigil_} metric families this service serves from start-up, beyond the kit's. */
  protected abstract List<String> declaredFamilies();

  /** Families every service of this kind serves through the common kit; consumers add theirs. */
  protected List<String> kitFamilies() {
    return List.of("vigil_executor_active", "vigil_executor_idle", "vigil_executor_pool_size",
        "vigil_executor_queue_size", "vigil_executor_queue_remaining", "vigil_executor_rejected_total",
        "vigil_dependency_failures_total", "http_server_requests_seconds_bucket");
  }

  /** The readiness components this service depends on, e.g. {@code kafka}, {@code db}, {@code redis}. */
  protected abstract List<String> readinessDependencies();

  @BeforeEach
  void client() {
    http = new Http(port);
  }

  /** POSTs JSON to the test-only endpoint with the test key. */
  protected HttpResponse<String> postJson(String body) {
    return http.send(authed(ProblemContractTestController.PATH).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  protected HttpRequest.Builder authed(String path) {
    return http.request(path).header("Authorization", "Bearer " + VigilTestInitializer.TEST_KEY);
  }

  @Test
  void livenessAndReadinessAreUpWithEachDependencyNamed() {
    Awaits.until("readiness UP", () -> http.get("/actuator/health/readiness").statusCode() == 200);
    JsonNode readiness = Http.json(http.get("/actuator/health/readiness"));
    assertThat(readiness.path("status").asString()).isEqualTo("UP");
    for (String dependency : readinessDependencies()) {
      assertThat(readiness.path("components").path(dependency).path("status").asString())
          .as("readiness component %s", dependency).isEqualTo("UP");
    }
    HttpResponse<String> liveness = http.get("/actuator/health/liveness");
    assertThat(liveness.statusCode()).isEqualTo(200);
    assertThat(Http.json(liveness).path("status").asString()).isEqualTo("UP");
  }

  @Test
  void prometheusServesTheDeclaredFamilies() throws IOException {
    http.get("/actuator/info"); // so the HTTP histograms have a sample
    HttpResponse<String> response = http.get("/actuator/prometheus");
    assertThat(response.statusCode()).isEqualTo(200);
    for (String family : concat(kitFamilies(), declaredFamilies())) {
      assertThat(response.body()).as("family %s", family).containsPattern("(?m)^" + family + "[{ ]");
    }
    assertThat(response.body()).contains("application=\"").contains("region=\"");
    recordServedSeries(response.body());
  }

  /**
   * Leaves the names of the series this service serves in {@code target/served-metrics.txt}, where
   * the deploy module's check finds them: every metric a dashboard or alert rule queries must be
   * served by some service.
   */
  private static void recordServedSeries(String prometheusText) throws IOException {
    Path out = Path.of("target", "served-metrics.txt");
    Files.createDirectories(out.getParent());
    Files.write(out, Http.seriesNames(prometheusText));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  @Test
  void onlyHealthPrometheusAndInfoAreExposed() {
    assertThat(http.get("/actuator/info").statusCode()).isEqualTo(200);
    for (String hidden : List.of("/actuator/env", "/actuator/beans", "/actuator/heapdump", "/actuator/loggers")) {
      HttpResponse<String> response = http.send(authed(hidden).GET().build());
      assertThat(response.statusCode()).as(hidden).isEqualTo(404);
      assertProblem(response, 404, "not_found");
    }
  }

  @Test
  void malformedJsonIsAProblem() {
    HttpResponse<String> response = postJson("{\"name\": \"x\", \"count\": ");
    assertProblem(response, 400, "malformed_body");
  }

  @Test
  void wrongFieldTypeNamesTheField() {
    HttpResponse<String> response = postJson("{\"name\": \"x\", \"count\": \"many\"}");
    JsonNode problem = assertProblem(response, 400, "malformed_body");
    assertThat(problem.path("field").asString()).isEqualTo("count");
  }

  @Test
  void invalidFieldNamesTheField() {
    HttpResponse<String> response = postJson("{\"name\": \" \", \"count\": 2}");
    JsonNode problem = assertProblem(response, 400, "validation_failed");
    assertThat(problem.path("field").asString()).isEqualTo("name");
  }

  @Test
  void wrongMediaTypeIsAProblem() {
    HttpResponse<String> response = http.send(authed(ProblemContractTestController.PATH)
        .header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString("name=x")).build());
    assertProblem(response, 415, "unsupported_media_type");
  }

  /** Sent over a socket: Java's HTTP client refuses to send a malformed escape, other clients do not. */
  @Test
  void aBadlyEncodedQueryIsTheClientsProblem() throws IOException {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + ProblemContractTestController.PATH + "/query?q=%zz HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\nAuthorization: Bearer " + VigilTestInitializer.TEST_KEY + "\r\n"
          + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 400").contains("application/problem+json")
          .contains("\"code\":\"invalid_parameter\"").doesNotContain("Exception");
    }
  }

  @Test
  void unknownRouteIsAProblem() {
    HttpResponse<String> response = http.send(authed("/no/such/route").GET().build());
    assertProblem(response, 404, "not_found");
  }

  @Test
  void oversizeBodyIsAProblem() {
    String big = "{\"name\": \"" + "x".repeat(80 * 1024) + "\", \"count\": 1}";
    HttpResponse<String> response = postJson(big);
    assertProblem(response, 413, "payload_too_large");
  }

  @Test
  void oversizeChunkedBodyIsAProblem() {
    byte[] big = ("{\"name\": \"" + "x".repeat(80 * 1024) + "\", \"count\": 1}").getBytes();
    // an input-stream body has no Content-Length: it is sent chunked and refused while being read
    HttpResponse<String> response = http.send(authed(ProblemContractTestController.PATH)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build());
    assertProblem(response, 413, "payload_too_large");
  }

  @Test
  void unauthenticatedCallIsAProblem() {
    HttpResponse<String> response = http.send(http.request(ProblemContractTestController.PATH)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"x\", \"count\": 1}")).build());
    assertProblem(response, 401, "unauthenticated");
    assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
  }

  @Test
  void invalidKeyIsAProblem() {
    HttpResponse<String> response = http.send(http.request(ProblemContractTestController.PATH)
        .header("Authorization", "Bearer not-a-key")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"x\", \"count\": 1}")).build());
    JsonNode problem = assertProblem(response, 401, "unauthenticated");
    assertThat(response.body()).doesNotContain("not-a-key");
    assertThat(problem.path("field").asString()).isEqualTo("Authorization");
  }

  @Test
  void validCallPassesAndCarriesTheTrace() {
    String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    HttpResponse<String> response = http.send(authed(ProblemContractTestController.PATH)
        .header("Content-Type", "application/json")
        .header("traceparent", traceparent)
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"x\", \"count\": 3}")).build());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Http.json(response).path("count").asInt()).isEqualTo(3);
    assertThat(response.headers().firstValue("traceparent").orElseThrow())
        .startsWith("00-0af7651916cd43dd8448eb211c80319c-").doesNotContain("b7ad6b7169203331");
  }

  @Test
  void aServicesOwnAdviceIsNotHiddenAndTheFallbackClassesWhatIsLeft() {
    HttpResponse<String> own = http.send(authed(ProblemContractTestController.FAIL_PATH + "own").GET().build());
    assertThat(own.statusCode()).isEqualTo(418);
    assertThat(own.body()).isEqualTo("own advice");
    assertProblem(http.send(authed(ProblemContractTestController.FAIL_PATH + "dependency").GET().build()), 503,
        "unavailable");
    assertProblem(http.send(authed(ProblemContractTestController.FAIL_PATH + "transient").GET().build()), 503,
        "unavailable");
    assertProblem(http.send(authed(ProblemContractTestController.FAIL_PATH + "bug").GET().build()), 500, "internal");
  }

  /** Whatever the service created in Elasticsearch and Redis is under its prefixes ({@code StoreNames}). */
  @Test
  void writesNothingOutsideItsPrefixes() throws Exception {
    assertThat(PrefixAudit.strayIndices()).as("indices outside every Vigil prefix").isEmpty();
    assertThat(PrefixAudit.strayRedisKeys()).as("Redis keys outside every Vigil prefix").isEmpty();
  }

  /**
   * The control-plane schema in {@code dataSource} is common's contract, applied with its own history
   * table: for policy-service because it migrated it, for a reader because the test support applied
   * the same migrations (a reader never migrates).
   */
  protected static void assertControlSchema(javax.sql.DataSource dataSource) throws Exception {
    try (var c = dataSource.getConnection();
        var rs = c.createStatement().executeQuery("SELECT value FROM control_meta WHERE name = 'schema'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("vigil-control");
    }
    try (var c = dataSource.getConnection();
        var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM flyway_history_control WHERE success = 1")) {
      rs.next();
      assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(1);
    }
  }

  public static JsonNode assertProblem(HttpResponse<String> response, int status, String code) {
    assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    JsonNode body = Http.json(response);
    assertThat(body.path("status").asInt()).isEqualTo(status);
    assertThat(body.path("code").asString()).isEqualTo(code);
    assertThat(body.path("title").asString()).isNotBlank();
    assertThat(response.body()).doesNotContain("Exception").doesNotContain("at io.vigil");
    return body;
  }
}
