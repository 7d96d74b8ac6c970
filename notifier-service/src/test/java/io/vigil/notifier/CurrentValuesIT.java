package io.vigil.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.store.StoreNames;
import io.vigil.common.testing.TestRedis;
import io.vigil.notifier.state.StateWrites;
import io.vigil.notifier.values.CurrentValues;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Which rollups the notifier keeps, against the real Redis. */
class CurrentValuesIT {

  private static final String HOST = System.getenv().getOrDefault("VIGIL_REDIS_HOST", "127.0.0.1");
  private static final int PORT = Integer.parseInt(System.getenv().getOrDefault("VIGIL_REDIS_PORT", "6379"));

  /**
   * A series followed here is wanted even when a refresh reads the shared set before the follow's own
   * write has reached it (here: it never does, the writes go where no Redis answers).
   */
  @Test
  void aSeriesJustFollowedSurvivesARefreshThatDoesNotSeeItsWriteYet() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    StringRedisTemplate reads = TestRedis.template(HOST, PORT);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DependencyMetrics dependencies = new DependencyMetrics(registry, Set.of("redis"));
    StoreNames names = new StoreNames("vigil-test-", "vigil:test:values:" + UUID.randomUUID() + ":");
    try (StateWrites writes = new StateWrites(TestRedis.template("127.0.0.1", dead), CircuitBreaker.ofDefaults("t"),
        dependencies, 100, registry)) {
      // every question refreshes from the shared set
      CurrentValues values = new CurrentValues(reads, writes, names, dependencies, Clock.systemUTC(), 10,
          Duration.ZERO, registry);
      long series = 0x5eed_0001L;
      String key = Long.toUnsignedString(series, 16);
      assertThat(values.wants(key)).as("no open alert yet").isFalse();

      values.follow(NotifierFixtures.event("p-1", "t-1", series, 1, AlertEvent.AlertStatus.FIRING,
          AlertEvent.Severity.CRITICAL, Map.of("instance", "i-1")));
      assertThat(values.wants(key)).as("followed, though the shared set does not have it").isTrue();
      assertThat(values.wants(Long.toUnsignedString(series + 1, 16))).as("another series").isFalse();

      values.follow(NotifierFixtures.event("p-1", "t-1", series, 2, AlertEvent.AlertStatus.RESOLVED,
          AlertEvent.Severity.CRITICAL, Map.of("instance", "i-1")));
      assertThat(values.wants(key)).as("resolved: no longer followed").isFalse();

      // another instance's alert, known from the shared set
      String other = Long.toUnsignedString(series + 2, 16);
      String set = names.redisKey("notifier", "values", "series");
      reads.opsForSet().add(set, other + ":60");
      try {
        assertThat(values.wants(other)).as("followed by another instance").isTrue();
      } finally {
        reads.delete(set);
      }
    }
  }
}
