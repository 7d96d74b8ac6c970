package io.vigil.detector;

import static io.vigil.detector.DetectionFixtures.cpu;
import static io.vigil.detector.DetectionFixtures.cpuAbove;
import static io.vigil.detector.DetectionFixtures.events;
import static io.vigil.detector.DetectionFixtures.minutesAgo;
import static io.vigil.detector.DetectionFixtures.policy;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.common.model.Rollup;
import io.vigil.common.series.AlertIds;
import io.vigil.common.series.AlertKey;
import io.vigil.common.series.SeriesId;
import io.vigil.common.store.StoreNames;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.VigilTestInitializer;
import io.vigil.common.testing.fault.ChildJvm;
import io.vigil.detectorcrash.DetectorCrashMain;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Detectors killed (SIGKILL, child JVMs of shard {@code crash}) at the two moments that matter:
 * between the Redis write and the publish, and between the publish and the commit. Readers
 * deduplicate by eventId, so what counts is one FIRING eventId per alert, the one its window gives,
 * none lost; and a later recovery is still delivered.
 */
@VigilServiceTest
class DetectorCrashIT {

  static final String SHARD = "crash";
  static final Duration WAIT = Duration.ofSeconds(60);

  @Autowired
  DataSource dataSource;
  @Autowired
  VigilPublisher publisher;
  @Autowired
  StringRedisTemplate redis;
  @Autowired
  StoreNames names;

  @Test
  void killedBetweenRedisAndPublishOrBetweenPublishAndCommitEachAlertFiresOnceAndStillResolves() throws Exception {
    createShardTopic();
    DetectionFixtures fx = new DetectionFixtures(dataSource, publisher, SHARD);
    fx.upsert("p-crash", "C1", policy("[]", cpuAbove(80, 1, 1), "ANY"), true);
    long w = minutesAgo(10);
    Rollup first = cpu(Map.of("appid", "C1", "instance", "i-1"), w, 99);
    Rollup second = cpu(Map.of("appid", "C1", "instance", "i-2"), w, 99);
    String key1 = AlertKey.ofSeries("p-crash", first.seriesId()).value();
    String key2 = AlertKey.ofSeries("p-crash", second.seriesId()).value();

    try (ChildJvm.Service a = detector("before-publish")) {
      awaitHolding(a, first);
      fx.publish(first);
      awaitStop(a, "before-publish");
      a.jvm().kill();
    }
    assertThat(stored(key1)).as("the transition is in Redis").contains("\"FIRING\"");
    assertThat(events(key1, 1, Duration.ofSeconds(2))).as("and not yet published").isEmpty();

    try (ChildJvm.Service b = detector("before-commit")) {
      List<AlertEvent> restored = events(key1, 1, WAIT);
      assertThat(restored).as("published again on restore, with the eventId its window gives").hasSize(1);
      assertThat(restored.get(0).eventId()).isEqualTo(AlertIds.eventId(key1, w));
      awaitHolding(b, second);
      fx.publish(second);
      awaitStop(b, "before-commit");
      b.jvm().kill();
    }
    assertThat(events(key2, 1, WAIT)).as("published before the kill").hasSize(1);

    try (ChildJvm.Service c = detector("")) {
      awaitHolding(c, second);
      // the uncommitted batch comes again; both alerts stay open through another breaching window
      fx.publish(cpu(Map.of("appid", "C1", "instance", "i-1"), w + 60_000, 99),
          cpu(Map.of("appid", "C1", "instance", "i-2"), w + 60_000, 99));
      fx.publish(cpu(Map.of("appid", "C1", "instance", "i-1"), w + 120_000, 10),
          cpu(Map.of("appid", "C1", "instance", "i-2"), w + 120_000, 10));
      for (String key : List.of(key1, key2)) {
        List<AlertEvent> seen = events(e -> e.alertKey().equals(key) && e.status() == AlertStatus.RESOLVED, 1, WAIT);
        assertThat(seen).as("the recovery of %s is delivered", key).hasSize(1);
        Set<String> firing = events(e -> e.alertKey().equals(key), 10, Duration.ofSeconds(3)).stream()
            .filter(e -> e.status() == AlertStatus.FIRING).map(AlertEvent::eventId).collect(Collectors.toSet());
        assertThat(firing).as("one FIRING eventId for %s, never a second firing", key)
            .containsExactly(AlertIds.eventId(key, w));
      }
    }
  }

  /** A detector of the crash shard in a child JVM, stopping at {@code at} (none if empty), ready. */
  private static ChildJvm.Service detector(String at) {
    ChildJvm.Service s = ChildJvm.startService("detector", DetectorCrashMain.class.getName(), List.of(
        "--vigil.detector.shard=" + SHARD, "--crash.at=" + (at.isEmpty() ? "none" : at),
        "--spring.kafka.consumer.properties.session.timeout.ms=6000", "--vigil.kafka.dependency-backoff-max=2s",
        "--spring.kafka.consumer.properties.heartbeat.interval.ms=1000"));
    Awaits.until("the child detector is ready", WAIT, () -> new Http(s.port())
        .get("/actuator/health/readiness").statusCode() == 200);
    return s;
  }

  /** Until the child holds the policy (its explain answers for the series). */
  private static void awaitHolding(ChildJvm.Service s, Rollup r) {
    Http http = new Http(s.port());
    Awaits.until("the child holds the policy", WAIT, () -> http.send(http.request("/v1/explain?policyId=p-crash"
        + "&seriesId=" + SeriesId.hex(r.seriesId())).header("Authorization", "Bearer "
        + VigilTestInitializer.SERVICE_KEY).GET().build()).statusCode() == 200);
  }

  private static void awaitStop(ChildJvm.Service s, String point) {
    Awaits.until("the child stopped " + point + " (" + s.jvm().log() + ")", WAIT,
        () -> s.jvm().output().contains(DetectorCrashMain.REACHED + point));
  }

  private String stored(String alertKey) {
    for (int p = 0; p < Topics.rollup(SHARD).partitions(); p++) {
      Object v = redis.opsForHash().get(names.redisKey("detector", SHARD, "alerts", Integer.toString(p)), alertKey);
      if (v != null) {
        return v.toString();
      }
    }
    return "";
  }

  private static void createShardTopic() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap()))) {
      String topic = TestKafka.topic(Topics.rollup(SHARD).base());
      if (!admin.listTopics().names().get().contains(topic)) {
        admin.createTopics(List.of(new NewTopic(topic, Topics.rollup(SHARD).partitions(), (short) 1))).all().get();
      }
    }
  }
}
