package io.vigil.cmdb.instances;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.control.ControlJson;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.store.StoreNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The read cache of instances in Redis, cache-aside with a bounded TTL. An entry is {@code
 * <version>\n<tenant>\n<instance JSON>}, the JSON as the API answers it, so a look-up copies its
 * UTF-8 bytes into the answer without reading it (the tenant line decides who may see it); a deleted or unknown
 * instance is cached as {@code <version>\n} so the
 * enrichment of alerts about objects the cmdb does not know does not reach MySQL every time (unknown
 * ones for a shorter TTL). Every write into the cache is guarded by version in one script: a reader
 * that loaded an older row from MySQL cannot overwrite what a writer put there after its commit. A
 * write-through that fails (Redis away) leaves the key to a retry list, deleted when Redis answers
 * again; the TTL bounds what is stale meanwhile.
 *
 * <p>Redis down: a circuit breaker opens after failures, reads go to MySQL without waiting on Redis,
 * each such read counted as degraded ({@code instance_cache}/{@code redis_down}).
 */
public class InstanceCache {

  private static final Logger log = LoggerFactory.getLogger(InstanceCache.class);
  /** Sets KEYS[1] to ARGV[2] (TTL ARGV[3] ms) unless it holds version ARGV[1] or newer. */
  private static final byte[] GUARDED_SET = """
      local cur = redis.call('GET', KEYS[1])
      if cur then
        local v = tonumber(string.match(cur, '^(%d+)'))
        if v and v >= tonumber(ARGV[1]) then return 0 end
      end
      redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
      return 1
      """.getBytes(StandardCharsets.UTF_8);
  private static final int MAX_RETRIES = 100_000;

  /**
   * What the cache holds for a key: the version, and unless deleted or unknown the instance's tenant
   * and its JSON as the API answers it.
   */
  public record Entry(long version, String tenant, byte[] json) {

    public static Entry of(long version, Instance instance) {
      return instance == null ? new Entry(version, null, null)
          : new Entry(version, instance.tenant(), ControlJson.write(instance).getBytes(StandardCharsets.UTF_8));
    }

    public boolean live() {
      return json != null;
    }

    /** The instance, read from its JSON; null when deleted or unknown. */
    public Instance instance() {
      return json == null ? null : ControlJson.read(new String(json, StandardCharsets.UTF_8), Instance.class);
    }
  }

  private final StringRedisTemplate redis;
  private final StoreNames names;
  private final DependencyMetrics dependencies;
  private final CircuitBreaker breaker;
  private final long ttlMs;
  private final long missingTtlMs;
  private final Set<String> retries = ConcurrentHashMap.newKeySet();
  private volatile long troubleAtNanos;

