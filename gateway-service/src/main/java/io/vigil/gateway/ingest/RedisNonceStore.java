package io.vigil.gateway.ingest;

import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.semantics.RequestSigning;
import io.vigil.common.store.StoreNames;
import java.time.Clock;
import java.time.Duration;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Nonces shared by every gateway instance: {@code SET <prefix>nonce:<keyId>:<nonce> NX PX <window>}
 * in Redis, so a request replayed to another instance, or after a restart, is refused. Each nonce is
 * also kept in this instance's memory; while Redis is away the gateway goes on with that alone
 * (counted in {@code vigil_degraded_total{component="nonce_store"}}): replays to the same instance
 * are still caught, replays to another are not until Redis returns. After a failure Redis is not
 * asked again for a few seconds, so an outage does not add its timeout to every request.
 */
public class RedisNonceStore implements RequestSigning.NonceStore {

  private static final long RETRY_AFTER_MS = 5_000;

  private final StringRedisTemplate redis;
  private final StoreNames names;
  private final NonceCache local;
  private final DependencyMetrics dependencies;
  private final Clock clock;
  private volatile long skipRedisUntil;

  public RedisNonceStore(StringRedisTemplate redis, StoreNames names, NonceCache local, DependencyMetrics dependencies,
      Clock clock) {
    this.redis = redis;
    this.names = names;
    this.local = local;
    this.dependencies = dependencies;
    this.clock = clock;
  }

  @Override
  public boolean firstSeen(String keyId, String nonce, Duration keep) {
    boolean locallyFirst = local.firstSeen(keyId, nonce, keep);
    long now = clock.millis();
    if (now >= skipRedisUntil) {
      try {
        Boolean set = redis.opsForValue().setIfAbsent(names.redisKey("nonce", keyId, nonce), "1", keep);
        return Boolean.TRUE.equals(set) && locallyFirst;
      } catch (DataAccessException e) {
        dependencies.failure("redis");
        skipRedisUntil = now + RETRY_AFTER_MS;
      }
    }
    dependencies.degraded("nonce_store", "redis_down_local");
    return locallyFirst;
  }
}
