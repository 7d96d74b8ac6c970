package io.vigil.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.store.StoreNames;
import io.vigil.common.testing.ManualClock;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.fault.FaultProxy;
import io.vigil.gateway.ingest.IngestStats;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettucePoolingClientConfiguration;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A namespace's hour of counts against the real Redis while they are being written there: every
 * answer holds at least what was counted before it was asked, whether a flush is between taking
 * the counts from memory and Redis having them or not (CI once saw a status of zero accepted for a
 * namespace that had points accepted moments before). The counters of past minutes leave memory once
 * written, and a write that Redis took but answered too late, made again, counts once.
 */
class IngestStatsIT {

  LettuceConnectionFactory factory;
  StringRedisTemplate redis;
  StoreNames names;

  @BeforeEach
  void redis() {
    // a timeout a loaded machine does not reach: a timed-out write may still land and count twice
    factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(TestServers.redisHost(),
        TestServers.redisPort()), LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(10)).build());
    factory.afterPropertiesSet();
    factory.start();
    redis = new StringRedisTemplate(factory);
    names = new StoreNames(TestRun.indexPrefix(), TestRun.redisPrefix() + "stats-" + UUID.randomUUID() + ":");
  }

  @AfterEach
  void close() {
    factory.destroy();
  }

  static DependencyMetrics dependencies() {
    return new DependencyMetrics(new SimpleMeterRegistry(), Set.of("redis"));
  }

  @Test
  void aReadDuringAFlushStillSeesEveryCountAlreadyMade() throws Exception {
    String namespace = "acme/vm";
    AtomicLong counted = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    List<String> wrong = new ArrayList<>();
    try (IngestStats stats = new IngestStats(redis, names, dependencies(), Clock.systemUTC(), Duration.ofMillis(1))) {
      Thread counter = new Thread(() -> {
        while (running.get()) {
          stats.accepted(namespace, 1);
          counted.incrementAndGet();
          Thread.yield(); // leave the reader and the flusher a core
        }
      });
      counter.setDaemon(true);
      counter.start();
      long reads = 0;
      try {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (reads < 200 && System.nanoTime() < until && wrong.size() < 5) {
          long before = counted.get();
          long seen = stats.lastHour(namespace).getOrDefault("accepted", 0L);
          long after = counted.get();
          reads++;
          if (seen < before || seen > after + 1) {
            wrong.add("read " + reads + ": " + seen + " accepted, counted " + before + " before and " + after + " after");
          }
        }
      } finally {
        running.set(false);
        counter.join();
      }
      assertThat(wrong).as("answers outside what was counted, of %d reads", reads).isEmpty();
      assertThat(reads).isGreaterThan(10);
      stats.flush();
      assertThat(stats.lastHour(namespace).get("accepted")).isEqualTo(counted.get());
    }
  }

  @Test
  void aPastMinutesCountersLeaveMemoryOnceWrittenAndTheHourStillHoldsThem() {
    ManualClock clock = new ManualClock(System.currentTimeMillis() / 60_000 * 60_000);
    try (IngestStats stats = new IngestStats(redis, names, dependencies(), clock, Duration.ofHours(1))) {
      for (int minute = 0; minute < 30; minute++) {
        stats.accepted("acme/vm", 2);
        stats.rejected("acme/vm", "unknown_metric");
        stats.flush();
        clock.advance(Duration.ofMinutes(1));
      }
      stats.flush();
      assertThat(stats.cellsInMemory()).as("this minute's and the last one's, no more").isLessThanOrEqualTo(4);
      assertThat(stats.lastHour("acme/vm")).containsEntry("accepted", 60L).containsEntry("rejected:unknown_metric", 30L);
    }
  }

  @Test
  void aWriteRedisTookButDidNotAnswerInTimeCountsOnceWhenItIsMadeAgain() throws Exception {
    String namespace = "acme/db";
    LettuceConnectionFactory slow;
    try (FaultProxy proxy = FaultProxy.to(TestServers.redisHost(), TestServers.redisPort())) {
      // pooled, so the second write goes out on the connection the first one opened: a Redis that stalls
      // after a connection is up (a fork, a slow command, the network) rather than one that is not there
      slow = new LettuceConnectionFactory(new RedisStandaloneConfiguration(proxy.host(), proxy.port()),
          LettucePoolingClientConfiguration.builder().commandTimeout(Duration.ofMillis(300))
              .poolConfig(new org.apache.commons.pool2.impl.GenericObjectPoolConfig<>()).build());
      slow.afterPropertiesSet();
      slow.start();
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      try (IngestStats stats = new IngestStats(new StringRedisTemplate(slow), names,
          new DependencyMetrics(meters, Set.of("redis")), Clock.systemUTC(), Duration.ofHours(1));
          IngestStats other = new IngestStats(redis, names, dependencies(), Clock.systemUTC(), Duration.ofHours(1))) {
        stats.accepted(namespace, 5);
        stats.flush(); // written, answered
        stats.accepted(namespace, 7);
        proxy.delay(1_500); // the next write reaches Redis after the client has given up on it
        stats.flush();
        assertThat(meters.get("vigil.degraded").tag("component", "ingest_stats").tag("reason", "redis_down_kept")
            .counter().count()).as("the write timed out, so its counts were kept").isPositive();
        Thread.sleep(3_500); // it lands meanwhile, and its late answer (held as long again) comes back
        proxy.pass();
        stats.flush(); // made again, and answered this time

        assertThat(other.lastHour(namespace)).as("what Redis holds, read by another gateway")
            .containsEntry("accepted", 12L);
        assertThat(stats.lastHour(namespace)).containsEntry("accepted", 12L);
      } finally {
        slow.destroy();
      }
    }
  }

  @Test
  void anOlderSmallerTotalLandingLateNeverOverwritesALargerOne() {
    String namespace = "acme/cache";
    long minute = System.currentTimeMillis() / 60_000;
    try (IngestStats stats = new IngestStats(redis, names, dependencies(), new ManualClock(minute * 60_000 + 1_000),
        Duration.ofHours(1))) {
      stats.accepted(namespace, 5);
      stats.flush();
      String key = names.redisKey("ingest", namespace, Long.toString(minute));
      Map<Object, Object> fields = redis.opsForHash().entries(key);
      assertThat(fields).hasSize(1);
      String field = String.valueOf(fields.keySet().iterator().next());
      // a later total of this counter got there first (its pipeline overtook this one's)
      redis.opsForHash().put(key, field, "9");
      stats.accepted(namespace, 2);
      stats.flush(); // its total, 7, comes after
      assertThat(redis.opsForHash().get(key, field)).isEqualTo("9");
      assertThat(stats.lastHour(namespace)).as("this instance answers the larger").containsEntry("accepted", 9L);
    }
  }
}
