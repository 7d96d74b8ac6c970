package io.vigil.gateway.ingest;

import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.store.StoreNames;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.SessionCallback;

/**
 * What happened to each namespace's points over the last hour, across every gateway instance, so a
 * product can see why its data is missing: counts per minute in Redis ({@code
 * <prefix>ingest:<namespace>:<minute>}, fields {@code accepted} and {@code rejected:<reason>}, kept
 * two hours). The hot path only adds to counters in memory; they are written to Redis every few
 * seconds in one pipeline. While Redis is away they stay in memory and are written when it returns
 * (what this instance counted meanwhile is still in its answers).
 */
public class IngestStats implements AutoCloseable {

  private record Cell(String namespace, long minute, String field) {}

  /** How long a minute's counts are kept in Redis. */
  static final long KEPT_MINUTES = 120;

  private final StringRedisTemplate redis;
  private final StoreNames names;
  private final DependencyMetrics dependencies;
  private final Clock clock;
  private final ConcurrentHashMap<Cell, LongAdder> pending = new ConcurrentHashMap<>();
  /**
   * Written by a flush from taking the counts until Redis has them, read by a read of the hour from
   * Redis to the counts still in memory: otherwise a read between the two steps of a flush sees the
   * counts in neither place, and a product's status drops to zero for a moment. Reads do not wait
   * for each other, so a slow Redis does not queue every status request behind the one before.
   */
  private final ReentrantReadWriteLock handover = new ReentrantReadWriteLock();
  private final Thread flusher;
  private final CountDownLatch stopping = new CountDownLatch(1);

  public IngestStats(StringRedisTemplate redis, StoreNames names, DependencyMetrics dependencies, Clock clock,
      Duration flushEvery) {
    this.redis = redis;
    this.names = names;
    this.dependencies = dependencies;
    this.clock = clock;
    this.flusher = new Thread(() -> {
      try {
        while (!stopping.await(flushEvery.toMillis(), TimeUnit.MILLISECONDS)) {
          flush();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "vigil-ingest-stats");
    flusher.setDaemon(true);
    flusher.start();
  }

  public void accepted(String namespace, int n) {
    add(namespace, "accepted", n);
  }

  /** Points the aggregator found later than their namespace's grace (read from {@code metrics.late}). */
  public void late(String namespace, int n) {
    add(namespace, "late", n);
  }

  public void rejected(String namespace, String reason) {
    add(namespace, "rejected:" + reason, 1);
  }

  private void add(String namespace, String field, long n) {
    if (n > 0) {
      pending.computeIfAbsent(new Cell(namespace, clock.millis() / 60_000, field), c -> new LongAdder()).add(n);
    }
  }

  /** Writes what was counted since the last flush; what Redis does not take stays for the next. */
  public void flush() {
    if (pending.isEmpty()) {
      return;
    }
    handover.writeLock().lock();
    try {
      flushHeld();
    } finally {
      handover.writeLock().unlock();
    }
  }

  private void flushHeld() {
    Map<Cell, Long> taken = new HashMap<>();
    pending.forEach((cell, adder) -> {
      long n = adder.sumThenReset();
      if (n > 0) {
        taken.put(cell, n);
      }
    });
    if (!taken.isEmpty()) {
      write(taken);
    }
    // a past minute's cell, written, is done with (a count still on its way to it would have read
    // the clock over a minute ago); one Redis never took in two hours would have expired there
    long now = clock.millis() / 60_000;
    pending.entrySet().removeIf(e -> {
      long minute = e.getKey().minute();
      if (minute < now - KEPT_MINUTES) {
        dependencies.degraded("ingest_stats", "expired_unwritten");
        return true;
      }
      return minute < now - 1 && e.getValue().sum() == 0;
    });
  }

  private void write(Map<Cell, Long> taken) {
    try {
      redis.executePipelined(new SessionCallback<Object>() {
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object execute(org.springframework.data.redis.core.RedisOperations ops) {
          taken.forEach((cell, n) -> {
            String key = key(cell.namespace(), cell.minute());
            ops.opsForHash().increment(key, cell.field(), n);
            ops.expire(key, Duration.ofMinutes(KEPT_MINUTES));
          });
          return null;
        }
      });
    } catch (DataAccessException e) {
      dependencies.failure("redis");
      dependencies.degraded("ingest_stats", "redis_down_kept");
      taken.forEach((cell, n) -> pending.computeIfAbsent(cell, c -> new LongAdder()).add(n));
    }
  }

  /** How many (namespace, minute, field) counters this instance holds: the past minute's and any not written. */
  public int cellsInMemory() {
    return pending.size();
  }

  /** The last hour of a namespace: accepted, and rejected by reason. */
  public Map<String, Long> lastHour(String namespace) {
    long now = clock.millis() / 60_000;
    handover.readLock().lock();
    try {
      return lastHourHeld(namespace, now);
    } finally {
      handover.readLock().unlock();
    }
  }

  private Map<String, Long> lastHourHeld(String namespace, long now) {
    Map<String, Long> totals = new TreeMap<>();
    try {
      List<Object> minutes = redis.executePipelined(new SessionCallback<Object>() {
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object execute(org.springframework.data.redis.core.RedisOperations ops) {
          for (long m = now - 59; m <= now; m++) {
            ops.opsForHash().entries(key(namespace, m));
          }
          return null;
        }
      });
      for (Object minute : minutes) {
        if (minute instanceof Map<?, ?> fields) {
          fields.forEach((f, v) -> totals.merge(String.valueOf(f), Long.parseLong(String.valueOf(v)), Long::sum));
        }
      }
    } catch (DataAccessException e) {
      dependencies.failure("redis");
    }
    pending.forEach((cell, adder) -> {
      if (cell.namespace().equals(namespace) && cell.minute() > now - 60) {
        totals.merge(cell.field(), adder.sum(), Long::sum);
      }
    });
    return totals;
  }

  private String key(String namespace, long minute) {
    return names.redisKey("ingest", namespace, Long.toString(minute));
  }

  @Override
  public void close() {
    stopping.countDown(); // never an interrupt: one in a flush would count its cells twice
    try {
      flusher.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flush();
  }
}
