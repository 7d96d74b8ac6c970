package io.vigil.detector;

import static io.vigil.detector.DetectionFixtures.cpu;
import static io.vigil.detector.DetectionFixtures.cpuAbove;
import static io.vigil.detector.DetectionFixtures.minutesAgo;
import static io.vigil.detector.DetectionFixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.common.model.Rollup;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.VigilTestInitializer;
import io.vigil.common.testing.fault.ChildJvm;
import io.vigil.detectorcrash.DetectorCrashMain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Scale-out as deployed: two detectors of shard {@code split} share its partitions as one consumer
 * group, a third serves shard {@code other}; each in a child JVM. The pair splits the work (each
 * publishes some alerts) without loss or duplicates, the other shard's detector judges only its own
 * policies, and when one of the pair stops, the other takes its partitions over with their state:
 * every recovery is delivered and nothing fires twice.
 */
@VigilServiceTest
class DetectorScaleOutIT {

  static final Duration WAIT = Duration.ofSeconds(90);
  static final int SPLIT_SERIES = 40;
  static final int OTHER_SERIES = 10;
  /** Consumer threads per instance: each is a member of the group. */
  static final int THREADS = 2;

  @Autowired
  DataSource dataSource;
  @Autowired
  VigilPublisher publisher;
  @Autowired
  org.springframework.data.redis.core.StringRedisTemplate redis;
  @Autowired
  io.vigil.common.store.StoreNames names;

