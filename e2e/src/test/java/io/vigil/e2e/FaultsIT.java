package io.vigil.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.series.AlertKey;
import io.vigil.common.series.SeriesId;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilTestInitializer;
import io.vigil.common.testing.fault.FaultProxy;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.common.GroupState;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Faults while load flows, on the platform scaled out, side by side with the other classes. A product
 * pushes a point a second for each of its instances, to whichever gateway answers; four of them breach a
 * policy. A second instance each of gateway, aggregator, detector, notifier and storage joins (same
 * consumer groups, ports of their own); each of them is SIGKILLed and restarted; once the breaches have
 * paged, the second instances of gateway, aggregator, detector and notifier stop in an orderly way; then
 * the breaches recover while Redis is refused to the detectors, and storage-2 loses Elasticsearch from
 * just before the minute's close until it has paused for it. The policy's webhook receiver answers; its
 * second one times out and falls back to e-mail. The notifiers cannot reach the cmdb (their way to it
 * refuses, as a cmdb that is down does) from before the load until the recovery has been told.
 *
 * <p>What must hold at the end: every point a gateway accepted is in the one-minute rollups storage
 * serves (counted, per instance and minute: nothing lost, nothing counted twice); each breach paged
 * once and recovered once (no doubled notification: one notification id per alert, status and
 * receiver), the recovery judged from the detectors' memory; no NO_DATA from the stalls; every page
 * went out without the instance's data, flagged as such ({@code enrichmentDegraded}); the timed-out
 * receiver was retried and its notifications went out by e-mail instead; the detectors counted
 * detecting without Redis, storage-2 counted waiting for Elasticsearch, the notifiers the cmdb away.
 *
 * <p>Why the added instances are the ones that crash: this class runs beside the others, which call the
 * first instances over HTTP (the README's walkthrough with curl among them). For Kafka the two instances
 * of a service are alike: a crash moves the crashed one's partitions to the other, whichever it is, and
 * those partitions carry every class's series, so the other classes' alerts cross the crashes too. The
 * dependencies go through proxies that only the notifiers (the cmdb), the detectors (Redis) and storage-2
 * (Elasticsearch) use, and storage-2 loses Elasticsearch only for seconds, so what the other classes read
 * from storage arrives late, never wrong.
 */
class FaultsIT {

  private static final String TENANT = "t5";
  private static final String PRODUCT = "e2efault";
  private static final String NAMESPACE = "e2efault/app";
  private static final int INSTANCES = 24;
  private static final Set<String> HOT = Set.of("f-00", "f-01", "f-02", "f-03");
  /** The instances this class adds, crashes and restarts; all but storage-2 stop before the recovery. */
  private static final List<String> SECOND = List.of("gateway-2", "aggregator-2", "detector-2", "notifier-2",
      "storage-2");
  private static final List<String> STOPPED_BEFORE_RECOVERY = List.of("gateway-2", "aggregator-2", "detector-2",
      "notifier-2");
  private static final List<String> GROUPS_OF = List.of("gateway", "aggregator", "detector", "notifier", "storage");
  private static final String FALLBACK_EMAIL = "pager@e2efault.example";

  @Test
  void crashedRestartedAndCutOffInstancesLoseNothingAndDoubleNothing() throws Exception {
    Platform platform = Platform.shared();
    // each instance's consumers per group (a service may run several consumers of one group)
    Map<String, Integer> alone = groupMembers();
    Map<String, Integer> doubled = alone.entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> 2 * e.getValue()));
    CompletableFuture<Void> scaledOut = CompletableFuture.runAsync(() -> platform.start(SECOND));
    try {
      run(platform, scaledOut, alone, doubled);
    } finally {
      scaledOut.exceptionally(e -> null).join();
      platform.detectorRedis().pass();
      platform.notifierCmdb().pass();
      platform.storageElasticsearch("storage-2").pass();
      SECOND.stream().filter(platform::running).forEach(platform::stop);
    }
  }

  private static void run(Platform platform, CompletableFuture<Void> scaledOut, Map<String, Integer> alone,
      Map<String, Integer> doubled) throws Exception {
    Caller admin = Onboarded.admin(platform);
    Onboarded product = Onboarded.register(platform, PRODUCT, NAMESPACE, """
        {"name": "%s", "requiredDimensions": ["instance"], "instanceDimension": "instance",
         "metrics": [{"name": "load"}], "graceMs": 1000}"""
        .formatted(NAMESPACE), "load", Map.of("appid", TENANT, "instance", "f-probe"), 1.0);
    try (WebhookSink sink = new WebhookSink(); WebhookSink slow = new WebhookSink(Duration.ofSeconds(7));
        Load load = new Load(product)) {
      String hook = Onboarded.webhook(admin, TENANT, "ops", sink);
      String slowHook = admin.create("/v1/tenants/" + TENANT + "/webhooks", """
          {"name": "slow ops", "url": "%s", "fallbackEmail": "%s"}""".formatted(slow.url("/hook"), FALLBACK_EMAIL))
          .path("id").asString();
      String policy = admin.create("/v1/tenants/" + TENANT + "/policies", """
          {"name": "load high", "namespace": "%s",
           "conditions": [{"metric": "load", "period": 60, "statistic": "LAST", "operator": "GT", "threshold": 8,
                           "noDataPeriods": 1}],
           "filters": [{"Function": "Regex", "Field": "instance", "Args": "f-[0-9]+"}],
           "receivers": {"webhooks": ["%s", "%s"]},
           "notification": {"groupWaitSec": 0, "repeatIntervalSec": 3600}}""".formatted(NAMESPACE, hook, slowHook))
          .path("id").asString();
      platform.notifierCmdb().refuse();
      load.start();

      // the second instances join and take their share
      scaledOut.join();
      load.gateways = List.of("gateway", "gateway-2");
      awaitGroupsSettled(doubled);

      // each second instance crashes and comes back (the breaches page meanwhile or before: whoever holds
      // an alert's partition afterwards must know it is firing)
      for (String instance : SECOND) {
        platform.kill(instance);
        Thread.sleep(1_000);
      }
      platform.start(SECOND);
      awaitGroupsSettled(doubled);
      Awaits.until("a page for each breaching instance", Duration.ofSeconds(120),
          () -> instancesWith(sink, "FIRING").containsAll(HOT));

      // the added gateway, aggregator, detector and notifier stop in an orderly way; the first ones take
      // over their partitions before Redis goes (a partition that moved while Redis is away starts without
      // its alerts' state); storage-2 stays, to lose Elasticsearch below
      STOPPED_BEFORE_RECOVERY.forEach(platform::stop);
      load.gateways = List.of("gateway");
      Map<String, Integer> afterStop = new TreeMap<>(alone);
      doubled.forEach((group, n) -> {
        if (group.startsWith(TestRun.topicPrefix() + "storage.")) {
          afterStop.put(group, n);
        }
      });
      awaitGroupsSettled(afterStop);
      // a settled group has handed out the partitions; the detector restores their alerts from Redis as it
      // takes them, so it must know every breach as firing before Redis goes
      Caller detector = new Caller(platform.http("detector"), VigilTestInitializer.PLATFORM_ADMIN_KEY);
      Set<String> firing = sink.matching(r -> r.status().equals("FIRING")).stream()
          .map(WebhookSink.Received::alertKey).collect(Collectors.toSet());
      Map<String, String> held = new TreeMap<>();
      Awaits.until("the detector holds every breach as firing", Duration.ofSeconds(60), () -> {
        firing.forEach(key -> held.put(key, alertStatus(detector, key)));
        return held.values().stream().allMatch("FIRING"::equals);
      }, () -> "the detector's alerts: " + held);

      // the breaches recover while Redis is away from the detectors
      long refused = System.currentTimeMillis();
      platform.detectorRedis().refuse();
      load.hot = false;
      // the minute in which Redis went away closes (the recoveries come at its close or, if its last point
      // was still hot, a minute later); storage-2 loses Elasticsearch from just before that close, when
      // every class's rollups are about to reach it, until it has paused for it: seconds
      long end = (refused / 60_000 + 1) * 60_000;
      Thread.sleep(Math.max(0, end - 3_000 - System.currentTimeMillis()));
      FaultProxy storage2 = platform.storageElasticsearch("storage-2");
      java.util.function.DoubleSupplier waits = () -> counted(platform, List.of("storage-2"),
          "vigil_kafka_dependency_waits_total", "dependency=\"elasticsearch\"");
      double waitedBefore = waits.getAsDouble();
      storage2.refuse();
      try {
        Awaits.until("storage-2 pauses for Elasticsearch, and counts it", Duration.ofSeconds(40),
            () -> waits.getAsDouble() > waitedBefore);
      } finally {
        storage2.pass();
      }
      try {
        Awaits.until("a recovery for each breaching instance, judged from the detectors' memory",
            Duration.ofSeconds(120), () -> instancesWith(sink, "RESOLVED").containsAll(HOT));
        assertThat(counted(platform, List.of("detector"), "vigil_degraded_total", "reason=\"redis_down\""))
            .as("the detector went on without Redis, and counted it").isPositive();
        // the recoveries went out through the notifier running now
        assertThat(counted(platform, List.of("notifier"), "vigil_degraded_total", "component=\"enrichment\"",
            "reason=\"cmdb_unavailable\"")).as("the notifier counted the cmdb away").isPositive();
      } finally {
        platform.detectorRedis().pass();
        platform.notifierCmdb().pass();
      }

      Thread.sleep(Math.max(0, end - System.currentTimeMillis() + 2_000));
      assertThat(admin.delete("/v1/tenants/" + TENANT + "/policies/" + policy).statusCode())
          .as("the policy goes before the load stops (else its end would be NO_DATA)").isEqualTo(204);
      load.close();

      assertNothingAcceptedIsLost(platform, load, end);
      assertEachBreachPagedAndRecoveredOnce(sink, "the webhook");
      assertThat(sink.matching(r -> !HOT.contains(instance(r)))).as("nothing for the healthy instances").isEmpty();
      assertThat(sink.matching(r -> r.status().equals("NO_DATA"))).as("no NO_DATA from stalls and restarts")
          .isEmpty();
      assertThat(sink.matching(r -> !r.body().path("enrichmentDegraded").asBoolean()))
          .as("every page went out without the cmdb's data, and said so").isEmpty();
      assertTheTimedOutReceiverFellBackToEmail(platform, slow, slowHook);
      assertThat(load.problems).as("no push was refused for its content").isEmpty();
    }
  }

  /** The detector's status of an alert, from its explain (null if it holds none, or does not answer). */
  private static String alertStatus(Caller detector, String alertKey) {
    AlertKey key = AlertKey.parse(alertKey);
    HttpResponse<String> r = detector.get("/v1/explain?policyId=" + key.policyId() + "&seriesId="
        + SeriesId.hex(key.seriesId()));
    if (r.statusCode() != 200) {
      return r.statusCode() + " " + r.body();
    }
    JsonNode alert = Http.json(r).path("alert");
    return alert.isObject() ? alert.path("status").asString() : null;
  }

  /** The gateways' accepted points, per minute, are the rollups' counts for every instance. */
  private static void assertNothingAcceptedIsLost(Platform platform, Load load, long endMs) {
    NavigableMap<Long, int[]> perMinute = load.perMinute(endMs);
    long from = perMinute.firstKey();
    Caller storage = new Caller(platform.http("storage"), VigilTestInitializer.PLATFORM_ADMIN_KEY);
    String query = Http.JSON.writeValueAsString(Map.of("namespace", NAMESPACE, "metric", "load", "period", 60,
        "statistic", "count", "fromMs", from, "toMs", endMs, "maxSeries", 100,
        "filters", List.of(Map.of("Function", "Regex", "Field", "instance", "Args", "f-[0-9]+"))));
    List<String> wrong = new ArrayList<>();
    Awaits.until("storage holds every minute's count", Duration.ofSeconds(90), () -> {
      HttpResponse<String> r = storage.post("/v1/series/query", query);
      if (r.statusCode() != 200) {
        return false;
      }
      wrong.clear();
      JsonNode series = Http.json(r).path("series");
      if (series.size() != INSTANCES) {
        wrong.add(series.size() + " series");
        return false;
      }
      for (JsonNode s : series) {
        Map<Long, Double> counts = new TreeMap<>();
        s.path("points").values().forEach(pt -> counts.put(pt.path("t").asLong(), pt.path("v").asDouble()));
        perMinute.forEach((minute, n) -> {
          double count = counts.getOrDefault(minute, 0.0);
          // n[0] accepted; n[1] unknown (a connection cut mid-request: maybe taken)
          if (count < n[0] || count > n[0] + n[1]) {
            wrong.add(s.path("dimensions").path("instance").asString() + " @" + minute + ": " + count
                + " counted, " + n[0] + " accepted" + (n[1] > 0 ? " (+" + n[1] + " unknown)" : ""));
          }
        });
      }
      return wrong.isEmpty();
    }, () -> "minutes that differ: " + wrong);
  }

  private static void assertEachBreachPagedAndRecoveredOnce(WebhookSink sink, String receiver) {
    for (String status : List.of("FIRING", "RESOLVED")) {
      Map<String, Set<String>> ids = sink.matching(r -> r.status().equals(status)).stream()
          .collect(Collectors.groupingBy(FaultsIT::instance, Collectors.mapping(WebhookSink.Received::notificationId,
              Collectors.toSet())));
      assertThat(ids.keySet()).as(status + " at " + receiver).isEqualTo(HOT);
      ids.forEach((instance, distinct) -> assertThat(distinct).as("one " + status + " of " + instance + " at "
          + receiver + " (a re-delivery keeps its id)").hasSize(1));
    }
  }

  /**
   * Each page to the receiver that times out was tried more than once, then went by e-mail: recorded as
   * sent over EMAIL, fallen back from WEBHOOK, and in the SMTP sink under its notification id.
   */
  private static void assertTheTimedOutReceiverFellBackToEmail(Platform platform, WebhookSink slow, String slowHook)
      throws IOException {
    for (String instance : HOT) {
      assertThat(slow.matching(r -> instance.equals(instance(r)) && r.status().equals("FIRING")))
          .as("the timed-out receiver was retried for " + instance).hasSizeGreaterThanOrEqualTo(2);
    }
    Caller storage = new Caller(platform.http("storage"), VigilTestInitializer.PLATFORM_ADMIN_KEY);
    long now = System.currentTimeMillis();
    List<JsonNode> fellBack = new ArrayList<>();
    Awaits.until("storage records the fallback deliveries", Duration.ofSeconds(30), () -> {
      fellBack.clear();
      storage.read("/v1/notifications?tenant=" + TENANT + "&recipient=webhook:" + slowHook + "&fromMs="
          + (now - 900_000) + "&toMs=" + (now + 60_000) + "&limit=100").path("items").values()
          .forEach(fellBack::add);
      return fellBack.size() >= 2 * HOT.size();
    });
    String mail;
    try (Stream<Path> files = Files.list(platform.mailDir())) {
      StringBuilder all = new StringBuilder();
      for (Path f : files.filter(f -> f.toString().endsWith(".eml")).toList()) {
        all.append(Files.readString(f));
      }
      mail = all.toString();
    }
    for (JsonNode record : fellBack) {
      assertThat(record.path("status").asString()).isEqualTo("SENT");
      assertThat(record.path("channel").asString()).isEqualTo("EMAIL");
      assertThat(record.path("fellBackFrom").asString()).isEqualTo("WEBHOOK");
      assertThat(mail).as("the e-mail of " + record.path("notificationId").asString())
          .contains(record.path("notificationId").asString()).contains(FALLBACK_EMAIL);
    }
  }

  private static Set<String> instancesWith(WebhookSink sink, String status) {
    return sink.matching(r -> r.status().equals(status)).stream().map(FaultsIT::instance).collect(Collectors.toSet());
  }

  private static String instance(WebhookSink.Received r) {
    return r.body().path("dimensions").path("instance").asString();
  }

  /** The sum of one family's matching samples over these instances (those that do not answer count 0). */
  private static double counted(Platform platform, Collection<String> instances, String family, String... labels) {
    double sum = 0;
    for (String instance : instances) {
      sum += Http.sum(platform.http(instance).get("/actuator/prometheus").body(), family, labels);
    }
    return sum;
  }

  /** The scaled-out services' consumer groups of this run, each stable, and its members. */
  private static Map<String, Integer> groupMembers() {
    Map<String, Integer> members = new TreeMap<>();
    awaitGroups("the consumer groups are stable", (group, size) -> {
      members.put(group, size);
      return true;
    });
    return members;
  }

  /**
   * Waits until each of these consumer groups is stable with this many members: the partitions of a
   * killed instance have moved and a new instance has its share.
   */
  private static void awaitGroupsSettled(Map<String, Integer> expected) {
    awaitGroups("the consumer groups settle as " + expected, (group, size) -> size.equals(expected.get(group)));
  }

  private static void awaitGroups(String what, java.util.function.BiPredicate<String, Integer> fine) {
    try (Admin kafka = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestServers.kafkaBootstrap()))) {
      Map<String, String> last = new TreeMap<>();
      Awaits.until(what, Duration.ofSeconds(90), () -> {
        try {
          List<String> groups = new ArrayList<>();
          for (ConsumerGroupListing g : kafka.listConsumerGroups().all().get(10, TimeUnit.SECONDS)) {
            if (GROUPS_OF.stream().anyMatch(app -> g.groupId().startsWith(TestRun.topicPrefix() + app + "."))) {
              groups.add(g.groupId());
            }
          }
          last.clear();
          boolean settled = !groups.isEmpty();
          for (ConsumerGroupDescription d : kafka.describeConsumerGroups(groups).all().get(10, TimeUnit.SECONDS)
              .values()) {
            last.put(d.groupId(), d.groupState() + "/" + d.members().size());
            settled &= d.groupState() == GroupState.STABLE && fine.test(d.groupId(), d.members().size());
          }
          return settled;
        } catch (Exception e) {
          return false;
        }
      }, () -> "groups: " + last);
    }
  }

  /**
   * A point a second for each instance, each batch to the next gateway that answers (a client behind
   * a load balancer), sent again with the same time when one fails; what came of each batch is kept.
   */
  private static final class Load implements AutoCloseable {
    private final Onboarded product;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "e2e-fault-load");
      t.setDaemon(true);
      return t;
    });
    /**
     * Per batch time: 1 accepted in its minute, 0 unknown (no answer, maybe taken; or taken only after its
     * minute ended, maybe late), -1 refused by every gateway.
     */
    private final ConcurrentSkipListMap<Long, Integer> batches = new ConcurrentSkipListMap<>();
    final List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile List<String> gateways = List.of("gateway");
    volatile boolean hot = true;
    private int turn;

    Load(Onboarded product) {
      this.product = product;
    }

    void start() {
      timer.scheduleAtFixedRate(this::tick, 0, 1, TimeUnit.SECONDS);
    }

    private void tick() {
      long t = System.currentTimeMillis();
      Map<Map<String, String>, Double> values = new LinkedHashMap<>();
      for (int i = 0; i < INSTANCES; i++) {
        String instance = "f-%02d".formatted(i);
        values.put(Map.of("appid", TENANT, "instance", instance), hot && HOT.contains(instance) ? 12.0 : 1.0);
      }
      List<String> order = new ArrayList<>(gateways);
      java.util.Collections.rotate(order, turn++);
      int outcome = -1;
      for (String gateway : order) {
        try {
          HttpResponse<String> r = product.pushAt(gateway, t, "load", values);
          if (r.statusCode() == 200) {
            // taken after its minute closed (a slow retry), it is a late point, not in the minute's count
            outcome = System.currentTimeMillis() < (t / 60_000 + 1) * 60_000 ? 1 : 0;
            break;
          }
          if (r.statusCode() >= 400 && r.statusCode() < 500 && r.statusCode() != 429) {
            problems.add(gateway + " answered " + r.statusCode() + ": " + r.body());
          }
        } catch (RuntimeException e) {
          outcome = 0; // cut mid-request: it may have been taken
        }
      }
      batches.put(t, outcome);
    }

    /** Per minute start before {@code endMs}: {accepted, unknown} batches. */
    NavigableMap<Long, int[]> perMinute(long endMs) {
      NavigableMap<Long, int[]> out = new TreeMap<>();
      batches.headMap(endMs).forEach((t, outcome) -> {
        int[] n = out.computeIfAbsent(t / 60_000 * 60_000, m -> new int[2]);
        if (outcome == 1) {
          n[0]++;
        } else if (outcome == 0) {
          n[1]++;
        }
      });
      return out;
    }

    @Override
    public void close() {
      timer.shutdown();
      try {
        timer.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
