package io.vigil.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.MetricNames;
import io.vigil.common.store.StoreNames;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.fault.FaultProxy;
import io.vigil.gateway.ingest.NonceCache;
import io.vigil.gateway.ingest.RedisNonceStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Nonces against the real Redis: a nonce used at one gateway instance is refused at another (two
 * stores, two connections, one Redis), and with Redis away (through a proxy) an instance still
 * refuses its own replays, counted as degraded.
 */
class NonceStoreIT {

  static StringRedisTemplate redis(String host, int port) {
    return io.vigil.common.testing.TestRedis.template(host, port);
  }

  @Test
  void aNonceUsedAtOneInstanceIsRefusedAtAnotherAndAnOutageFallsBackToTheInstance() {
    StoreNames names = new StoreNames(TestRun.indexPrefix(), TestRun.redisPrefix());
    Clock clock = Clock.systemUTC();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DependencyMetrics deps = new DependencyMetrics(registry, Set.of("redis"));
    try (FaultProxy proxy = FaultProxy.to(TestServers.redisHost(), TestServers.redisPort())) {
      RedisNonceStore first = new RedisNonceStore(redis(TestServers.redisHost(), TestServers.redisPort()), names,
          new NonceCache(clock), deps, clock);
      RedisNonceStore second = new RedisNonceStore(redis("127.0.0.1", proxy.port()), names, new NonceCache(clock), deps,
          clock);
      String nonce = "n-" + UUID.randomUUID();
      assertThat(first.firstSeen("ak_1", nonce, Duration.ofMinutes(10))).isTrue();
      assertThat(second.firstSeen("ak_1", nonce, Duration.ofMinutes(10))).as("replayed to another instance").isFalse();
      assertThat(second.firstSeen("ak_2", nonce, Duration.ofMinutes(10))).as("another key's nonce").isTrue();

      proxy.refuse();
      String during = "n-" + UUID.randomUUID();
      assertThat(second.firstSeen("ak_1", during, Duration.ofMinutes(10))).isTrue();
      assertThat(second.firstSeen("ak_1", during, Duration.ofMinutes(10))).as("the instance's own replay").isFalse();
      assertThat(registry.counter(MetricNames.DEGRADED, MetricNames.TAG_COMPONENT, "nonce_store",
          MetricNames.TAG_REASON, "redis_down_local").count()).isGreaterThanOrEqualTo(1);
    }
  }
}
