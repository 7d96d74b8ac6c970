package io.vigil.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.fault.ChildJvm;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import tools.jackson.databind.JsonNode;

/**
 * {@code bin/vigil observe} (what {@code bin/vigil up --observe} adds): the machine's Prometheus,
 * started by the script with deploy/prometheus's configuration pointed at the services, scrapes all
 * eight of the running platform (the console too) and has loaded Vigil's own alert rules.
 */
@ResourceLock(value = Platform.ALL_SERVICES_UP, mode = ResourceAccessMode.READ) // scrapes all eight
class ObserveIT {

  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void theLocalPrometheusScrapesEveryServiceAndHoldsVigilsRules() throws Exception {
    Platform platform = Platform.shared();
    Path home = Files.createDirectories(Path.of("target", "observe-home").toAbsolutePath());
    int port = ChildJvm.freePort();
    Map<String, String> env = new java.util.HashMap<>();
    env.put("VIGIL_HOME", home.toString());
    env.put("VIGIL_PROMETHEUS_PORT", Integer.toString(port));
    Platform.MAIN_CLASSES.keySet().forEach(app ->
        env.put("VIGIL_" + app.toUpperCase() + "_PORT", Integer.toString(platform.port(app))));
    try {
      String out = bin(platform, env, "observe");
      assertThat(out).contains("Prometheus on http://127.0.0.1:" + port);
      try {
        Awaits.until("Prometheus scrapes all eight services", Duration.ofSeconds(60), () -> {
          JsonNode up = query(port, "up{job=\"vigil-services\"} == 1");
          return up.path("data").path("result").size() == Platform.MAIN_CLASSES.size();
        });
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; targets: " + get(port, "/api/v1/targets"), e);
      }
      JsonNode rules = Http.JSON.readTree(get(port, "/api/v1/rules"));
      long alerts = rules.path("data").path("groups").valueStream()
          .flatMap(g -> g.path("rules").valueStream()).filter(r -> "alerting".equals(r.path("type").asString()))
          .count();
      assertThat(alerts).as("Vigil's alert rules loaded").isGreaterThanOrEqualTo(11);
      Awaits.until("Vigil's own families in Prometheus", Duration.ofSeconds(60), () ->
          query(port, "vigil_watchdog_last_arrival_seconds").path("data").path("result").size() >= 1
              && query(port, "sum by (application) (vigil_kafka_consumed_total)").path("data").path("result")
                  .size() >= 4);
    } finally {
      bin(platform, env, "observe", "stop");
    }
  }

  private static JsonNode query(int port, String promql) {
    return Http.JSON.readTree(get(port, "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
  }

  private static String get(int port, String path) {
    try {
      return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (java.io.IOException e) {
      return "{}";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "{}";
    }
  }

  private static String bin(Platform platform, Map<String, String> env, String... args) throws Exception {
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("bash",
        platform.root().resolve("bin/vigil").toString()));
    command.addAll(java.util.List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("bin/vigil %s: %s", String.join(" ", args), out).isZero();
    return out;
  }
}
