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
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * What happened to each namespace's points over the last hour, across every gateway instance, so a
 * product can see why its data is missing: counts per minute in Redis ({@code
 * <prefix>ingest:<namespace>:<minute>}, kept two hours), one field per counter of each instance:
 * {@code accepted@<instance>-<n>}, {@code late@…}, {@code rejected:<reason>@…}; a read sums the fields
 * of each name over the instances. The hot path only adds to counters in memory; every few seconds
 * each counter's total so far is written in one pipeline, as a value, not an increment, so a write
 * that Redis applied but whose answer was lost (a timeout) and that is made again counts once. While
 * Redis is away the counters stay in memory and are written when it returns (what this instance
 * counted meanwhile is still in its answers). A gateway of the version before these fields, during a
 * rolling upgrade, reads only the fields without {@code @}: its answers leave out the upgraded
 * instances' counts until it is replaced.
 */
public class IngestStats implements AutoCloseable {

  private record Cell(String namespace, long minute, String field) {}

  /**
   * A cell's count since this instance made it, under a Redis field of its own, and how much of it
   * Redis is known to hold. A cell dropped and made again (a count that read the clock over a minute
   * before it was added) gets a new field, so its smaller total never overwrites the first one's.
   */
  private static final class Count {
    final LongAdder total = new LongAdder();
    final String field;
    /** Written and read only by a flush (under the write lock); reads of the hour use the total. */
    long written;

    Count(String field) {
      this.field = field;
    }

    long unwritten() {
      return total.sum() - written;
    }
  }

  /** How long a minute's counts are kept in Redis. */
  static final long KEPT_MINUTES = 120;

  /**
   * Sets a counter's field to a total only if it is larger than the one there: two writes of one field
   * can land out of order (each pipeline has a connection of its own, and a write whose answer was lost
   * may arrive after the one made again), and the older, smaller total must not win.
   */
  private static final DefaultRedisScript<Long> RAISE = new DefaultRedisScript<>("""
      local held = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
      local total = tonumber(ARGV[2])
      if total > held then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
      redis.call('EXPIRE', KEYS[1], ARGV[3])
      return 1
      """, Long.class);

  private final StringRedisTemplate redis;
  private final StoreNames names;
  private final DependencyMetrics dependencies;
  private final Clock clock;
  private final ConcurrentHashMap<Cell, Count> counts = new ConcurrentHashMap<>();
  /** This process among the gateways writing the same keys: a restarted one counts under fields of its own. */
  private final String instance = java.util.UUID.randomUUID().toString().substring(0, 13).replace("-", "");
  private final java.util.concurrent.atomic.AtomicLong made = new java.util.concurrent.atomic.AtomicLong();
  /**
   * Written by a flush (one at a time) from writing the totals until it has dropped the cells it is done
   * with, read by a read of the hour from Redis to the counts still in memory: otherwise a read could
   * miss a cell twice, not yet in Redis when it looked there and dropped from memory when it looked
   * here. Reads do not wait for each other, so a slow Redis does not queue every status request behind
   * the one before.
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
      counts.computeIfAbsent(new Cell(namespace, clock.millis() / 60_000, field),
          c -> new Count(field + "@" + instance + "-" + made.incrementAndGet())).total.add(n);
    }
  }

  /** Writes what was counted since the last flush; what Redis does not take stays for the next. */
  public void flush() {
    if (counts.isEmpty()) {
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
    Map<Cell, Long> totals = new HashMap<>();
    counts.forEach((cell, count) -> {
      long total = count.total.sum();
      if (total > count.written) {
        totals.put(cell, total);
      }
    });
    if (!totals.isEmpty() && write(totals)) {
      totals.forEach((cell, total) -> counts.get(cell).written = total);
    }
    // a past minute's cell, written, is done with (a count still on its way to it would have read
    // the clock over a minute ago); one Redis never took in two hours would have expired there
    long now = clock.millis() / 60_000;
    counts.entrySet().removeIf(e -> {
      long minute = e.getKey().minute();
      if (minute < now - KEPT_MINUTES) {
        if (e.getValue().unwritten() > 0) {
          dependencies.degraded("ingest_stats", "expired_unwritten");
        }
        return true;
      }
      return minute < now - 1 && e.getValue().unwritten() == 0;
    });
  }

  /** Each cell's total as its field's value; false (counted) when Redis did not answer. */
  private boolean write(Map<Cell, Long> totals) {
    try {
      redis.executePipelined(new SessionCallback<Object>() {
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object execute(org.springframework.data.redis.core.RedisOperations ops) {
          totals.forEach((cell, total) -> {
            String key = key(cell.namespace(), cell.minute());
            ops.execute(RAISE, List.of(key), counts.get(cell).field, Long.toString(total),
                Long.toString(Duration.ofMinutes(KEPT_MINUTES).toSeconds()));
          });
          return null;
        }
      });
      return true;
    } catch (DataAccessException e) {
      dependencies.failure("redis");
      dependencies.degraded("ingest_stats", "redis_down_kept");
      return false;
    }
  }

  /** How many (namespace, minute, field) counters this instance holds: the past minute's and any not written. */
  public int cellsInMemory() {
    return counts.size();
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
    Map<String, Long> held = new HashMap<>(); // field -> value (fields are unique to a counter of an instance)
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
          fields.forEach((f, v) -> held.put(String.valueOf(f), Long.parseLong(String.valueOf(v))));
        }
      }
    } catch (DataAccessException e) {
      dependencies.failure("redis"); // this instance's own counts still answer, from memory
    }
    // this instance's counters: their totals here, or what Redis holds of them if more (never both: a
    // write whose answer was lost is in Redis and still unwritten here)
    counts.forEach((cell, count) -> {
      if (cell.namespace().equals(namespace) && cell.minute() > now - 60) {
        Long inRedis = held.remove(count.field);
        totals.merge(cell.field(), Math.max(count.total.sum(), inRedis == null ? 0 : inRedis), Long::sum);
      }
    });
    held.forEach((field, n) -> totals.merge(counterOf(field), n, Long::sum));
    return totals;
  }

  /** The counter a field counts: {@code accepted} of {@code accepted@1f2e3d4c5b6a-7} (and of a field written before instances had fields). */
  static String counterOf(String field) {
    int at = field.lastIndexOf('@');
    return at < 0 ? field : field.substring(0, at);
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
