package io.vigil.detector.shard;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.InstrumentedExecutor;
import io.vigil.common.store.StoreNames;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * Which instance of this shard holds each partition of the shard's rollup topic, as the instances say
 * themselves: one Redis hash per shard ({@code <prefix>detector:<shard>:owners}), a field per partition
 * whose value is {@code <written ms> <address>}. Explain uses it to ask the instance whose memory holds
 * a series' conditions and alert (several instances of a shard split its partitions).
 *
 * <p>An instance writes a partition's field when it gains the partition, and refreshes it every
 * {@link #REFRESH} while the field is absent or still names it; it takes the field out when it lets
 * the partition go, again only while the field names it (the new holder may have written it first).
 * A field not refreshed for {@link #STALE} is ignored: the instance that wrote it was killed, and its
 * partitions' new holder writes them when it restores them. The age is read against this host's
 * clock, so the hosts' clocks must agree within seconds (NTP), well inside {@code STALE}. Redis down
 * only means explain answers from this instance's memory, counted as degraded.
 */
public final class PartitionOwners implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PartitionOwners.class);
  public static final Duration REFRESH = Duration.ofSeconds(10);
  public static final Duration STALE = Duration.ofSeconds(45);

  /** HDEL the field only while it still names this instance. */
  private static final DefaultRedisScript<Long> LET_GO = new DefaultRedisScript<>("""
      local v = redis.call('HGET', KEYS[1], ARGV[1])
      if v and string.sub(v, -string.len(ARGV[2])) == ARGV[2] then
        return redis.call('HDEL', KEYS[1], ARGV[1])
      end
      return 0
      """, Long.class);

  /** An instance's address: scheme, host and port, nothing after. */
  public static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("https?://[^\\s/?#@]+");

  /**
   * Writes this instance's fields: ARGV[1] the value, ARGV[2] its address (with the leading space),
   * ARGV[3] the written time before which a field is stale, ARGV[4] how many fields follow that were
   * just gained (written whatever they say), then those, then the fields held before (refreshed only
   * while absent, stale or this instance's: a refresh that read its partitions just before a
   * rebalance must not take back a field the new holder wrote).
   */
  private static final DefaultRedisScript<Long> CLAIM = new DefaultRedisScript<>("""
      local gained = tonumber(ARGV[4])
      local staleBefore = tonumber(ARGV[3])
      for i = 5, #ARGV do
        local write = i < 5 + gained
        if not write then
          local v = redis.call('HGET', KEYS[1], ARGV[i])
          write = (not v) or string.sub(v, -string.len(ARGV[2])) == ARGV[2]
            or (tonumber(string.match(v, '^%d+')) or 0) < staleBefore
        end
        if write then
          redis.call('HSET', KEYS[1], ARGV[i], ARGV[1])
        end
      end
      redis.call('EXPIRE', KEYS[1], 86400)
      return 1
      """, Long.class);

  private final StringRedisTemplate redis;
  private final String key;
  private final Supplier<Set<Integer>> held;
  private final DependencyMetrics dependencies;
  private final Clock clock;
  private final ScheduledThreadPoolExecutor timer;
  /** The partitions this instance has written as its own. */
  private final Set<Integer> claimed = ConcurrentHashMap.newKeySet();
  /** Partitions restored since the last pass: their fields are written whatever they say. */
  private final Set<Integer> regained = ConcurrentHashMap.newKeySet();
  private volatile String self;

  /**
   * @param held the rollup partitions this instance holds now (restored, judging)
   */
  public PartitionOwners(StringRedisTemplate redis, StoreNames names, String shard, Supplier<Set<Integer>> held,
      DependencyMetrics dependencies, MeterRegistry registry, Clock clock) {
    this.redis = redis;
    this.key = names.redisKey("detector", shard, "owners");
    this.held = held;
    this.dependencies = dependencies;
    this.clock = clock;
    this.timer = InstrumentedExecutor.scheduled("partition-owners", registry);
    timer.scheduleWithFixedDelay(this::sync, REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** This instance's address as its peers reach it, once its web server listens: from then on it is written. */
  public void serving(String address) {
    if (address == null || !ADDRESS.matcher(address).matches()) {
      throw new IllegalArgumentException("an instance address is http(s)://host:port, nothing after: " + address);
    }
    self = address;
    changed();
  }

  /** This instance's address, or null before its web server listens. */
  public String self() {
    return self;
  }

  /** The partitions held changed: written soon (as {@link #changed(int, boolean)}, none named). */
  public java.util.concurrent.Future<?> changed() {
    try {
      return timer.submit(this::sync);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return java.util.concurrent.CompletableFuture.completedFuture(null); // stopping
    }
  }

  /**
   * A partition restored ({@code held}) or let go: written soon, off the caller's thread (a
   * consumer's, in a rebalance). A restored partition's field is written whatever it says, even when
   * this instance let the partition go and gained it back between two passes. The future ends when
   * the pass has run (a test waits on it).
   */
  public java.util.concurrent.Future<?> changed(int partition, boolean held) {
    if (held) {
      regained.add(partition);
    }
    return changed();
  }

  private synchronized void sync() {
    String me = self;
    if (me == null) {
      return;
    }
    Set<Integer> now = Set.copyOf(held.get());
    Set<Integer> restored = Set.copyOf(regained);
    try {
      if (!now.isEmpty()) {
        List<String> args = new ArrayList<>();
        long t = clock.millis();
        args.add(t + " " + me);
        args.add(" " + me);
        args.add(Long.toString(t - STALE.toMillis()));
        List<String> gained = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        now.forEach(p -> (claimed.contains(p) && !restored.contains(p) ? kept : gained).add(Integer.toString(p)));
        args.add(Integer.toString(gained.size()));
        args.addAll(gained);
        args.addAll(kept);
        // a shard taken down leaves nothing behind for long: the hash expires a day after its last write
        redis.execute(CLAIM, List.of(key), args.toArray());
        claimed.addAll(now);
      }
      regained.removeAll(restored);
      for (Integer p : new ArrayList<>(claimed)) {
        if (!now.contains(p)) {
          letGo(p, me);
        }
      }
    } catch (RuntimeException e) { // Redis away (DataAccessException), or anything else: the next pass tries again
      dependencies.failure("redis");
      dependencies.degraded("partition_owners", "write_failed");
      log.warn("partition owners not written (explain answers from each instance's memory meanwhile): {}",
          e.toString());
    }
  }

  private void letGo(int partition, String me) {
    redis.execute(LET_GO, List.of(key), Integer.toString(partition), " " + me);
    claimed.remove(partition);
  }

  /**
   * The address of the other live instance that says it holds {@code partition}, or null: none does,
   * this instance does, or Redis cannot say (counted).
   */
  public String owner(int partition) {
    try {
      Object v = redis.opsForHash().get(key, Integer.toString(partition));
      return v == null ? null : live(v.toString());
    } catch (DataAccessException e) {
      unreadable(e);
      return null;
    }
  }

  /** The addresses of the other live instances that hold some partition of the shard. */
  public Set<String> others() {
    Set<String> out = new LinkedHashSet<>();
    try {
      for (Object v : redis.opsForHash().values(key)) {
        String a = live(v.toString());
        if (a != null) {
          out.add(a);
        }
      }
    } catch (DataAccessException e) {
      unreadable(e);
    }
    return out;
  }

  private void unreadable(DataAccessException e) {
    dependencies.failure("redis");
    dependencies.degraded("partition_owners", "read_failed");
    log.warn("partition owners unreadable: explain answers from this instance's memory: {}", e.toString());
  }

  /** The address in a field's value when it is another instance's and fresh, else null. */
  private String live(String value) {
    int space = value.indexOf(' ');
    if (space <= 0) {
      return null;
    }
    long written;
    try {
      written = Long.parseLong(value.substring(0, space));
    } catch (NumberFormatException e) {
      return null;
    }
    String address = value.substring(space + 1);
    if (clock.millis() - written > STALE.toMillis() || address.equals(self) || !ADDRESS.matcher(address).matches()) {
      return null;
    }
    return address;
  }

  /** Stops refreshing and takes this instance's fields out (an orderly stop hands its partitions on). */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(2, TimeUnit.SECONDS); // a write in flight ends before the fields are taken out
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String me = self;
    if (me == null) {
      return;
    }
    try {
      for (Integer p : new ArrayList<>(claimed)) {
        letGo(p, me);
      }
    } catch (RuntimeException e) { // Redis away, or its connection already closed at shutdown
      log.info("partition owners not taken out at stop (they go stale in {}): {}", STALE, e.toString());
    }
  }
}
