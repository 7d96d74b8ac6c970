package io.vigil.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.series.AlertKey;
import io.vigil.common.series.SeriesId;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.VigilTestInitializer;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * A product's metric becomes a page, through every service in a JVM of its own: a product and its
 * namespace registered and given a credential, signed pushes through the gateway, a rollup closed by
 * the aggregator, a policy's condition checked by the detector, the notification posted by the
 * notifier to a real webhook receiver, the alert's history kept by storage. Configured through the
 * public APIs only, as a user would; nothing is written to a server directly.
 *
 * <p>Points are pushed every second for three instances: one breaches and later recovers, one
 * breaches under a silence, one stays quiet. The methods run in order because they follow one alert's
 * life; each asserts what a user sees at that point.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricBecomesPageIT {

  private static final String TENANT = "t1";
  private static final String NAMESPACE = "e2e/vm";
  private static final String REGION = "local";
  private static final Duration ALERT_WAIT = Duration.ofSeconds(150);

  private static Platform platform;
  private static Caller admin;
  private static WebhookSink sink;
  private static Onboarded product;
  private static String metricPolicy;
  private static String eventPolicy;
  private static final Map<String, Double> values = new ConcurrentHashMap<>();
  private static ScheduledExecutorService pusher;
  private static volatile String pushProblem;

  @BeforeAll
  static void configureLikeAUser() throws Exception {
    platform = Platform.shared();
    admin = new Caller(platform.http("policy"), VigilTestInitializer.PLATFORM_ADMIN_KEY);
    sink = new WebhookSink();

    product = Onboarded.register(platform, "e2e", NAMESPACE, """
        {"name": "%s", "requiredDimensions": ["instance"], "metrics": [{"name": "cpu", "unit": "percent"}],
         "graceMs": 1000, "eventTypes": ["reboot"]}""".formatted(NAMESPACE), "cpu", dimensions("e2e-quiet"), 10.0);

    String hook = Onboarded.webhook(admin, TENANT, "ops", sink);
    metricPolicy = admin.create("/v1/tenants/" + TENANT + "/policies", """
        {"name": "cpu high", "namespace": "%s",
         "conditions": [{"metric": "cpu", "period": 60, "statistic": "AVG", "operator": "GT", "threshold": 90,
                         "forPeriods": 1, "recoverPeriods": 1, "recoveryThreshold": 80}],
         "filters": [{"Function": "Regex", "Field": "instance", "Args": "e2e-.*"}],
         "severity": "CRITICAL", "annotations": {"summary": "CPU above 90%%"},
         "receivers": {"webhooks": ["%s"]},
         "notification": {"repeatIntervalSec": 3600, "groupWaitSec": 0}}""".formatted(NAMESPACE, hook))
        .path("id").asString();
    eventPolicy = admin.create("/v1/tenants/" + TENANT + "/policies", """
        {"name": "host rebooted", "namespace": "%s", "eventRules": [{"eventTypes": ["reboot"]}],
         "severity": "WARNING", "receivers": {"webhooks": ["%s"]},
         "notification": {"repeatIntervalSec": 3600, "groupWaitSec": 0}}""".formatted(NAMESPACE, hook))
        .path("id").asString();
    long now = System.currentTimeMillis();
    admin.create("/v1/tenants/" + TENANT + "/silences", """
        {"matchers": [{"Function": "Equal", "Field": "instance", "Args": "e2e-silenced"}],
         "startsAtMs": %d, "endsAtMs": %d, "comment": "maintenance of e2e-silenced"}"""
        .formatted(now - 1000, now + 3_600_000));

    // e2e-paged breaches from its first point: the first minute to close after the policy is held
    // pages it (switched at the test's start, its first minute was part cool: a minute more)
    values.put("e2e-paged", 95.0);
    values.put("e2e-silenced", 95.0);
    values.put("e2e-quiet", 10.0);
    pusher = Executors.newSingleThreadScheduledExecutor();
    pusher.scheduleAtFixedRate(() -> {
      try {
        HttpResponse<String> r = push(values);
        if (r.statusCode() != 200) {
          pushProblem = r.statusCode() + " " + r.body();
        }
      } catch (RuntimeException e) {
        pushProblem = e.toString();
      }
    }, 0, 1, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopPushing() {
    if (pusher != null) {
      pusher.shutdownNow();
    }
    if (sink != null) {
      sink.close();
    }
  }

  @Test
  @Order(1)
  void aBreachIsPagedOnceAndItsRecoveryOnce() throws InterruptedException {
    Awaits.until("a FIRING notification for e2e-paged", ALERT_WAIT,
        () -> !notifications(metricPolicy, "e2e-paged", "FIRING").isEmpty());
    WebhookSink.Received firing = notifications(metricPolicy, "e2e-paged", "FIRING").get(0);
    assertThat(firing.body().path("severity").asString()).isEqualTo("CRITICAL");
    assertThat(firing.body().path("tenant").asString()).isEqualTo(TENANT);
    assertThat(firing.body().path("namespace").asString()).isEqualTo(NAMESPACE);
    assertThat(firing.body().path("metric").asString()).isEqualTo("cpu");
    // the window's average of what was pushed in it
    assertThat(Double.parseDouble(firing.body().path("value").asString())).isGreaterThan(90).isLessThanOrEqualTo(95);
    assertThat(firing.body().path("threshold").asString()).isEqualTo("90");
    assertThat(firing.alertKey()).isEqualTo(alertKey(metricPolicy, "e2e-paged"));
    assertThat(firing.notificationId()).isNotBlank();

    values.put("e2e-paged", 20.0);
    Awaits.until("a RESOLVED notification for e2e-paged", ALERT_WAIT,
        () -> !notifications(metricPolicy, "e2e-paged", "RESOLVED").isEmpty());
    // a late duplicate would come within the notifier's retry time: give it a few seconds
    Thread.sleep(3000);
    assertThat(notifications(metricPolicy, "e2e-paged", "FIRING")).as("one page for the breach").hasSize(1);
    assertThat(notifications(metricPolicy, "e2e-paged", "RESOLVED")).as("one for the recovery").hasSize(1);
    assertThat(pushProblem).as("every push was accepted").isNull();
  }

  @Test
  @Order(2)
  void theAlertIsInHistoryWithItsWholeLife() {
    String key = alertKey(metricPolicy, "e2e-paged");
    Caller storage = new Caller(platform.http("storage"), VigilTestInitializer.PLATFORM_ADMIN_KEY);
    Awaits.until("storage has the alert's FIRING and RESOLVED events", Duration.ofSeconds(30), () -> {
      Set<String> statuses = new HashSet<>();
      long now = System.currentTimeMillis();
      storage.read("/v1/alerts/events?tenant=" + TENANT + "&alertKey=" + encode(key) + "&fromMs=" + (now - 900_000)
          + "&toMs=" + (now + 60_000)).path("items").values()
          .forEach(e -> statuses.add(e.path("status").asString()));
      return statuses.containsAll(List.of("FIRING", "RESOLVED"));
    });
  }

  @Test
  @Order(2)
  void theRollupsAnswerThePromQlReadApi() {
    Caller storage = new Caller(platform.http("storage"), VigilTestInitializer.PLATFORM_ADMIN_KEY);
    String query = encode("max(cpu{namespace=\"" + NAMESPACE + "\", instance=~\"e2e-(paged|silenced)\"})");
    Awaits.until("the one-minute rollups answer PromQL", Duration.ofSeconds(30), () -> {
      JsonNode answer = storage.read("/api/v1/query?query=" + query + "&time=" + System.currentTimeMillis() / 1000);
      JsonNode result = answer.path("data").path("result");
      return answer.path("status").asString().equals("success") && result.size() == 1
          && result.get(0).path("value").get(1).asString().equals("95");
    });
  }

  @Test
  @Order(3)
  void aSilencedBreachIsRecordedAsMutedAndNeverSent() {
    String key = alertKey(metricPolicy, "e2e-silenced");
    Caller notifier = new Caller(platform.http("notifier"), VigilTestInitializer.PLATFORM_ADMIN_KEY);
    Awaits.until("explain shows the silenced alert muted", ALERT_WAIT, () -> {
      JsonNode explained = notifier.read("/v1/notifications/explain?alertKey=" + encode(key));
      for (JsonNode step : explained.path("steps").values()) {
        if (step.path("status").asString().equals("SILENCED")) {
          return true;
        }
      }
      return false;
    });
    assertThat(notifications(metricPolicy, "e2e-silenced", null)).as("nothing sent for a silenced alert").isEmpty();
    assertThat(notifications(metricPolicy, "e2e-quiet", null)).as("nothing for a quiet instance").isEmpty();
  }

  @Test
  @Order(4)
  void aProductEventFiresItsEventPolicy() throws InterruptedException {
    long t = System.currentTimeMillis();
    List<Map<String, Object>> events = List.of(Map.of("eventType", "reboot", "objectId", "e2e-host-7",
        "severity", "WARNING", "timestampMs", t, "dimensions", Map.of("appid", TENANT, "instance", "e2e-host-7"),
        "message", "rebooted by the kernel"));
    HttpResponse<String> r = product.sendEvents(events);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String key = AlertKey.ofObject(eventPolicy, "e2e-host-7").value();
    Awaits.until("the event's notification", ALERT_WAIT,
        () -> !sink.matching(n -> n.alertKey().equals(key)).isEmpty());
    Thread.sleep(2000);
    List<WebhookSink.Received> sent = sink.notified(n -> n.alertKey().equals(key));
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).status()).isEqualTo("FIRING");
    assertThat(sent.get(0).body().path("severity").asString()).isEqualTo("WARNING");
  }

  @Test
  @Order(5)
  void aBadPointIsRefusedNamingItsFieldAndTheRestOfTheBatchIsKept() {
    HttpResponse<String> r = product.push("no_such_metric", Map.of(dimensions("e2e-quiet"), 1.0));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
        .startsWith("application/problem+json"));
    assertThat(Http.json(r).path("field").asString()).isEqualTo("points[0].metric");
    assertThat(Http.sample(platform.http("gateway").get("/actuator/prometheus").body(), "vigil_points_rejected_total",
        "namespace=\"" + NAMESPACE + "\"", "reason=\"unknown_metric\"")).isGreaterThanOrEqualTo(1);
  }

  @Test
  @Order(6)
  void noNotificationWasDoubled() {
    // ARCHITECTURE.md's definition: one notification id per alert transition and receiver (a re-delivery,
    // after a notifier crashed between the send and noting it, keeps its id and the receiver drops it;
    // the fault test crashes a notifier beside this class)
    Map<String, Set<String>> idsPerTransition = new java.util.TreeMap<>();
    sink.all().forEach(n -> idsPerTransition.computeIfAbsent(n.alertKey() + " " + n.status(), k -> new java.util.TreeSet<>())
        .add(n.notificationId()));
    assertThat(idsPerTransition).isNotEmpty().allSatisfy((transition, ids) -> assertThat(ids).as(transition).hasSize(1));
  }

  private static List<WebhookSink.Received> notifications(String policyId, String instance, String status) {
    String key = alertKey(policyId, instance);
    return sink.notified(n -> n.alertKey().equals(key) && (status == null || status.equals(n.status())));
  }

  private static String alertKey(String policyId, String instance) {
    return AlertKey.ofSeries(policyId, SeriesId.of(NAMESPACE, REGION, "cpu", dimensions(instance))).value();
  }

  private static Map<String, String> dimensions(String instance) {
    return Map.of("appid", TENANT, "instance", instance);
  }

  private static HttpResponse<String> push(Map<String, Double> byInstance) {
    Map<Map<String, String>, Double> values = new java.util.HashMap<>();
    byInstance.forEach((instance, value) -> values.put(dimensions(instance), value));
    return product.push("cpu", values);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