  @Test
  void twoInstancesOfAShardSplitItsWorkAndOneTakesOverWhenTheOtherStops() throws Exception {
    createTopics("split", "other");
    DetectionFixtures split = new DetectionFixtures(dataSource, publisher, "split");
    DetectionFixtures other = new DetectionFixtures(dataSource, publisher, "other");
    split.upsert("p-split", "S1", policy("[]", cpuAbove(80, 1, 1), "ANY"), true);
    other.upsert("p-other", "S1", policy("[]", cpuAbove(80, 1, 1), "ANY"), true);

    List<ChildJvm.Service> started = new java.util.concurrent.CopyOnWriteArrayList<>();
    var startA = CompletableFuture.supplyAsync(() -> detector("split", started));
    var startB = CompletableFuture.supplyAsync(() -> detector("split", started));
    var startC = CompletableFuture.supplyAsync(() -> detector("other", started));
    try {
      CompletableFuture.allOf(startA, startB, startC).join();
    } catch (RuntimeException e) {
      started.forEach(ChildJvm.Service::close); // none is left running when one failed to start
      throw e;
    }
    try (ChildJvm.Service a = startA.join(); ChildJvm.Service b = startB.join(); ChildJvm.Service c = startC.join()) {
      String group = TestRun.topicPrefix() + "detector.rollups-split";
      Awaits.until("both detectors of the shard in its group", WAIT, () -> members(group) == 2 * THREADS);
      long w = minutesAgo(10);
      List<Rollup> breaches = new ArrayList<>();
      for (int i = 0; i < SPLIT_SERIES; i++) {
        breaches.add(cpu(Map.of("appid", "S1", "instance", "i-" + i), w, 99));
      }
      split.publish(breaches.toArray(Rollup[]::new));
      for (int i = 0; i < OTHER_SERIES; i++) {
        other.publish(cpu(Map.of("appid", "S1", "instance", "o-" + i), w, 99));
      }

      List<AlertEvent> fired = records("p-split", AlertStatus.FIRING, SPLIT_SERIES);
      assertThat(distinctKeys(fired)).as("every series fired").isEqualTo(SPLIT_SERIES);
      assertThat(records("p-other", AlertStatus.FIRING, OTHER_SERIES)).allMatch(e -> e.shard().equals("other"))
          .hasSize(OTHER_SERIES);
      double byA = firing(a, "split");
      double byB = firing(b, "split");
      assertThat(byA).as("A judged some").isPositive();
      assertThat(byB).as("B judged some").isPositive();
      assertThat(byA + byB).as("split without duplicates").isEqualTo(SPLIT_SERIES);
      assertThat(firing(c, "other")).isEqualTo(OTHER_SERIES);

      // explain answers from the memory of the instance holding the series, whichever is asked
      java.util.Set<String> answeredBy = new java.util.TreeSet<>();
      for (int i = 0; i < SPLIT_SERIES; i += 4) {
        Rollup r = breaches.get(i);
        java.util.Set<String> holders = new java.util.TreeSet<>();
        for (ChildJvm.Service asked : List.of(a, b)) {
          for (boolean described : new boolean[] {false, true}) {
            String[] last = {""};
            Awaits.until("explain of " + r.dimensions() + " asked of " + asked.port() + " (" + last[0] + ")", WAIT,
                () -> {
                  var why = explain(asked, r, described);
                  last[0] = why.toString();
                  return why.path("alert").path("status").asString().equals("FIRING")
                      && why.path("matches").asBoolean() && why.path("held").asBoolean();
                });
            holders.add(explain(asked, r, described).path("answeredBy").asString());
          }
        }
        assertThat(holders).as("both instances name one holder of " + r.dimensions()).hasSize(1);
        answeredBy.addAll(holders);
      }
      assertThat(answeredBy).as("each instance answered for the series it holds")
          .hasSize(2).allMatch(x -> x.endsWith(":" + a.port()) || x.endsWith(":" + b.port()));
      assertThat(explained(a, "owner") + explained(b, "owner")).as("one instance asked the other").isPositive();

      String ownersKey = names.redisKey("detector", "split", "owners");
      assertThat(redis.opsForHash().values(ownersKey)).as("both instances wrote the partitions they hold")
          .anyMatch(v -> v.toString().endsWith(":" + a.port())).anyMatch(v -> v.toString().endsWith(":" + b.port()));

      b.jvm().stop(); // graceful: its partitions are handed back after its last commit
      Awaits.until("A owns the whole shard", WAIT, () -> members(group) == THREADS);
      // every partition with an alert on it is A's now (one that never had a record since it was
      // gained is not restored until its first one comes, and is nobody's to answer for)
      java.util.Set<String> alerted = new java.util.TreeSet<>();
      for (Rollup r : breaches) {
        alerted.add(Integer.toString(publisher.partitionOfObject(Topics.rollup("split"),
            io.vigil.common.series.SeriesId.objectOf(r.namespace(), r.region(), r.dimensions()))));
      }
      Awaits.until("A wrote every partition with alerts as its own, none left naming B (A " + a.port() + ", B "
          + b.port() + ")", WAIT, () -> {
        Map<Object, Object> fields = redis.opsForHash().entries(ownersKey);
        return fields.keySet().stream().map(Object::toString).collect(Collectors.toSet()).containsAll(alerted)
            && fields.values().stream().allMatch(v -> v.toString().endsWith(":" + a.port()));
      });
      List<Rollup> recoveries = new ArrayList<>();
      for (int i = 0; i < SPLIT_SERIES; i++) {
        recoveries.add(cpu(Map.of("appid", "S1", "instance", "i-" + i), w + 60_000, 10));
      }
      split.publish(recoveries.toArray(Rollup[]::new));
      List<AlertEvent> resolved = records("p-split", AlertStatus.RESOLVED, SPLIT_SERIES);
      assertThat(distinctKeys(resolved)).as("every recovery delivered, B's alerts' too").isEqualTo(SPLIT_SERIES);
      assertThat(records("p-split", AlertStatus.FIRING, SPLIT_SERIES)).as("nothing fired twice")
          .hasSize(SPLIT_SERIES);
      for (int i = 0; i < SPLIT_SERIES; i += 4) {
        var why = explain(a, breaches.get(i), true);
        assertThat(why.path("held").asBoolean()).as("A holds the whole shard: " + why).isTrue();
        assertThat(why.path("answeredBy").asString()).endsWith(":" + a.port());
        assertThat(why.path("alert").path("status").asString()).as(why.toString()).isNotEqualTo("FIRING");
      }
    }
  }

