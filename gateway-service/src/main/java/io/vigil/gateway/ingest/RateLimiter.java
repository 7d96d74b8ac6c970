package io.vigil.gateway.ingest;

import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.store.StoreNames;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * Points (and events) per second per product, a token bucket shared by every gateway instance in
 * Redis ({@code <prefix>rate:<product>}): a request takes as many tokens as it carries points, the
 * bucket refills at the product's rate and holds two seconds of it. A request that does not fit is
 * answered 429 with how long until it would. While Redis is away each instance keeps a bucket of its
 * own (counted as degraded).
 */
public class RateLimiter {

  /** Thrown when a request does not fit; {@code retryAfterSeconds} until it would. */
  public static class Limited extends RuntimeException {
    private final long retryAfterSeconds;

    public Limited(String product, long retryAfterSeconds) {
      super("product " + product + " is over its rate; retry in " + retryAfterSeconds + " s");
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** Returns the ms to wait (0 when taken): KEYS[1] bucket; ARGV now, rate/s, capacity, cost. */
  private static final DefaultRedisScript<Long> TAKE = new DefaultRedisScript<>("""
      local key, now, rate, cap, cost = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),
        tonumber(ARGV[4])
      local b = redis.call('HMGET', key, 'tokens', 'at')
      local tokens, at = tonumber(b[1]) or cap, tonumber(b[2]) or now
      tokens = math.min(cap, tokens + (now - at) * rate / 1000)
      local wait = 0
      if tokens >= cost then
        tokens = tokens - cost
      else
        wait = math.ceil((cost - tokens) * 1000 / rate)
      end
      redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
      redis.call('PEXPIRE', key, math.ceil(cap * 1000 / rate) + 1000)
      return wait
      """, Long.class);

  private final StringRedisTemplate redis;
  private final StoreNames names;
  private final DependencyMetrics dependencies;
  private final Clock clock;
  private final double defaultRate;
  private final Map<String, Double> rates;
  private final Map<String, double[]> local = new ConcurrentHashMap<>();
  private volatile long skipRedisUntil;

  public RateLimiter(StringRedisTemplate redis, StoreNames names, DependencyMetrics dependencies, Clock clock,
      double defaultRate, Map<String, Double> rates) {
    this.redis = redis;
    this.names = names;
    this.dependencies = dependencies;
    this.clock = clock;
    this.defaultRate = defaultRate;
    this.rates = Map.copyOf(rates);
  }

  /** Takes {@code cost} tokens of the product's bucket, or throws {@link Limited}. */
  public void take(String product, int cost) {
    double rate = rates.getOrDefault(product, defaultRate);
    double capacity = Math.max(rate * 2, cost);
    long now = clock.millis();
    long waitMs;
    if (now >= skipRedisUntil) {
      try {
        Long w = redis.execute(TAKE, List.of(names.redisKey("rate", product)), Long.toString(now), Double.toString(rate),
            Double.toString(capacity), Integer.toString(cost));
        waitMs = w == null ? 0 : w;
        if (waitMs > 0) {
          throw new Limited(product, Math.max(1, (waitMs + 999) / 1000));
        }
        return;
      } catch (DataAccessException e) {
        dependencies.failure("redis");
        skipRedisUntil = now + 5_000;
      }
    }
    dependencies.degraded("rate_limiter", "redis_down_local");
    double[] bucket = local.computeIfAbsent(product, k -> new double[] {capacity, now});
    synchronized (bucket) {
      bucket[0] = Math.min(capacity, bucket[0] + (now - bucket[1]) * rate / 1000);
      bucket[1] = now;
      if (bucket[0] < cost) {
        throw new Limited(product, Math.max(1, (long) Math.ceil((cost - bucket[0]) / rate)));
      }
      bucket[0] -= cost;
    }
  }
}