  public InstanceCache(StringRedisTemplate redis, StoreNames names, DependencyMetrics dependencies,
      MeterRegistry registry, Duration ttl, Duration missingTtl) {
    this.redis = redis;
    this.names = names;
    this.dependencies = dependencies;
    this.ttlMs = ttl.toMillis();
    this.missingTtlMs = missingTtl.toMillis();
    this.breaker = CircuitBreaker.of("cmdb-redis", CircuitBreakerConfig.custom()
        .slidingWindowSize(20).minimumNumberOfCalls(5).failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofSeconds(5)).permittedNumberOfCallsInHalfOpenState(2)
        .recordExceptions(DataAccessException.class).build());
    Gauge.builder("vigil.cmdb.cache.invalidations.pending", retries, Set::size)
        .description("cache keys whose write-through failed, deleted when Redis answers again").register(registry);
  }

  /**
   * The entry's key; {@code v2} names the entry's format, so a deployment that changes the format
   * reads fresh keys instead of entries it cannot parse and could not overwrite (the version guard).
   */
  public String key(InstanceKey k) {
    return names.redisKey("cmdb", "instance", "v2", k.text());
  }

  /** The cached entries of these keys (absent: not cached); empty when Redis cannot answer. */
  public Optional<Map<InstanceKey, Entry>> get(List<InstanceKey> keys) {
    return call(() -> {
      List<String> names = keys.stream().map(this::key).toList();
      List<String> values = redis.opsForValue().multiGet(names);
      Map<InstanceKey, Entry> found = new HashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        // a key whose write-through failed holds an older copy until the retry deletes it: a miss
        String v = values == null || retries.contains(names.get(i)) ? null : values.get(i);
        Entry e = v == null ? null : parse(v);
        if (e != null) {
          found.put(keys.get(i), e);
        }
      }
      return found;
    });
  }

  /** Puts what a reader loaded from MySQL, unless the cache already holds that version or a newer one. */
  public void fill(Map<InstanceKey, Entry> loaded) {
    put(loaded, false);
  }

  /** A writer's committed changes, put over older entries; kept for retry when Redis is away. */
  public void written(List<Instance.Change> changes) {
    Map<InstanceKey, Entry> entries = new HashMap<>();
    for (Instance.Change c : changes) {
      entries.put(c.key(), Entry.of(c.version(), c.instance()));
    }
    put(entries, true);
  }

  private void put(Map<InstanceKey, Entry> entries, boolean fromWriter) {
    if (entries.isEmpty()) {
      return;
    }
    List<String> keys = new ArrayList<>(entries.size());
    List<byte[][]> args = new ArrayList<>(entries.size());
    for (Map.Entry<InstanceKey, Entry> e : entries.entrySet()) {
      String key = key(e.getKey());
      Entry entry = e.getValue();
      long ttl = entry.version() == 0 ? missingTtlMs : ttlMs;
      keys.add(key);
      args.add(new byte[][] {
          key.getBytes(StandardCharsets.UTF_8),
          Long.toString(entry.version()).getBytes(StandardCharsets.UTF_8),
          format(entry),
          Long.toString(ttl).getBytes(StandardCharsets.UTF_8)});
    }
    Optional<Object> done = call(() -> {
      redis.executePipelined((RedisCallback<Object>) connection -> {
        for (byte[][] a : args) {
          connection.scriptingCommands().eval(GUARDED_SET, ReturnType.INTEGER, 1, a);
        }
        return null;
      });
      return Boolean.TRUE;
    });
    if (done.isEmpty() && fromWriter) {
      if (retries.size() + keys.size() <= MAX_RETRIES) {
        retries.addAll(keys);
      } else {
        dependencies.degraded("instance_cache", "invalidations_dropped"); // the TTL bounds the staleness
      }
    }
  }

  /** Deletes the keys whose write-through failed; called on a timer. */
  public void retryInvalidations() {
    if (retries.isEmpty()) {
      return;
    }
    List<String> keys = new ArrayList<>(retries);
    Optional<Long> deleted = call(() -> redis.delete(keys));
    if (deleted.isPresent()) {
      keys.forEach(retries::remove);
      log.info("cache: {} keys whose write-through had failed are invalidated", keys.size());
    }
  }

  private <T> Optional<T> call(Supplier<T> op) {
    try {
      return Optional.ofNullable(breaker.executeSupplier(op));
    } catch (CallNotPermittedException e) {
      troubleAtNanos = System.nanoTime();
      dependencies.degraded("instance_cache", "redis_down");
      return Optional.empty();
    } catch (DataAccessException e) {
      troubleAtNanos = System.nanoTime();
      dependencies.failure("redis");
      dependencies.degraded("instance_cache", "redis_down");
      return Optional.empty();
    }
  }

  /**
   * True when a call to Redis failed within {@code d}: another process's write-through may have
   * failed too, and its copy in Redis may still be older than what it committed.
   */
  public boolean troubledWithin(Duration d) {
    long at = troubleAtNanos;
    return at != 0 && System.nanoTime() - at < d.toNanos();
  }

  static byte[] format(Entry e) {
    byte[] head = (e.version() + "\n" + (e.json() == null ? "" : e.tenant() + "\n")).getBytes(StandardCharsets.UTF_8);
    if (e.json() == null) {
      return head;
    }
    byte[] out = java.util.Arrays.copyOf(head, head.length + e.json().length);
    System.arraycopy(e.json(), 0, out, head.length, e.json().length);
    return out;
  }

  static Entry parse(String v) {
    int nl = v.indexOf('\n');
    if (nl <= 0) {
      return null; // not ours: treated as absent, replaced on the next fill
    }
    try {
      long version = Long.parseLong(v, 0, nl, 10);
      if (nl == v.length() - 1) {
        return new Entry(version, null, null);
      }
      int second = v.indexOf('\n', nl + 1);
      if (second < 0 || v.charAt(second + 1) != '{') {
        return null;
      }
      return new Entry(version, v.substring(nl + 1, second),
          v.substring(second + 1).getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      return null;
    }
  }

  public CircuitBreaker.State state() {
    return breaker.getState();
  }
}
