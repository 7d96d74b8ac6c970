package io.vigil.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.store.StoreNames;
import io.vigil.common.testing.ManualClock;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import io.vigil.gateway.ingest.IngestStats;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A namespace's hour of counts against the real Redis while they are being written there: every
 * answer holds at least what was counted before it was asked, whether a flush is between taking
 * the counts from memory and Redis having them or not (CI once saw a status of zero accepted for a
 * namespace that had points accepted moments before). And the counters of past minutes leave
 * memory once written.
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
}
