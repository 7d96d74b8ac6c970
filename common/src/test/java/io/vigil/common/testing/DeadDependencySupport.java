package io.vigil.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A service whose Kafka is a dead port still starts and stays alive, but is not ready, and its
 * readiness names {@code kafka} as the component that is down. Other dependencies are taken away
 * through {@link io.vigil.common.testing.fault.FaultProxy} (the shared servers are never stopped),
 * with the helpers below.
 */
@VigilServiceTest
@TestPropertySource(properties = {
  "spring.kafka.bootstrap-servers=127.0.0.1:1",
  "spring.kafka.admin.operation-timeout=2s",
  "vigil.kafka.health-timeout=1s"
})
public abstract class DeadDependencySupport {

  @LocalServerPort
  protected int port;

  @Test
  void readinessIsDownNamingKafkaWhileLivenessStaysUp() {
    assertNotReadyBecauseOf(port, "kafka", "kafka");
  }

  /**
   * Readiness is 503 with {@code component} DOWN, liveness stays 200, and the failed check was
   * counted in {@code vigil_dependency_failures_total{dependency}}. For tests of other dead
   * dependencies (a database, Redis, Elasticsearch on a dead port).
   */
  public static void assertNotReadyBecauseOf(int port, String component, String dependency) {
    Http http = new Http(port);
    Awaits.until("readiness down naming " + component, () ->
        http.get("/actuator/health/readiness").statusCode() == 503);
    HttpResponse<String> readiness = http.get("/actuator/health/readiness");
    assertThat(readiness.statusCode()).isEqualTo(503);
    JsonNode body = Http.json(readiness);
    assertThat(body.path("status").asString()).isEqualTo("DOWN");
    assertThat(body.path("components").path(component).path("status").asString()).isEqualTo("DOWN");
    assertThat(http.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
    String metrics = http.get("/actuator/prometheus").body();
    assertThat(Http.sample(metrics, "vigil_dependency_failures_total", "dependency=\"" + dependency + "\""))
        .isGreaterThanOrEqualTo(1);
  }

  /** Readiness comes back by itself once the dependency answers again. */
  public static void assertReadyAgain(int port) {
    Http http = new Http(port);
    Awaits.until("readiness back up", () -> http.get("/actuator/health/readiness").statusCode() == 200);
  }

  /** What the real client threw while its server was away is classed as an unavailable dependency. */
  public static void assertClassedUnavailable(Throwable thrown, String dependency) {
    assertThat(thrown).as("the client failed while its server was away").isNotNull();
    io.vigil.common.error.ErrorClassifier.Verdict verdict = io.vigil.common.error.ErrorClassifier.classify(thrown);
    assertThat(verdict.kind()).as("class of %s", thrown.toString()).isEqualTo(io.vigil.common.error.ErrorClassifier.Kind.DEPENDENCY);
    if (dependency != null) {
      assertThat(verdict.dependency()).as("dependency of %s", thrown.toString()).isEqualTo(dependency);
    }
  }
}
