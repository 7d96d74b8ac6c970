package io.vigil.notifier.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.testing.TestRedis;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The group commit against the real Redis, and against a port where no Redis answers. */
class StateWritesIT {

  private static final String HOST = System.getenv().getOrDefault("VIGIL_REDIS_HOST", "127.0.0.1");
  private static final int PORT = Integer.parseInt(System.getenv().getOrDefault("VIGIL_REDIS_PORT", "6379"));

  @Test
  void writesFromManyThreadsShareRoundTripsAndABarrierSeesThemAll() throws Exception {
    StringRedisTemplate redis = TestRedis.template(HOST, PORT);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    String prefix = "vigil:test:state-writes:" + UUID.randomUUID() + ":";
    // the keys by name, not by KEYS: the Redis is shared, and KEYS walks everything it holds
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      keys.add(prefix + i);
    }
    try (StateWrites writes = new StateWrites(redis, CircuitBreaker.ofDefaults("t"), new DependencyMetrics(registry, java.util.Set.of("redis")),
        10_000, registry)) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<CompletableFuture<Boolean>> done = new ArrayList<>();
      List<java.util.concurrent.Future<CompletableFuture<Boolean>>> submitted = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        int n = i;
        submitted.add(pool.submit(() -> writes.submit(ops -> ops.opsForValue().set(prefix + n, Integer.toString(n)))));
      }
      for (var f : submitted) {
        done.add(f.get());
      }
      pool.shutdown();
      assertThat(writes.barrier().get(10, TimeUnit.SECONDS)).isTrue();
      // a barrier completes after every write submitted before it: all are answered and all are there
      assertThat(done).allMatch(f -> f.isDone() && f.join());
      assertThat(redis.countExistingKeys(keys)).isEqualTo(2_000L);
      assertThat(redis.opsForValue().get(prefix + "1999")).isEqualTo("1999");
      // fewer round trips than writes: they were batched
      var batches = registry.get("vigil.notifier.state.writes.batch").summary();
      assertThat(batches.count()).isLessThan(2_000);
      assertThat(batches.totalAmount()).isBetween(2_000.0, 2_001.0); // the barrier may ride along
    } finally {
      redis.delete(keys);
    }
  }

  @Test
  void aRedisThatDoesNotAnswerFailsTheWritesWithoutBlockingTheWriter() throws Exception {
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort(); // closed again: nothing listens there
    }
    StringRedisTemplate redis = TestRedis.template("127.0.0.1", dead);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DependencyMetrics dependencies = new DependencyMetrics(registry, java.util.Set.of("redis"));
    try (StateWrites writes = new StateWrites(redis, CircuitBreaker.ofDefaults("t"), dependencies, 100, registry)) {
      CompletableFuture<Boolean> first = writes.submit(ops -> ops.opsForValue().set("k", "v"));
      assertThat(first.get(10, TimeUnit.SECONDS)).isFalse();
      // the writer lives on: later writes are answered too (false while Redis is away)
      assertThat(writes.submit(ops -> ops.opsForValue().set("k", "v")).get(10, TimeUnit.SECONDS)).isFalse();
    }
    assertThat(registry.find("vigil.degraded").counters()).isNotEmpty();
  }
}
