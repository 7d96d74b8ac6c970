package io.vigil.notifier.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.series.AlertIds;
import io.vigil.common.store.StoreNames;
import io.vigil.common.testing.TestRedis;
import io.vigil.common.testing.fault.FaultProxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The alert records against the real Redis, then with Redis cut (through common's fault proxy): the
 * in-memory copies answer in its place, and what changes meanwhile (a repeat, an acknowledgement)
 * is in them.
 */
class NotifierStateIT {

  private static final String HOST = System.getenv().getOrDefault("VIGIL_REDIS_HOST", "127.0.0.1");
  private static final int PORT = Integer.parseInt(System.getenv().getOrDefault("VIGIL_REDIS_PORT", "6379"));
  private static final MessageCodec CODEC = new MessageCodec();
  private static final long T0 = java.time.Instant.parse("2026-12-07T10:00:00Z").toEpochMilli();

  static AlertEvent firing(String key) {
    return new AlertEvent(1, AlertIds.eventId(key, 1), key, "p1", 1, "t1", "acme/vm", "ap-guangzhou", "cpu_usage",
        42, null, Map.of("zone", "z1", "instance", "ins-1"), AlertEvent.AlertStatus.FIRING,
        AlertEvent.Severity.CRITICAL, 1, 97.5, 90.0, "cpu high", T0, T0 + 1_000, 60, T0 - 60_000, "default", null);
  }

  @Test
  void withRedisAwayTheInMemoryCopiesAnswerAsRedisDid() throws Exception {
    String prefix = "vigil:test:state:" + UUID.randomUUID() + ":";
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (FaultProxy proxy = FaultProxy.to(HOST, PORT)) {
      StringRedisTemplate redis = TestRedis.template(proxy.host(), proxy.port());
      NotifierState state = new NotifierState(redis, new StoreNames("vigil-test-", prefix),
          new DependencyMetrics(registry, java.util.Set.of("redis")), Clock.systemUTC(), Duration.ofMinutes(5),
          Duration.ofSeconds(1), 1_000, registry);
      try {
        AlertEvent a = firing("p1:s:00000000000000a1");
        AlertEvent b = firing("p1:s:00000000000000b2");
        String json = new String(CODEC.encode(a), StandardCharsets.UTF_8);
        state.handled(a, json, Map.of("zone", "z1"), null, true, null);
        state.handled(b, new String(CODEC.encode(b), StandardCharsets.UTF_8), Map.of("zone", "z1"), null, false,
            "SILENCED");
        assertThat(state.sync()).isTrue();
        NotifierState.AlertRecord fromRedis = state.alert(a.alertKey());
        assertThat(fromRedis.event()).isEqualTo(a);
        assertThat(fromRedis.notified()).isTrue();

        proxy.refuse();

        NotifierState.AlertRecord fromMemory = state.alert(a.alertKey());
        assertThat(fromMemory).as("the copy answers as Redis did").isEqualTo(fromRedis);
        NotifierState.AlertRecord[] both = state.alerts(List.of(a.alertKey(), b.alertKey(), "p1:s:unknown"));
        assertThat(both[0]).isEqualTo(fromRedis);
        assertThat(both[1].event()).isEqualTo(b);
        assertThat(both[1].notified()).isFalse();
        assertThat(both[1].mutedBy()).isEqualTo("SILENCED");
        assertThat(both[2]).as("an alert never handled has no copy").isNull();

        // what changes while Redis is away is in the copies
        state.followedUp(a.alertKey(), NotifierState.TimerKind.REPEAT, 2, true);
        state.acknowledged(a.alertKey(), "alice", 5_000);
        NotifierState.AlertRecord changed = state.alert(a.alertKey());
        assertThat(changed.repeats()).isEqualTo(2);
        assertThat(changed.ackBy()).isEqualTo("alice");
        assertThat(changed.ackAtMs()).isEqualTo(5_000);
        assertThat(changed.event()).isEqualTo(a);
        assertThat(registry.find("vigil.degraded").counters()).as("the degraded path is counted").isNotEmpty();
      } finally {
        proxy.pass();
        state.close();
        StringRedisTemplate direct = TestRedis.template(HOST, PORT);
        direct.delete(List.of(prefix + "notifier:alert:p1:s:00000000000000a1",
            prefix + "notifier:alert:p1:s:00000000000000b2", prefix + "notifier:firing:t1"));
      }
    }
  }
  @Test
  void anAlertFiringOnAnotherInstanceIsAnInhibitionSourceOnceTheSetIsRead() throws Exception {
    String prefix = "vigil:test:state:" + UUID.randomUUID() + ":";
    StoreNames names = new StoreNames("vigil-test-", prefix);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DependencyMetrics dependencies = new DependencyMetrics(registry, java.util.Set.of("redis"));
    StringRedisTemplate redis = TestRedis.template(HOST, PORT);
    NotifierState elsewhere = new NotifierState(redis, names, dependencies, Clock.systemUTC(), Duration.ofMinutes(5),
        Duration.ofSeconds(1), 1_000, registry);
    NotifierState here = new NotifierState(redis, names, dependencies, Clock.systemUTC(), Duration.ofMinutes(5),
        Duration.ofSeconds(1), 1_000, registry);
    AlertEvent source = firing("p1:s:00000000000000c3");
    java.util.function.Predicate<Map<String, String>> isSource = l -> "z1".equals(l.get("zone"));
    Object rule = new Object();
    try {
      elsewhere.handled(source, new String(CODEC.encode(source), StandardCharsets.UTF_8), Map.of("zone", "z1"), null,
          true, null);
      assertThat(elsewhere.sync()).isTrue();
      assertThat(here.firing("t1").inhibitor("r1", rule, isSource, List.of("zone"), Map.of("zone", "z1"),
          "p1:s:00000000000000d4", System.currentTimeMillis())).as("read from Redis on first use")
          .isEqualTo(source.alertKey());

      // it resolves elsewhere: within a refresh interval this instance sees that too
      AlertEvent resolved = new AlertEvent(1, AlertIds.eventId(source.alertKey(), 2), source.alertKey(), "p1", 1, "t1",
          "acme/vm", "ap-guangzhou", "cpu_usage", 42, null, source.dimensions(), AlertEvent.AlertStatus.RESOLVED,
          AlertEvent.Severity.CRITICAL, 2, 40.0, 90.0, null, T0, T0 + 2_000, 60, T0 - 60_000, "default", null);
      elsewhere.handled(resolved, new String(CODEC.encode(resolved), StandardCharsets.UTF_8), Map.of("zone", "z1"),
          null, false, null);
      assertThat(elsewhere.sync()).isTrue();
      long deadline = System.currentTimeMillis() + 5_000;
      while (here.firing("t1").alerts().containsKey(source.alertKey()) && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(here.firing("t1").inhibitor("r1", rule, isSource, List.of("zone"), Map.of("zone", "z1"),
          "p1:s:00000000000000d4", System.currentTimeMillis())).as("refreshed within the interval").isNull();
    } finally {
      elsewhere.close();
      here.close();
      redis.delete(List.of(prefix + "notifier:alert:" + source.alertKey(), prefix + "notifier:firing:t1"));
    }
  }
}
