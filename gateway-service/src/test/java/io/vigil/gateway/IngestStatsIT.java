package io.vigil.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.store.StoreNames;
import io.vigil.common.testing.TestRedis;
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
import org.junit.jupiter.api.Test;

/**
 * A namespace's hour of counts against the real Redis while they are being written there: every
 * answer holds at least what was counted before it was asked, whether a flush is between taking
 * the counts from memory and Redis having them or not (CI once saw a status of zero accepted for a
 * namespace that had points accepted moments before).
 */
class IngestStatsIT {

  @Test
  void aReadDuringAFlushStillSeesEveryCountAlreadyMade() throws Exception {
    StoreNames names = new StoreNames(TestRun.indexPrefix(), TestRun.redisPrefix() + "stats-" + UUID.randomUUID() + ":");
    String namespace = "acme/vm";
    AtomicLong counted = new AtomicLong();
    AtomicBoolean running = new AtomicBoolean(true);
    List<String> wrong = new ArrayList<>();
    try (IngestStats stats = new IngestStats(TestRedis.template(TestServers.redisHost(), TestServers.redisPort()), names,
        new DependencyMetrics(new SimpleMeterRegistry(), Set.of("redis")), Clock.systemUTC(), Duration.ofMillis(1))) {
      Thread counter = new Thread(() -> {
        while (running.get()) {
          stats.accepted(namespace, 1);
          counted.incrementAndGet();
          Thread.yield(); // leave the reader and the flusher a core
        }
      });
      counter.start();
      long reads = 0;
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
      running.set(false);
      counter.join();
      assertThat(wrong).as("answers outside what was counted, of %d reads", reads).isEmpty();
      assertThat(reads).isGreaterThan(10);
      stats.flush();
      assertThat(stats.lastHour(namespace).get("accepted")).isEqualTo(counted.get());
    }
  }
}