  private static ChildJvm.Service detector(String shard, List<ChildJvm.Service> started) {
    ChildJvm.Service s = ChildJvm.startService("detector", DetectorCrashMain.class.getName(), List.of(
        "--vigil.detector.shard=" + shard, "--vigil.kafka.concurrency=" + THREADS,
        "--spring.kafka.consumer.properties.session.timeout.ms=6000", "--vigil.kafka.dependency-backoff-max=2s",
        "--spring.kafka.consumer.properties.heartbeat.interval.ms=1000"));
    started.add(s);
    String[] last = {""};
    try {
      Awaits.until("the " + shard + " detector is ready (" + s.jvm().log() + ")", WAIT, () -> {
        var r = new Http(s.port()).get("/actuator/health/readiness");
        last[0] = r.body();
        return r.statusCode() == 200;
      });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; readiness said: " + last[0], e);
    }
    return s;
  }

  /** The records of the policy's alerts with that status, as many as arrive within a few seconds past {@code count}. */
  private static List<AlertEvent> records(String policyId, AlertStatus status, int count) {
    List<AlertEvent> found = DetectionFixtures.records(e -> e.policyId().equals(policyId) && e.status() == status,
        count, WAIT);
    // anything more would be a duplicate: give it the time to show
    return DetectionFixtures.records(e -> e.policyId().equals(policyId) && e.status() == status, found.size() + 1,
        Duration.ofSeconds(2));
  }

  private static int distinctKeys(List<AlertEvent> events) {
    return events.stream().map(AlertEvent::alertKey).collect(Collectors.toSet()).size();
  }

  private static double firing(ChildJvm.Service s, String shard) {
    String text = new Http(s.port()).send(new Http(s.port()).request("/actuator/prometheus").header("Authorization",
        "Bearer " + VigilTestInitializer.SERVICE_KEY).GET().build()).body();
    return Http.sample(text, "vigil_alerts_total", "shard=\"" + shard + "\"", "status=\"FIRING\"");
  }

  /** The shard's explanation of p-split against a series, asked of one instance (with the series described or not). */
  private static tools.jackson.databind.JsonNode explain(ChildJvm.Service asked, Rollup r, boolean described) {
    StringBuilder path = new StringBuilder("/v1/explain?policyId=p-split&seriesId=")
        .append(io.vigil.common.series.SeriesId.hex(r.seriesId()));
    if (described) {
      path.append("&namespace=").append(java.net.URLEncoder.encode(r.namespace(), java.nio.charset.StandardCharsets.UTF_8))
          .append("&region=").append(r.region()).append("&metric=").append(r.metric());
      r.dimensions().forEach((k, v) -> path.append("&dimension=").append(k).append("%3D").append(v));
    }
    Http http = new Http(asked.port());
    var response = http.send(http.request(path.toString())
        .header("Authorization", "Bearer " + VigilTestInitializer.PLATFORM_ADMIN_KEY).GET().build());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return Http.json(response);
  }

  private static double explained(ChildJvm.Service s, String answer) {
    String text = new Http(s.port()).send(new Http(s.port()).request("/actuator/prometheus").header("Authorization",
        "Bearer " + VigilTestInitializer.SERVICE_KEY).GET().build()).body();
    return Http.sample(text, "vigil_detector_explain_total", "answer=\"" + answer + "\"");
  }

  private static int members(String group) {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap()))) {
      var d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
      return d.members().size();
    } catch (Exception e) {
      return -1;
    }
  }

  private static void createTopics(String... shards) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap()))) {
      var existing = admin.listTopics().names().get();
      List<NewTopic> wanted = new ArrayList<>();
      for (String shard : shards) {
        String topic = TestKafka.topic(Topics.rollup(shard).base());
        if (!existing.contains(topic)) {
          wanted.add(new NewTopic(topic, Topics.rollup(shard).partitions(), (short) 1));
        }
      }
      admin.createTopics(wanted).all().get();
    }
  }

}
