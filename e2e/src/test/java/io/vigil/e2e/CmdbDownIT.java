package io.vigil.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The cmdb down: a page still goes out, without the instance's data and flagged as such
 * ({@code enrichmentDegraded}), and the degraded path is counted; the cmdb comes back and is ready.
 * Enrichment with the cmdb up is the notifier's own tests' business.
 */
@ResourceLock(Platform.ALL_SERVICES_UP) // it takes a service away: not while another class needs all seven
class CmdbDownIT {

  private static final String TENANT = "t3";
  private static final String NAMESPACE = "e2ecmdb/db";

  @Test
  void withTheCmdbDownAPageGoesOutUnenrichedAndFlagged() throws Exception {
    Platform platform = Platform.shared();
    Map<String, String> quiet = Map.of("appid", TENANT, "instance", "db-quiet");
    Map<String, String> hot = Map.of("appid", TENANT, "instance", "db-hot");
    Onboarded product = Onboarded.register(platform, "e2ecmdb", NAMESPACE, """
        {"name": "%s", "requiredDimensions": ["instance"], "instanceDimension": "instance",
         "metrics": [{"name": "load"}], "graceMs": 1000}""".formatted(NAMESPACE), "load", quiet, 1.0);
    try (WebhookSink sink = new WebhookSink()) {
      Caller admin = Onboarded.admin(platform);
      String hook = Onboarded.webhook(admin, TENANT, "dba", sink);
      admin.create("/v1/tenants/" + TENANT + "/policies", """
          {"name": "load high", "namespace": "%s",
           "conditions": [{"metric": "load", "period": 60, "statistic": "MAX", "operator": "GT", "threshold": 8}],
           "receivers": {"webhooks": ["%s"]}, "notification": {"groupWaitSec": 0}}""".formatted(NAMESPACE, hook));

      platform.kill("cmdb");
      try {
        Awaits.until("a page for db-hot", Duration.ofSeconds(150), () -> {
          assertThat(product.push("load", Map.of(hot, 12.0, quiet, 1.0)).statusCode()).isEqualTo(200);
          return !sink.matching(n -> "db-hot".equals(n.body().path("dimensions").path("instance").asString()))
              .isEmpty();
        });
        List<WebhookSink.Received> pages = sink.matching(
            n -> "db-hot".equals(n.body().path("dimensions").path("instance").asString()));
        assertThat(pages).hasSize(1);
        assertThat(pages.get(0).status()).isEqualTo("FIRING");
        assertThat(pages.get(0).body().path("enrichmentDegraded").asBoolean())
            .as("sent without the cmdb's data, and saying so").isTrue();
        assertThat(Http.sample(platform.http("notifier").get("/actuator/prometheus").body(), "vigil_degraded_total",
            "component=\"enrichment\"", "reason=\"cmdb_unavailable\"")).isGreaterThanOrEqualTo(1);
      } finally {
        platform.start("cmdb");
      }
    }
  }
}
