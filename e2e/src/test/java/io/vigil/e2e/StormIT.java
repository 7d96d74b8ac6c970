package io.vigil.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.testing.Awaits;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A storm converges: forty instances of one zone breach in the same minute, and the people on call
 * get one message that tells of all forty, not forty pages; when they recover, one more message
 * tells of the recoveries. (Two of each at most: the fault test crashes aggregator and detector
 * instances beside this class, and a breach held past the group wait goes out at the group interval.) The policy groups by zone ({@code notification.groupBy}); the grouping
 * itself is the notifier's tests' business, this is the whole path under it.
 */
class StormIT {

  private static final String TENANT = "t4";
  private static final String NAMESPACE = "e2estorm/web";
  private static final int INSTANCES = 40;

  @Test
  void fortyBreachesInOneZoneAreOneMessageAndTheirRecoveryOneMore() throws Exception {
    Platform platform = Platform.shared();
    Map<String, String> probe = Map.of("appid", TENANT, "zone", "z-quiet", "instance", "s-probe");
    Onboarded product = Onboarded.register(platform, "e2estorm", NAMESPACE, """
        {"name": "%s", "requiredDimensions": ["zone", "instance"], "metrics": [{"name": "errors"}],
         "graceMs": 1000}""".formatted(NAMESPACE), "errors", probe, 0.0);
    ScheduledExecutorService pusher = Executors.newSingleThreadScheduledExecutor();
    try (WebhookSink sink = new WebhookSink()) {
      Caller admin = Onboarded.admin(platform);
      String hook = Onboarded.webhook(admin, TENANT, "web team", sink);
      admin.create("/v1/tenants/" + TENANT + "/policies", """
          {"name": "errors", "namespace": "%s",
           "conditions": [{"metric": "errors", "period": 60, "statistic": "LAST", "operator": "GT", "threshold": 5}],
           "receivers": {"webhooks": ["%s"]},
           "notification": {"groupBy": ["zone"], "groupWaitSec": 10, "groupIntervalSec": 20,
                            "repeatIntervalSec": 3600}}""".formatted(NAMESPACE, hook));

      java.util.concurrent.atomic.AtomicBoolean breaching = new java.util.concurrent.atomic.AtomicBoolean(true);
      pusher.scheduleAtFixedRate(() -> {
        Map<Map<String, String>, Double> values = new LinkedHashMap<>();
        for (int i = 0; i < INSTANCES; i++) {
          values.put(Map.of("appid", TENANT, "zone", "z-1", "instance", "s-%02d".formatted(i)),
              breaching.get() ? 50.0 : 0.0);
        }
        values.put(probe, 0.0);
        try {
          product.push("errors", values);
        } catch (RuntimeException e) {
          // a failed push must not end the schedule (the recovery would never be pushed)
          System.err.println("[vigil-e2e] storm push failed: " + e);
        }
      }, 0, 1, TimeUnit.SECONDS);

      Awaits.until("messages telling of all forty firing", Duration.ofSeconds(150),
          () -> sink.notified().stream().anyMatch(r -> count(r, "firingCount") == INSTANCES));
      // the group's first message goes out groupWaitSec after its first member, with the rest of the minute's
      // breaches in it; one that a crash beside this class (FaultsIT) held past the group wait is told at the
      // group interval after: one message or two, never one per instance, each breach told once
      List<WebhookSink.Received> storm = sink.notified();
      assertThat(storm).as("the storm's messages").hasSizeBetween(1, 2);
      assertThat(storm.stream().mapToInt(r -> count(r, "alertCount")).sum()).as("each breach told once")
          .isEqualTo(INSTANCES);
      for (WebhookSink.Received r : storm) {
        JsonNode message = r.body();
        assertThat(message.path("grouped").asBoolean()).isTrue();
        assertThat(message.path("groupText").asString()).contains("z-1");
        assertThat(message.path("alerts").size()).as("examples, at most ten")
            .isEqualTo(Math.min(10, count(r, "alertCount")));
      }

      breaching.set(false);
      Awaits.until("messages telling of all forty recovered", Duration.ofSeconds(150), () -> {
        List<WebhookSink.Received> all = sink.notified();
        return count(all.get(all.size() - 1), "firingCount") == 0
            && all.stream().mapToInt(r -> count(r, "resolvedCount")).sum() == INSTANCES;
      });
      assertThat(sink.notified()).as("the storm and its end: two messages (four at most, as above)")
          .hasSizeBetween(2, 4);
    } finally {
      pusher.shutdownNow();
    }
  }

  private static int count(WebhookSink.Received r, String field) {
    return Integer.parseInt(r.body().path(field).asString("0"));
  }
}
