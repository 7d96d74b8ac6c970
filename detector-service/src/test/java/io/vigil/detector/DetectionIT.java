package io.vigil.detector;

import static io.vigil.detector.DetectionFixtures.above;
import static io.vigil.detector.DetectionFixtures.cpu;
import static io.vigil.detector.DetectionFixtures.cpuAbove;
import static io.vigil.detector.DetectionFixtures.events;
import static io.vigil.detector.DetectionFixtures.instanceIs;
import static io.vigil.detector.DetectionFixtures.minutesAgo;
import static io.vigil.detector.DetectionFixtures.policy;
import static io.vigil.detector.DetectionFixtures.rollup;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.common.model.Rollup;
import io.vigil.common.series.AlertIds;
import io.vigil.common.series.AlertKey;
import io.vigil.common.store.StoreNames;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.detector.detect.AlertEngine;
import io.vigil.detector.policy.PolicyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Detection through the running service: policies written to the control tables and announced on
 * {@code control.changes}, rollups on the shard's topic, alert events read back from {@code
 * alerts.events} as the notifier reads them.
 */
@VigilServiceTest
@org.springframework.test.annotation.DirtiesContext // its detector stops with the class: no other test's rollups judged twice
// one test moves the pipeline's progress to the present, which must not come before the others' markers
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class DetectionIT {

  static final Duration WAIT = Duration.ofSeconds(30);

  /** Storage's value-at-window API, served by a real HTTP server: the windows a day back, by window and series. */
  static final Map<Long, Map<String, Map<String, Double>>> STORED = new java.util.concurrent.ConcurrentHashMap<>();
  static volatile boolean storageDown;
  /** Storage's series query API: the last query asked, and the answer given. */
  static volatile String lastQuery;
  static volatile String seriesAnswer = "{\"stepMs\":60000,\"truncated\":false,\"series\":[]}";
  static final com.sun.net.httpserver.HttpServer STORAGE = storage();

  static com.sun.net.httpserver.HttpServer storage() {
    try {
      var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
      var json = io.vigil.common.kafka.MessageCodec.defaultMapper();
      server.createContext("/v1/series/window", exchange -> {
        try (exchange) {
          java.util.concurrent.CountDownLatch hold = storageHold;
          if (hold != null) {
            storageAsked.countDown();
            try {
              hold.await(15, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          if (storageDown) {
            exchange.sendResponseHeaders(503, -1);
            return;
          }
          var ask = json.readTree(exchange.getRequestBody());
          long window = ask.get("windowStartMs").asLong();
          Map<String, Map<String, Double>> values = new java.util.TreeMap<>();
          for (var id : ask.get("seriesIds")) {
            var v = STORED.getOrDefault(window, Map.of()).get(id.asString());
            if (v != null) {
              values.put(id.asString(), v);
            }
          }
          byte[] body = json.writeValueAsBytes(Map.of("period", ask.get("period").asInt(), "windowStartMs", window,
              "values", values));
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
        }
      });
      server.createContext("/v1/series/query", exchange -> {
        try (exchange) {
          lastQuery = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
          String metric = json.readTree(lastQuery).path("metric").asString();
          byte[] body = SERIES_ANSWERS.getOrDefault(metric, seriesAnswer).getBytes(java.nio.charset.StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
        }
      });
      server.start();
      return server;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @org.springframework.test.context.DynamicPropertySource
  static void storageIsTheStub(org.springframework.test.context.DynamicPropertyRegistry registry) {
    registry.add("vigil.services.storage.base-url", () -> "http://127.0.0.1:" + STORAGE.getAddress().getPort());
    registry.add("vigil.services.storage.timeout", () -> "20s"); // outlasts a test's hold of an answer
  }

  @org.junit.jupiter.api.AfterAll
  static void stopStorage() {
    STORAGE.stop(0);
  }

  @Autowired
  io.micrometer.core.instrument.MeterRegistry meters;

  @Autowired
  DataSource dataSource;
  @Autowired
  VigilPublisher publisher;
  @Autowired
  PolicyStore policies;
  @Autowired
  AlertEngine detector;
  @Autowired
  StringRedisTemplate redis;
  @Autowired
  StoreNames names;

  DetectionFixtures fx;

  @BeforeEach
  void fixtures() {
    fx = new DetectionFixtures(dataSource, publisher, "default");
    Awaits.until("the first policy load", policies::loaded);
  }

  private void awaitHeld(String policyId, long version) {
    Awaits.until("policy " + policyId + " v" + version + " held", WAIT, () -> {
      var p = policies.snapshot().byId().get(policyId);
      return p != null && p.version() >= version;
    });
  }

  private static String key(String policyId, Rollup r) {
    return AlertKey.ofSeries(policyId, r.seriesId()).value();
  }

  /**
   * Changes go on being read while the index is built: a bulk import into a big shard must not stall
   * its change consumer behind every build (the build here is held up by a listener, which runs on
   * the swapping thread while it holds the swap).
   */
  @Test
  void changesAreReadWhileAnIndexIsBuilt() throws Exception {
    java.util.concurrent.CountDownLatch building = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    policies.addListener((before, after) -> {
      if (after != null && after.id().equals("p-slow-build") && release.getCount() > 0) {
        building.countDown();
        try {
          release.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    fx.upsert("p-slow-build", "A1", policy(instanceIs("i-slow"), cpuAbove(80, 1, 1), "ANY"), true);
    try {
      assertThat(building.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the swap began").isTrue();
      long next = fx.upsert("p-during-build", "A1", policy(instanceIs("i-during"), cpuAbove(80, 1, 1), "ANY"), true);
      Awaits.until("the change read while the swap holds on", WAIT, () -> policies.pendingChanges() > 0);
      release.countDown();
      awaitHeld("p-during-build", next);
    } finally {
      release.countDown();
    }
  }

  @Test
  void aBreachForNWindowsFiresOnceAndARecoveryResolves() {
    Map<String, String> mine = Map.of("appid", "A1", "instance", "i-1");
    Map<String, String> other = Map.of("appid", "A1", "instance", "i-2");
    awaitHeld("p-streak", fx.upsert("p-streak", "A1", policy(instanceIs("i-1"), cpuAbove(80, 2, 1), "ANY"), true));
    long w = minutesAgo(10);
    fx.publish(cpu(mine, w, 90), cpu(other, w, 90), cpu(mine, w + 60_000, 91), cpu(other, w + 60_000, 91),
        cpu(mine, w + 120_000, 95), cpu(mine, w + 180_000, 50));
    String key = key("p-streak", cpu(mine, w, 0));

    List<AlertEvent> seen = events(key, 2, WAIT);
    assertThat(seen).extracting(AlertEvent::status).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
    AlertEvent firing = seen.get(0);
    assertThat(firing.sequence()).as("the window that completed the streak").isEqualTo(w + 60_000);
    assertThat(firing.eventId()).isEqualTo(AlertIds.eventId(key, w + 60_000));
    assertThat(firing.value()).isEqualTo(91.0);
    assertThat(firing.threshold()).isEqualTo(80.0);
    assertThat(firing.tenant()).isEqualTo("A1");
    assertThat(firing.severity()).isEqualTo(AlertEvent.Severity.CRITICAL);
    assertThat(firing.dimensions()).isEqualTo(mine);
    assertThat(seen.get(1).sequence()).isEqualTo(w + 180_000);
    assertThat(seen.get(1).firstFiredAtMs()).isEqualTo(firing.firstFiredAtMs());
    assertThat(firing.summary()).startsWith("cpu ").endsWith(" 91 GT 80");
    assertThat(seen.get(1).summary()).as("a recovery says the condition no longer holds")
        .startsWith("cpu ").endsWith(" 50, no longer GT 80");
    assertThat(events(e -> e.policyId().equals("p-streak"), 3, Duration.ofSeconds(2)))
        .as("the other instance is filtered out; the third breach of an open alert says nothing").hasSize(2);
  }

  @Test
  void allConditionsOnSeveralMetricsFireOncePerObjectWhenEveryOneHolds() {
    Map<String, String> host = Map.of("appid", "A12", "instance", "i-1");
    Map<String, String> other = Map.of("appid", "A12", "instance", "i-2");
    Map<String, String> stale = Map.of("appid", "A12", "instance", "i-3");
    String both = "[" + above("cpu", 80, 1, 1) + "," + above("mem", 90, 1, 1) + "]";
    awaitHeld("p-all", fx.upsert("p-all", "A12", policy("[]", both, "ALL"), true));
    awaitHeld("p-any", fx.upsert("p-any", "A12", policy("[]", both, "ANY"), true));
    long w = minutesAgo(10);
    String object = AlertEngine.objectOf(cpu(host, w, 0));
    String all = AlertKey.ofObject("p-all", object).value();
    assertThat(object).as("every metric of an object has its id")
        .isEqualTo(AlertEngine.objectOf(rollup("mem", host, w, 0)));

    // cpu breaches alone, on both hosts: ALL says nothing yet; ANY fires for each cpu series
    fx.publish(cpu(host, w, 95), cpu(other, w, 95), rollup("mem", other, w, 10), cpu(stale, w, 95));
    assertThat(events(key("p-any", cpu(host, w, 0)), 1, WAIT)).hasSize(1);
    assertThat(events(key("p-any", cpu(other, w, 0)), 1, WAIT)).hasSize(1);
    assertThat(events(e -> e.policyId().equals("p-all"), 1, Duration.ofSeconds(2))).isEmpty();

    // mem breaches too on the first host: one alert for the object
    fx.publish(rollup("mem", host, w, 97));
    List<AlertEvent> fired = events(all, 1, WAIT);
    AlertEvent firing = fired.get(0);
    assertThat(firing.status()).isEqualTo(AlertStatus.FIRING);
    assertThat(firing.objectId()).isEqualTo(object);
    assertThat(firing.metric()).as("the metric whose window completed it").isEqualTo("mem");
    assertThat(firing.dimensions()).isEqualTo(host);
    assertThat(firing.tenant()).isEqualTo("A12");

    // cpu recovers: not every condition holds any more, the object's alert resolves
    fx.publish(cpu(host, w + 60_000, 20), rollup("mem", host, w + 60_000, 97));
    // the third host's cpu breached three windows before its mem does, and said nothing since: stale
    fx.publish(rollup("mem", stale, w + 180_000, 97));
    List<AlertEvent> seen = events(all, 2, WAIT);
    assertThat(seen).extracting(AlertEvent::status).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
    assertThat(seen.get(1).sequence()).isGreaterThan(firing.sequence());
    assertThat(events(e -> e.policyId().equals("p-all"), 3, Duration.ofSeconds(2)))
        .as("the other hosts never had both at once").hasSize(2);
  }

  @Test
  @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // its marker says the present: after every other test's
  void aSeriesThatWentQuietLeavesMemoryAndAStreakUnderWayStays() {
    Map<String, String> quiet = Map.of("appid", "A13", "instance", "i-1");
    Map<String, String> streaking = Map.of("appid", "A13", "instance", "i-2");
    awaitHeld("p-quiet", fx.upsert("p-quiet", "A13", policy("[]", cpuAbove(80, 3, 1), "ANY"), true));
    long w = minutesAgo(120);
    fx.publish(cpu(quiet, w, 10), cpu(streaking, w, 95)); // one breach of three: a streak under way
    String idle = key("p-quiet", cpu(quiet, w, 0));
    String streak = key("p-quiet", cpu(streaking, w, 0));
    Awaits.until("both judged", WAIT, () -> detector.describe(idle) != null && detector.describe(streak) != null);
    double before = meters.get("vigil.detector.states.evicted").counter().count();

    fx.progress(System.currentTimeMillis() / 60_000 * 60_000); // the pipeline is two hours on
    Awaits.until("the quiet series' state leaves memory", WAIT, () -> detector.describe(idle) == null);
    assertThat(detector.describe(streak)).as("a streak under way is kept").isNotNull();
    assertThat(meters.get("vigil.detector.states.evicted").counter().count()).isGreaterThan(before);
  }

  @Test
  void aPolicyOfOneTenantNeverFiresOnAnotherTenantsSeries() {
    Map<String, String> a = Map.of("appid", "A2", "instance", "i-1");
    // tenant B filters on A's appid: the tenant term ANDed into every policy wins
    String stealing = policy("[{\"Function\":\"Equal\",\"Field\":\"appid\",\"Args\":\"A2\"}]", cpuAbove(10, 1, 1),
        "ANY");
    long v1 = fx.upsert("p-thief", "B2", stealing, true);
    long v2 = fx.upsert("p-owner", "A2", stealing, true);
    awaitHeld("p-thief", v1);
    awaitHeld("p-owner", v2);
    long w = minutesAgo(10);
    fx.publish(cpu(a, w, 50));
    assertThat(events(key("p-owner", cpu(a, w, 0)), 1, WAIT)).hasSize(1);
    assertThat(events(e -> e.policyId().equals("p-thief"), 1, Duration.ofSeconds(2))).isEmpty();
  }

  @Test
  void deletingOrDisablingAPolicyResolvesItsOpenAlertsWithTheReason() {
    Map<String, String> dims = Map.of("appid", "A3", "instance", "i-1");
    String body = policy(instanceIs("i-1"), cpuAbove(80, 1, 1), "ANY");
    awaitHeld("p-del", fx.upsert("p-del", "A3", body, true));
    awaitHeld("p-off", fx.upsert("p-off", "A3", body, true));
    long w = minutesAgo(10);
    fx.publish(cpu(dims, w, 99));
    String deleted = key("p-del", cpu(dims, w, 0));
    String disabled = key("p-off", cpu(dims, w, 0));
    assertThat(events(deleted, 1, WAIT)).hasSize(1);
    assertThat(events(disabled, 1, WAIT)).hasSize(1);

    fx.delete("p-del", "A3");
    fx.upsert("p-off", "A3", body, false);

    List<AlertEvent> d = events(deleted, 2, WAIT);
    assertThat(d).extracting(AlertEvent::status).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
    assertThat(d.get(1).reason()).isEqualTo("policy_deleted");
    assertThat(d.get(1).sequence()).isGreaterThan(d.get(0).sequence());
    List<AlertEvent> o = events(disabled, 2, WAIT);
    assertThat(o.get(1).reason()).isEqualTo("policy_disabled");
    assertThat(o.get(1).status()).isEqualTo(AlertStatus.RESOLVED);
    Awaits.until("the deleted policy's alert leaves Redis and memory", WAIT,
        () -> storedIn(deleted).isEmpty() && detector.describe(deleted) == null);
  }

  @Test
  void aChangedConditionResolvesAndAChangedReceiverKeepsTheAlert() {
    Map<String, String> dims = Map.of("appid", "A4", "instance", "i-1");
    awaitHeld("p-edit", fx.upsert("p-edit", "A4", policy(instanceIs("i-1"), cpuAbove(80, 1, 1), "ANY"), true));
    long w = minutesAgo(10);
    fx.publish(cpu(dims, w, 99));
    String key = key("p-edit", cpu(dims, w, 0));
    assertThat(events(key, 1, WAIT)).hasSize(1);

    // a new name and severity judge nothing differently: the alert stays open, nothing is said
    String renamed = policy(instanceIs("i-1"), cpuAbove(80, 1, 1), "ANY").replace("\"name\":\"p\"",
        "\"name\":\"renamed\"");
    awaitHeld("p-edit", fx.upsert("p-edit", "A4", renamed, true));
    fx.publish(cpu(dims, w + 60_000, 99));
    assertThat(events(key, 2, Duration.ofSeconds(3))).hasSize(1);
    assertThat(detector.describe(key)).containsEntry("status", "FIRING");

    // a new threshold judges differently: resolved with the reason, then judged afresh
    awaitHeld("p-edit", fx.upsert("p-edit", "A4", policy(instanceIs("i-1"), cpuAbove(95, 1, 1), "ANY"), true));
    List<AlertEvent> seen = events(key, 2, WAIT);
    assertThat(seen.get(1).reason()).isEqualTo("policy_changed");
    fx.publish(cpu(dims, w + 120_000, 99));
    List<AlertEvent> after = events(key, 3, WAIT);
    assertThat(after).extracting(AlertEvent::status)
        .containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED, AlertStatus.FIRING);
    assertThat(after.get(2).sequence()).isGreaterThan(after.get(1).sequence());
  }

  @Test
  void aRestoredPartitionNeitherFiresAgainNorForgetsTheRecovery() {
    Map<String, String> dims = Map.of("appid", "A5", "instance", "i-1");
    awaitHeld("p-keep", fx.upsert("p-keep", "A5", policy(instanceIs("i-1"), cpuAbove(80, 1, 2), "ANY"), true));
    long w = minutesAgo(10);
    Rollup first = cpu(dims, w, 99);
    fx.publish(first, cpu(dims, w + 60_000, 10));
    String key = key("p-keep", first);
    assertThat(events(key, 1, WAIT)).hasSize(1);
    Awaits.until("the recovery streak is in memory", WAIT, () -> {
      var d = detector.describe(key);
      return d != null && ((List<?>) d.get("conditions")).toString().contains("streak=1");
    });

    // a loss heard late by another consumer of this instance lets go of nothing that one did not gain
    List<TopicPartition> all = partitionsHolding(key);
    Thread late = new Thread(() -> detector.lost(all), "another-consumer");
    late.start();
    try {
      late.join();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    assertThat(detector.describe(key)).as("kept by the consumer that gained it").containsEntry("status", "FIRING");

    // as a rebalance does: the partition is handed back and gained again, its alerts read from Redis
    detector.revoked(all);
    assertThat(detector.describe(key)).isNull();
    detector.assigned(all);
    assertThat(detector.describe(key)).containsEntry("status", "FIRING");

    fx.publish(cpu(dims, w + 60_000, 10), cpu(dims, w + 120_000, 10)); // a replayed window, then the second
    List<AlertEvent> seen = events(key, 2, WAIT);
    assertThat(seen).extracting(AlertEvent::status).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
    assertThat(seen.get(1).sequence()).as("the recovery streak survived: resolved at its second window")
        .isEqualTo(w + 120_000);
  }

  @Test
  void aPolicyDeletedWhileNoDetectorHeldItsAlertIsResolvedWhenThePartitionIsGained() {
    Map<String, String> dims = Map.of("appid", "A11", "instance", "i-1");
    awaitHeld("p-gone", fx.upsert("p-gone", "A11", policy(instanceIs("i-1"), cpuAbove(80, 1, 1), "ANY"), true));
    long w = minutesAgo(10);
    Rollup first = cpu(dims, w, 99);
    fx.publish(first);
    String key = key("p-gone", first);
    AlertEvent firing = events(key, 1, WAIT).get(0);
    Awaits.until("the firing alert is stored as published", WAIT,
        () -> storedJson(key).contains("\"publishedSequence\":" + firing.sequence()));

    // the partition has no owner (its detector is down) while the policy is deleted
    List<TopicPartition> all = partitionsHolding(key);
    detector.revoked(all);
    fx.delete("p-gone", "A11");
    Awaits.until("the deletion is applied", WAIT, () -> !policies.snapshot().byId().containsKey("p-gone"));
    detector.assigned(all);

    List<AlertEvent> seen = events(key, 2, WAIT);
    assertThat(seen).extracting(AlertEvent::status).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
    AlertEvent resolved = seen.get(1);
    assertThat(resolved.reason()).isEqualTo("policy_deleted");
    assertThat(resolved.tenant()).isEqualTo("A11");
    assertThat(resolved.severity()).isEqualTo(firing.severity());
    assertThat(resolved.sequence()).isGreaterThan(firing.sequence());
    Awaits.until("the resolved alert of the deleted policy leaves Redis and memory", WAIT,
        () -> storedIn(key).isEmpty() && detector.describe(key) == null);
  }

  @Test
  void aSeriesThatStopsIsNoDataByThePipelinesProgressAndDataReturningResolvesIt() {
    Map<String, String> stops = Map.of("appid", "N1", "instance", "i-1");
    Map<String, String> goesOn = Map.of("appid", "N1", "instance", "i-2");
    String never = "[{\"metric\":\"cpu\",\"period\":60,\"operator\":\"GT\",\"threshold\":1000,"
        + "\"noDataPeriods\":3}]";
    awaitHeld("p-nodata", fx.upsert("p-nodata", "N1", policy("[]", never, "ANY"), true));
    long w = minutesAgo(20);
    for (int i = 0; i < 3; i++) {
      fx.publish(cpu(stops, w + i * 60_000L, 5), cpu(goesOn, w + i * 60_000L, 5));
    }
    fx.progress(w + 180_000);
    // the aggregator pauses: no marker moves, so nothing is missing, however long the wall clock runs
    assertThat(events(e -> e.policyId().equals("p-nodata"), 1, Duration.ofSeconds(3))).isEmpty();

    for (int i = 3; i < 6; i++) {
      fx.publish(cpu(goesOn, w + i * 60_000L, 5));
    }
    fx.progress(w + 300_000); // two windows missing: not yet
    fx.progress(w + 360_000); // the third
    String key = key("p-nodata", cpu(stops, w, 0));
    List<AlertEvent> noData = events(key, 1, WAIT);
    assertThat(noData).extracting(AlertEvent::status).containsExactly(AlertStatus.NO_DATA);
    assertThat(noData.get(0).sequence()).as("the third missing window").isEqualTo(w + 300_000);
    assertThat(noData.get(0).windowStartMs()).isEqualTo(w + 300_000);
    assertThat(noData.get(0).value()).isNull();

    fx.publish(cpu(stops, w + 360_000, 5));
    List<AlertEvent> back = events(key, 2, WAIT);
    assertThat(back.get(1).status()).isEqualTo(AlertStatus.RESOLVED);
    assertThat(back.get(1).reason()).isEqualTo("data_returned");
    assertThat(events(e -> e.policyId().equals("p-nodata"), 3, Duration.ofSeconds(2)))
        .as("the series that went on reporting was never missing").hasSize(2);
  }

  @Test
  void aGainedPartitionCountsNoWindowMissingThatItsEarlierOwnerSaw() {
    // Rollups of a namespace with a small grace are sent before the partition's marker, which closes
    // windows by the largest grace there, vouches for them. A handover in that gap leaves the new owner
    // a Redis copy as old as the series' last change and a first marker that closes one window fewer
    // than the old owner had seen. (FaultsIT once saw NO_DATA for healthy series this way.)
    Map<String, String> dims = Map.of("appid", "N2", "instance", "i-1");
    String never = "[{\"metric\":\"cpu\",\"period\":60,\"operator\":\"GT\",\"threshold\":1000,"
        + "\"noDataPeriods\":1}]";
    awaitHeld("p-handover", fx.upsert("p-handover", "N2", policy("[]", never, "ANY"), true));
    long w = minutesAgo(40); // below every other test's markers, which move progress on every partition
    String key = key("p-handover", cpu(dims, w, 0));
    fx.publish(cpu(dims, w, 5));
    Awaits.until("the watched state is in Redis", WAIT, () -> !storedIn(key).isEmpty());
    long seen = w + 120_000;
    fx.publish(cpu(dims, w + 60_000, 5), cpu(dims, seen, 5)); // a healthy series changes nothing in Redis
    Awaits.until("the old owner read the window", WAIT, () -> {
      var d = detector.describe(key);
      return d != null && d.get("conditions").toString().contains("lastWindowMs=" + seen);
    });

    List<TopicPartition> all = partitionsHolding(key);
    detector.revoked(all);
    detector.assigned(all);
    long grace = 5_000; // another namespace's, on the same source partition; this series' grace is 1 s
    fx.progress(seen + 61_000, 1_000, grace); // the first marker the new owner reads: it closes through `seen` only
    fx.progress(seen + 66_000, 1_000, grace); // closes `seen`, which the new owner never read
    assertThat(events(key, 1, Duration.ofSeconds(3))).as("no window went missing").isEmpty();

    fx.publish(cpu(dims, seen + 60_000, 5)); // then the series stops: its next window does go missing
    fx.progress(seen + 121_000, 1_000, grace);
    fx.progress(seen + 186_000, 1_000, grace);
    List<AlertEvent> noData = events(key, 1, WAIT);
    assertThat(noData).extracting(AlertEvent::status).containsExactly(AlertStatus.NO_DATA);
    assertThat(noData.get(0).windowStartMs()).isEqualTo(seen + 120_000);
  }

  @Test
  void anEventRuleFiresOnTheAbnormalEventOnceAndTheRecoveryResolves() {
    String rules = "{\"name\":\"disks\",\"namespace\":\"qce/cvm\",\"eventRules\":[{\"eventTypes\":"
        + "[\"disk_failure\"],\"filters\":[{\"Function\":\"Equal\",\"Field\":\"zone\",\"Args\":\"gz-3\"}]}]}";
    awaitHeld("p-disk", fx.upsert("p-disk", "E1", rules, true));
    long t = System.currentTimeMillis() - 60_000;
    fx.event("disk_failure", "ins-1", "E1", true, t);
    fx.event("disk_failure", "ins-1", "E1", true, t + 1_000); // the same problem again: the alert is open
    fx.event("reboot", "ins-1", "E1", true, t + 2_000); // not a type of the rule
    fx.event("disk_failure", "ins-9", "E9", true, t + 2_000); // another tenant's object
    fx.event("disk_failure", "ins-1", "E1", false, t + 3_000);
    String key = AlertKey.ofObject("p-disk", "ins-1").value();
    List<AlertEvent> seen = events(key, 2, WAIT);
    assertThat(seen).extracting(AlertEvent::status).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
    assertThat(seen.get(0).sequence()).isEqualTo(t);
    assertThat(seen.get(0).objectId()).isEqualTo("ins-1");
    assertThat(seen.get(0).seriesId()).isZero();
    assertThat(seen.get(0).summary()).startsWith("disk_failure");
    assertThat(seen.get(1).sequence()).isEqualTo(t + 3_000);
    assertThat(events(e -> e.policyId().equals("p-disk"), 3, Duration.ofSeconds(2))).hasSize(2);
  }

  /** While set, storage's window answers wait for it (after counting down {@link #storageAsked}). */
  static volatile java.util.concurrent.CountDownLatch storageHold;
  static volatile java.util.concurrent.CountDownLatch storageAsked;

  @Test
  void aPolicyDeletedWhileABatchWaitsOnStorageFiresNothingThatCouldNeverResolve() throws Exception {
    // the batch matches the policy, then asks storage for its day-ago windows before it locks; the
    // policy is deleted (and its alerts resolved) meanwhile
    String dayOverDay = "[{\"metric\":\"cpu\",\"period\":60,\"statistic\":\"AVG\",\"compare\":\"DAY_AGO\","
        + "\"operator\":\"GT\",\"threshold\":50}]";
    awaitHeld("p-race", fx.upsert("p-race", "D2", policy("[]", dayOverDay, "ANY"), true));
    long w = minutesAgo(10);
    Rollup grew = cpu(Map.of("appid", "D2", "instance", "i-1"), w, 70);
    STORED.put(w - 86_400_000L, Map.of(io.vigil.common.series.SeriesId.hex(grew.seriesId()),
        Map.of("avg", 40.0, "sum", 40.0, "count", 1.0, "min", 40.0, "max", 40.0, "last", 40.0)));
    double dropped = meters.get("vigil.detector.conditions.skipped").tag("reason", "policy_changed").counter().count();
    storageAsked = new java.util.concurrent.CountDownLatch(1);
    storageHold = new java.util.concurrent.CountDownLatch(1);
    try {
      fx.publish(grew);
      assertThat(storageAsked.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      fx.delete("p-race", "D2");
      Awaits.until("the deletion is applied", WAIT, () -> !policies.snapshot().byId().containsKey("p-race"));
    } finally {
      storageHold.countDown();
      storageHold = null;
    }
    String key = key("p-race", grew);
    Awaits.until("the batch judged", WAIT, () -> meters.get("vigil.detector.conditions.skipped")
        .tag("reason", "policy_changed").counter().count() > dropped || detector.describe(key) != null);
    assertThat(events(key, 1, Duration.ofSeconds(2))).as("no alert of a deleted policy").isEmpty();
    assertThat(detector.describe(key)).isNull();
  }

  @Test
  void aChangeAgainstTheSameWindowADayAgoFiresAndWithoutThatWindowItIsSkippedNeverFired() {
    String dayOverDay = "[{\"metric\":\"cpu\",\"period\":60,\"statistic\":\"AVG\",\"compare\":\"DAY_AGO\","
        + "\"operator\":\"GT\",\"threshold\":50}]";
    awaitHeld("p-dod", fx.upsert("p-dod", "D1", policy("[]", dayOverDay, "ANY"), true));
    long w = minutesAgo(10);
    Rollup grew = cpu(Map.of("appid", "D1", "instance", "i-1"), w, 70);
    Rollup unknown = cpu(Map.of("appid", "D1", "instance", "i-2"), w, 70);
    STORED.put(w - 86_400_000L, Map.of(io.vigil.common.series.SeriesId.hex(grew.seriesId()),
        Map.of("avg", 40.0, "sum", 40.0, "count", 1.0, "min", 40.0, "max", 40.0, "last", 40.0)));
    double noBaseline = skipped("no_baseline");
    fx.publish(grew, unknown);
    List<AlertEvent> fired = events(key("p-dod", grew), 1, WAIT);
    assertThat(fired.get(0).value()).as("percent change from 40 to 70").isEqualTo(75.0);
    Awaits.until("the series storage has no day-ago window for is skipped", WAIT,
        () -> skipped("no_baseline") > noBaseline);

    double unavailable = skipped("storage_unavailable");
    storageDown = true;
    try {
      Rollup later = cpu(Map.of("appid", "D1", "instance", "i-3"), w + 60_000, 700);
      fx.publish(later);
      Awaits.until("skipped while storage is away", WAIT, () -> skipped("storage_unavailable") > unavailable);
      assertThat(events(key("p-dod", later), 1, Duration.ofSeconds(2))).isEmpty();
    } finally {
      storageDown = false;
    }
  }

  @org.springframework.boot.test.web.server.LocalServerPort
  int port;

  private java.net.http.HttpResponse<String> call(String key, String path, String postBody) {
    var http = new io.vigil.common.testing.Http(port);
    var request = http.request(path).header("Authorization", "Bearer " + key);
    return http.send(postBody == null ? request.GET().build()
        : request.header("Content-Type", "application/json")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(postBody)).build());
  }

  @Test
  void explainSaysWhetherAPolicyJudgesASeriesWhichCheckFailsAndWhereItsAlertStands() {
    Map<String, String> dims = Map.of("appid", "t1", "instance", "i-1");
    awaitHeld("p-why", fx.upsert("p-why", "t1", policy(instanceIs("i-1"), cpuAbove(80, 1, 1), "ANY"), true));
    Rollup r = cpu(dims, minutesAgo(10), 99);
    fx.publish(r);
    assertThat(events(key("p-why", r), 1, WAIT)).hasSize(1);
    String hex = io.vigil.common.series.SeriesId.hex(r.seriesId());

    var ok = call(io.vigil.common.testing.VigilTestInitializer.T1_VIEWER_KEY,
        "/v1/explain?policyId=p-why&seriesId=" + hex, null);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    var why = io.vigil.common.testing.Http.json(ok);
    assertThat(why.path("matches").asBoolean()).isTrue();
    assertThat(why.path("alert").path("status").asString()).isEqualTo("FIRING");
    assertThat(why.path("series").path("dimensions").path("instance").asString()).isEqualTo("i-1");

    String other = io.vigil.common.series.SeriesId.hex(cpu(Map.of("appid", "t1", "instance", "i-2"), minutesAgo(1), 0).seriesId());
    var miss = io.vigil.common.testing.Http.json(call(io.vigil.common.testing.VigilTestInitializer.T1_VIEWER_KEY,
        "/v1/explain?policyId=p-why&seriesId=" + other + "&namespace=qce/cvm&region=" + DetectionFixtures.REGION
            + "&metric=cpu&dimension=appid=t1&dimension=instance=i-2", null));
    assertThat(miss.path("matches").asBoolean()).isFalse();
    List<String> failed = new java.util.ArrayList<>();
    miss.path("checks").forEach(c -> {
      if (!c.path("passed").asBoolean()) {
        failed.add(c.path("check").asString());
      }
    });
    assertThat(failed).containsExactly("filters[0]");

    // a series nobody has seen, not described: no instance to ask, answered here with a note
    String unseen = io.vigil.common.series.SeriesId.hex(cpu(Map.of("appid", "t1", "instance", "i-404"), minutesAgo(1), 0).seriesId());
    var nobody = call(io.vigil.common.testing.VigilTestInitializer.T1_VIEWER_KEY,
        "/v1/explain?policyId=p-why&seriesId=" + unseen, null);
    assertThat(nobody.statusCode()).as(nobody.body()).isEqualTo(200);
    assertThat(io.vigil.common.testing.Http.json(nobody).path("note").asString()).contains("no instance");
    // a lone dimension value with a comma in it is one dimension (a list parameter would split it)
    String comma = io.vigil.common.series.SeriesId.hex(
        io.vigil.common.series.SeriesId.of("qce/cvm", DetectionFixtures.REGION, "cpu", Map.of("appid", "t1,x")));
    var split = call(io.vigil.common.testing.VigilTestInitializer.T1_VIEWER_KEY, "/v1/explain?policyId=p-why&seriesId="
        + comma + "&namespace=qce/cvm&region=" + DetectionFixtures.REGION + "&metric=cpu&dimension=appid%3Dt1,x", null);
    assertThat(split.statusCode()).as(split.body()).isEqualTo(200);
    assertThat(io.vigil.common.testing.Http.json(split).path("series").path("dimensions").path("appid").asString())
        .isEqualTo("t1,x");

    assertThat(call(io.vigil.common.testing.VigilTestInitializer.T2_OPERATOR_KEY,
        "/v1/explain?policyId=p-why&seriesId=" + hex, null).statusCode()).as("another tenant's policy").isEqualTo(404);
    // a token made through the control plane (not configured here) is read from the control tables,
    // as the console calls with the signed-in operator's own
    fx.operatorToken("tok_why_" + System.nanoTime(), "dora", "vgl_dora_explains", "VIEWER", "t1");
    assertThat(call("vgl_dora_explains", "/v1/explain?policyId=p-why&seriesId=" + hex, null).statusCode())
        .isEqualTo(200);
    assertThat(call("vgl_nobody", "/v1/explain?policyId=p-why&seriesId=" + hex, null).statusCode()).isEqualTo(401);
    var bad = call(io.vigil.common.testing.VigilTestInitializer.T1_VIEWER_KEY, "/v1/explain?policyId=p-why&seriesId=xyz",
        null);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("seriesId");
  }

  /**
   * The owner registry explain asks: each instance writes the partitions it holds, sees only the
   * others' fresh fields, never takes back a field a new holder wrote, and lets go of a partition only
   * while its field still names it.
   */
  @Test
  void partitionOwnersNameTheLiveHolderOfEachPartition() throws Exception {
    long start = System.currentTimeMillis();
    io.vigil.common.testing.ManualClock clockA = new io.vigil.common.testing.ManualClock(start);
    io.vigil.common.testing.ManualClock clockB = new io.vigil.common.testing.ManualClock(start);
    java.util.Set<Integer> heldByA = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.Set<Integer> heldByB = java.util.concurrent.ConcurrentHashMap.newKeySet();
    var deps = new io.vigil.common.observability.DependencyMetrics(meters, java.util.Set.of("redis"));
    String shard = "owners-" + Long.toHexString(System.nanoTime());
    var a = new io.vigil.detector.shard.PartitionOwners(redis, names, shard, () -> heldByA, deps, meters, clockA);
    var b = new io.vigil.detector.shard.PartitionOwners(redis, names, shard, () -> heldByB, deps, meters, clockB);
    String key = names.redisKey("detector", shard, "owners");
    java.util.function.IntFunction<String> field = p -> String.valueOf(redis.opsForHash().get(key, Integer.toString(p)));
    try {
      heldByA.addAll(List.of(1, 2));
      a.serving("http://10.0.0.1:8084");
      b.serving("http://10.0.0.2:8084");
      Awaits.until("A's partitions written", WAIT, () -> "http://10.0.0.1:8084".equals(b.owner(1))
          && "http://10.0.0.1:8084".equals(b.owner(2)));
      assertThat(a.owner(1)).as("an instance is not its own peer").isNull();
      assertThat(b.owner(3)).as("nobody holds 3").isNull();
      assertThat(b.others()).containsExactly("http://10.0.0.1:8084");
      assertThat(a.others()).isEmpty();

      // a rebalance: B restores 1 while A still has it; A's refresh then leaves B's field alone
      heldByB.add(1);
      b.changed().get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(a.owner(1)).isEqualTo("http://10.0.0.2:8084");
      a.changed().get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(field.apply(1)).as("a refresh does not take back the new holder's field").endsWith(" http://10.0.0.2:8084");
      // A hears it lost 1: its letting go leaves B's field too
      heldByA.remove(1);
      a.changed().get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(field.apply(1)).endsWith(" http://10.0.0.2:8084");
      assertThat(field.apply(2)).endsWith(" http://10.0.0.1:8084");

      // 2 moves to B, and back to A between two of A's passes: A's restore writes it again
      heldByB.add(2);
      b.changed(2, true).get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(field.apply(2)).endsWith(" http://10.0.0.2:8084");
      a.changed(2, true).get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(field.apply(2)).as("a partition restored is written whatever its field said")
          .endsWith(" http://10.0.0.1:8084");
      b.changed().get(10, java.util.concurrent.TimeUnit.SECONDS); // B, not yet told, refreshes: A's field stays
      assertThat(field.apply(2)).endsWith(" http://10.0.0.1:8084");

      // A killed: by B's clock its field is stale (A's clock stands still, so no refresh of A's is fresh)
      clockB.advance(io.vigil.detector.shard.PartitionOwners.STALE.plusSeconds(1));
      assertThat(b.owner(2)).isNull();
      assertThat(b.others()).isEmpty();
      b.changed().get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(field.apply(2)).as("a refresh writes over a stale field").endsWith(" http://10.0.0.2:8084");
    } finally {
      b.close();
      a.close();
    }
    assertThat(redis.opsForHash().entries(key)).as("an orderly stop takes its fields out").isEmpty();
  }

  @Test
  void aBacktestRunsAnUnsavedPolicyOverStoredWindowsWithTheSameEvaluator() {
    fx.namespace("{\"name\":\"qce/cvm\",\"tenantDimension\":\"appid\",\"requiredDimensions\":[\"appid\"],"
        + "\"optionalDimensions\":[\"instance\",\"zone\"],\"metrics\":[{\"name\":\"cpu\",\"unit\":\"percent\"}],"
        + "\"periods\":[60,300],\"eventTypes\":[\"disk_failure\",\"reboot\"]}");
    Awaits.until("the namespace is held", WAIT, () -> policies.namespace(DetectionFixtures.NS) != null);
    long w = (System.currentTimeMillis() / 60_000 - 30) * 60_000;
    String hex = io.vigil.common.series.SeriesId.hex(cpu(Map.of("appid", "t1", "instance", "i-7"), minutesAgo(1), 0).seriesId());
    seriesAnswer = "{\"stepMs\":60000,\"truncated\":false,\"series\":[{\"seriesId\":\"" + hex + "\","
        + "\"namespace\":\"qce/cvm\",\"region\":\"ap-guangzhou\",\"dimensions\":{\"appid\":\"t1\",\"instance\":"
        + "\"i-7\"},\"points\":[{\"t\":" + w + ",\"v\":90},{\"t\":" + (w + 60_000) + ",\"v\":95},{\"t\":"
        + (w + 120_000) + ",\"v\":99},{\"t\":" + (w + 180_000) + ",\"v\":50}]}]}";
    String unsaved = "{\"tenant\":\"t1\",\"minutes\":60,\"policy\":" + policy(instanceIs("i-7"), cpuAbove(80, 2, 1),
        "ANY") + "}";
    var r = call(io.vigil.common.testing.VigilTestInitializer.T1_OPERATOR_KEY, "/v1/backtest", unsaved);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    var result = io.vigil.common.testing.Http.json(r);
    List<String> seen = new java.util.ArrayList<>();
    result.path("transitions").forEach(t -> seen.add(t.path("status").asString() + "@" + t.path("windowStartMs")
        .asLong()));
    assertThat(seen).containsExactly("FIRING@" + (w + 60_000), "RESOLVED@" + (w + 180_000));
    assertThat(lastQuery).as("the policy's tenant is a term of the query")
        .contains("{\"Function\":\"Equal\",\"Field\":\"appid\",\"Args\":\"t1\"}").contains("\"instance\"");

    assertThat(call(io.vigil.common.testing.VigilTestInitializer.T2_OPERATOR_KEY, "/v1/backtest", unsaved)
        .statusCode()).as("a tenant not the caller's").isEqualTo(404);
    var invalid = call(io.vigil.common.testing.VigilTestInitializer.T1_OPERATOR_KEY, "/v1/backtest",
        unsaved.replace("\"minutes\":60", "\"minutes\":0"));
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(invalid.body()).contains("minutes");
    var badMetric = call(io.vigil.common.testing.VigilTestInitializer.T1_OPERATOR_KEY, "/v1/backtest",
        unsaved.replace("\"metric\":\"cpu\"", "\"metric\":\"disk\""));
    assertThat(badMetric.statusCode()).isEqualTo(400);
    assertThat(badMetric.body()).contains("policy.conditions[0].metric");
  }

  /** The storage stub's answer to a series query of a metric, where one is set (else {@code seriesAnswer}). */
  static final Map<String, String> SERIES_ANSWERS = new java.util.concurrent.ConcurrentHashMap<>();

  static String storedSeries(Rollup like, long w, double... values) {
    StringBuilder points = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      points.append(i == 0 ? "" : ",").append("{\"t\":").append(w + i * 60_000L).append(",\"v\":").append(values[i])
          .append("}");
    }
    return "{\"stepMs\":60000,\"truncated\":false,\"series\":[{\"seriesId\":\""
        + io.vigil.common.series.SeriesId.hex(like.seriesId()) + "\",\"namespace\":\"" + like.namespace()
        + "\",\"region\":\"" + like.region() + "\",\"dimensions\":{\"appid\":\"" + like.dimensions().get("appid")
        + "\",\"instance\":\"" + like.dimensions().get("instance") + "\"},\"points\":[" + points + "]}]}";
  }

  @Test
  void aBacktestOfConditionsOnSeveralMetricsThatMustAllHoldJudgesEachObject() {
    fx.namespace("{\"name\":\"qce/cvm\",\"tenantDimension\":\"appid\",\"requiredDimensions\":[\"appid\"],"
        + "\"optionalDimensions\":[\"instance\",\"zone\"],\"metrics\":[{\"name\":\"cpu\",\"unit\":\"percent\"},"
        + "{\"name\":\"mem\",\"unit\":\"percent\"}],\"periods\":[60,300],\"eventTypes\":[\"reboot\"]}");
    Awaits.until("the namespace with mem is held", WAIT, () -> policies.namespace(DetectionFixtures.NS) != null
        && policies.namespace(DetectionFixtures.NS).metrics().size() == 2);
    long w = (System.currentTimeMillis() / 60_000 - 30) * 60_000;
    Map<String, String> host = Map.of("appid", "t1", "instance", "i-8");
    SERIES_ANSWERS.put("cpu", storedSeries(cpu(host, w, 0), w, 90, 90, 50));
    SERIES_ANSWERS.put("mem", storedSeries(rollup("mem", host, w, 0), w, 10, 95, 95));
    try {
      String both = "[" + above("cpu", 80, 1, 1) + "," + above("mem", 90, 1, 1) + "]";
      var r = call(io.vigil.common.testing.VigilTestInitializer.T1_OPERATOR_KEY, "/v1/backtest",
          "{\"tenant\":\"t1\",\"minutes\":60,\"policy\":" + policy("[]", both, "ALL") + "}");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      var result = io.vigil.common.testing.Http.json(r);
      List<String> seen = new java.util.ArrayList<>();
      result.path("transitions").forEach(t -> seen.add(t.path("status").asString() + "@"
          + t.path("windowStartMs").asLong() + " " + t.path("objectId").asString()));
      String object = AlertEngine.objectOf(cpu(host, w, 0));
      assertThat(seen).as("both hold only in the second window").containsExactly("FIRING@" + (w + 60_000) + " " + object,
          "RESOLVED@" + (w + 120_000) + " " + object);
      assertThat(result.path("seriesJudged").asInt()).as("one object").isEqualTo(1);
    } finally {
      SERIES_ANSWERS.clear();
    }
  }

  @Test
  void everyRouteIsDocumentedAndNoBadInputMakesA5xx() {
    var docs = io.vigil.common.testing.Http.json(call(io.vigil.common.testing.VigilTestInitializer.SERVICE_KEY,
        "/v3/api-docs", null)).path("paths");
    assertThat(docs.propertyNames()).contains("/v1/explain", "/v1/backtest");
    List<String> failures = new java.util.ArrayList<>();
    for (String path : docs.propertyNames()) {
      if (!path.startsWith("/v1/")) {
        continue; // the shared contract-test controller
      }
      for (String method : docs.path(path).propertyNames()) {
        var op = docs.path(path).path(method);
        assertThat(op.path("responses").has("400")).as("problems of %s %s", method, path).isTrue();
        if (method.equals("post")) {
          for (String body : new String[] {"", "{}", "[]", "null", "{\"minutes\":\"x\"}", "{\"policy\":[]}",
              "{\"tenant\":\"t1\",\"policy\":{\"conditions\":[null]}}", "{\"policyId\":{}}"}) {
            var r = call(io.vigil.common.testing.VigilTestInitializer.T1_OPERATOR_KEY, path, body);
            if (r.statusCode() < 400 || r.statusCode() >= 500
                || !r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
              failures.add(path + " " + body + " -> " + r.statusCode() + " " + r.body());
            }
          }
        } else {
          for (var p : op.path("parameters")) {
            for (String v : new String[] {"x", "-1", "", "%00", "99999999999999999999", "=", "a=b"}) {
              var r = call(io.vigil.common.testing.VigilTestInitializer.T1_OPERATOR_KEY,
                  path + "?" + p.path("name").asString() + "=" + java.net.URLEncoder.encode(v,
                      java.nio.charset.StandardCharsets.UTF_8), null);
              if (r.statusCode() >= 500 || r.statusCode() < 400) {
                failures.add(path + "?" + p.path("name").asString() + "=" + v + " -> " + r.statusCode());
              }
            }
          }
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  private double skipped(String reason) {
    var c = meters.find("vigil.detector.conditions.skipped").tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  private List<TopicPartition> partitionsHolding(String alertKey) {
    List<TopicPartition> out = storedIn(alertKey);
    assertThat(out).as("the alert's partition has its Redis copy").hasSize(1);
    return out;
  }

  /** The partitions whose Redis hash holds this alert. */
  /** The alert's durable copies (JSON), from every partition's hash. */
  private String storedJson(String alertKey) {
    StringBuilder out = new StringBuilder();
    for (int p = 0; p < io.vigil.common.kafka.Topics.rollup("default").partitions(); p++) {
      Object v = redis.opsForHash().get(names.redisKey("detector", "default", "alerts", Integer.toString(p)), alertKey);
      if (v != null) {
        out.append(v);
      }
    }
    return out.toString();
  }

  private List<TopicPartition> storedIn(String alertKey) {
    String topic = io.vigil.common.testing.TestKafka.topic("metrics.rollup.default");
    List<TopicPartition> out = new java.util.ArrayList<>();
    for (int p = 0; p < io.vigil.common.kafka.Topics.rollup("default").partitions(); p++) {
      if (redis.opsForHash().hasKey(names.redisKey("detector", "default", "alerts", Integer.toString(p)), alertKey)) {
        out.add(new TopicPartition(topic, p));
      }
    }
    return out;
  }
}
