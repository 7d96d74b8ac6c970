package io.vigil.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.control.Watchdog;
import io.vigil.common.series.AlertKey;
import io.vigil.common.series.SeriesId;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.VigilTestInitializer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The watchdog travels the whole path by itself: policy-service made its objects at start, the gateway
 * pushes its heartbeat, and within a couple of minutes a notifier has received both of its
 * transitions (a minute firing, the next resolved), kept them from the pipeline, and the first one says
 * when the last one arrived.
 */
class WatchdogIT {

  @Test
  void theWatchdogReachesTheNotifierEveryMinuteAndPagesNoOne() {
    Platform platform = Platform.shared();
    Http notifier = platform.http("notifier");
    // the fault test runs a second notifier beside this class and crashes it: the watchdog's partition may be
    // with either, so each transition counts once any instance has been seen holding it
    Set<String> seen = ConcurrentHashMap.newKeySet();
    Awaits.until("the watchdog's FIRING and RESOLVED reach a notifier", Duration.ofSeconds(200), () -> {
      for (String instance : platform.instances("notifier")) {
        String metrics = platform.http(instance).get("/actuator/prometheus").body();
        for (String status : List.of("FIRING", "RESOLVED")) {
          if (Http.sample(metrics, "vigil_watchdog_arrivals_total", "status=\"" + status + "\"") >= 1) {
            seen.add(status);
          }
        }
      }
      return seen.size() == 2;
    }, () -> "seen: " + seen);
    // every instance takes the last arrival from the one that saw it (through Redis, every few seconds)
    String metrics = notifier.get("/actuator/prometheus").body();
    double lastArrival = Http.sample(metrics, "vigil_watchdog_last_arrival_seconds");
    assertThat(lastArrival * 1000).as("the last arrival, as the first notifier knows it").isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(150_000.0));
    assertThat(Http.sample(metrics, "vigil_watchdog_silent")).isZero();
    assertThat(Http.sample(platform.http("gateway").get("/actuator/prometheus").body(),
        "vigil_watchdog_heartbeats_total", "result=\"sent\"")).isPositive();

    // the objects policy-service made, readable like any other; the watchdog's alert reached nobody
    Caller admin = new Caller(platform.http("policy"), VigilTestInitializer.PLATFORM_ADMIN_KEY);
    assertThat(admin.read("/v1/namespaces/" + Watchdog.NAMESPACE).path("spec").path("graceMs").asLong())
        .isEqualTo(Watchdog.GRACE_MS);
    JsonNode policies = admin.read("/v1/tenants/" + Watchdog.TENANT + "/policies").path("items");
    assertThat(policies.size()).isEqualTo(1);
    String policyId = policies.get(0).path("id").asString();
    String key = AlertKey.ofSeries(policyId, SeriesId.of(Watchdog.NAMESPACE, "local", Watchdog.METRIC,
        Watchdog.dimensions("local"))).value();
    Caller explain = new Caller(notifier, VigilTestInitializer.PLATFORM_ADMIN_KEY);
    assertThat(explain.get("/v1/notifications/explain?alertKey=" + URLEncoder.encode(key, StandardCharsets.UTF_8))
        .statusCode()).as("the watchdog never enters the pipeline: no steps of it").isEqualTo(404);
  }
}
