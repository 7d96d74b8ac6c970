package io.vigil.gateway.ingest;

import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.series.SeriesId;
import io.vigil.common.store.StoreNames;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * The distinct series of each namespace, shared by every gateway instance, for the namespace's cap:
 * a sorted set per namespace in Redis ({@code <prefix>series:<namespace>}, member the seriesId in
 * hex, score when it was last seen). A series not seen for {@code ttl} (24 h) leaves it. A new series
 * beyond the cap is refused; series already known keep flowing.
 *
 * <p>The hot path asks Redis once per request, and only about series this instance has not
 * confirmed within {@code refresh} (a minute): one script call admits or refuses all of them. While
 * Redis is away the instance decides from its own memory (counted as degraded), so the cap holds per
 * instance until Redis returns.
 */
public class SeriesRegistry {

  /** Admits each id that is known, or new while the set is under the cap; returns a 0/1 per id. */
  private static final DefaultRedisScript<List> ADMIT = new DefaultRedisScript<>("""
      local key, now, cap, expire = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
      redis.call('ZREMRANGEBYSCORE', key, '-inf', now - expire)
      local size = redis.call('ZCARD', key)
      local out = {}
      for i = 4, #ARGV do
        local id = ARGV[i]
        if redis.call('ZSCORE', key, id) then
          redis.call('ZADD', key, now, id)
          out[#out + 1] = 1
        elseif size < cap then
          redis.call('ZADD', key, now, id)
          size = size + 1
          out[#out + 1] = 1
        else
          out[#out + 1] = 0
        end
      end
      redis.call('PEXPIRE', key, expire)
      return out
      """, List.class);

  private final StringRedisTemplate redis;
  private final StoreNames names;
  private final DependencyMetrics dependencies;
  private final Clock clock;
  private final long ttlMs;
  private final long refreshMs;
  /** Per namespace: series this instance confirmed, with when. */
  private final Map<String, Map<Long, Long>> confirmed = new ConcurrentHashMap<>();
  private volatile long skipRedisUntil;

  public SeriesRegistry(StringRedisTemplate redis, StoreNames names, DependencyMetrics dependencies, Clock clock,
      Duration ttl, Duration refresh) {
    this.redis = redis;
    this.names = names;
    this.dependencies = dependencies;
    this.clock = clock;
    this.ttlMs = ttl.toMillis();
    this.refreshMs = refresh.toMillis();
  }

  /**
   * Which of these series may be written: every known one, and new ones while the namespace is under
   * {@code cap}. Returns the refused ids (empty almost always).
   */
  public Set<Long> refused(String namespace, int cap, Set<Long> seriesIds) {
    long now = clock.millis();
    Map<Long, Long> mine = confirmed.computeIfAbsent(namespace, k -> new ConcurrentHashMap<>());
    List<Long> ask = new ArrayList<>();
    for (Long id : seriesIds) {
      Long at = mine.get(id);
      if (at == null || now - at > refreshMs) {
        ask.add(id);
      }
    }
    if (ask.isEmpty()) {
      return Set.of();
    }
    Set<Long> refused = new HashSet<>();
    if (now >= skipRedisUntil) {
      try {
        List<String> args = new ArrayList<>(ask.size() + 3);
        args.add(Long.toString(now));
        args.add(Integer.toString(cap));
        args.add(Long.toString(ttlMs));
        for (Long id : ask) {
          args.add(SeriesId.hex(id));
        }
        List<?> out = redis.execute(ADMIT, List.of(names.redisKey("series", namespace)), args.toArray());
        for (int i = 0; i < ask.size(); i++) {
          if (((Number) out.get(i)).intValue() == 1) {
            mine.put(ask.get(i), now);
          } else {
            refused.add(ask.get(i));
          }
        }
        trim(mine, now);
        return refused;
      } catch (DataAccessException e) {
        dependencies.failure("redis");
        skipRedisUntil = now + 5_000;
      }
    }
    // Redis away: this instance's memory decides (the cap holds per instance until Redis returns)
    dependencies.degraded("series_registry", "redis_down_local");
    for (Long id : ask) {
      if (mine.containsKey(id) || live(mine, now) < cap) {
        mine.put(id, now);
      } else {
        refused.add(id);
      }
    }
    return refused;
  }

  private long live(Map<Long, Long> mine, long now) {
    return mine.values().stream().filter(at -> now - at <= ttlMs).count();
  }

  private void trim(Map<Long, Long> mine, long now) {
    if (mine.size() > 2_000_000) {
      mine.values().removeIf(at -> now - at > refreshMs);
    }
  }

  /** How many series the namespace has now (the status route's series-cap usage). */
  public long count(String namespace) {
    try {
      Long n = redis.opsForZSet().count(names.redisKey("series", namespace), clock.millis() - ttlMs, Double.MAX_VALUE);
      return n == null ? 0 : n;
    } catch (DataAccessException e) {
      dependencies.failure("redis");
      return live(confirmed.getOrDefault(namespace, Map.of()), clock.millis());
    }
  }

}
