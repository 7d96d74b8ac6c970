package io.vigil.notifier.state;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.store.StoreNames;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The notifier's durable pipeline state in Redis, shared by every notifier instance, with a bounded
 * in-memory copy that serves when Redis is down (counted as degraded; what is written meanwhile is
 * kept in memory only, so a restart during an outage can repeat a notification):
 *
 * <ul>
 *   <li>per alert, the last event sequence handled ({@code notifier:alert:<alertKey>}): a replayed
 *       or overtaken event is a duplicate, never a second notification;
 *   <li>per notification id, that it was delivered ({@code notifier:sent:<id>}): a restart that
 *       re-runs an event re-sends only what had not gone out;
 *   <li>per tenant, its firing alerts and their labels ({@code notifier:firing:<tenant>}), the
 *       sources inhibition rules look for. Each instance reads a tenant's set at most every {@code
 *       firingRefresh}, so an alert firing on another instance inhibits after at most that long.
 * </ul>
 *
 * A Redis outage opens a circuit breaker, so the pipeline does not wait on Redis's timeout for every
 * event.
 */
public final class NotifierState {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};
  private static final String COMPONENT = "notifier_state";

  private final StringRedisTemplate redis;
  private final StoreNames names;
  private final DependencyMetrics dependencies;
  private final Clock clock;
  private final long retentionMs;
  private final long firingRefreshMs;
  private final CircuitBreaker breaker;
  private final Lru<String, Long> sequences;
  private final Lru<String, Boolean> sent;
  private final Map<String, Firing> firing = new ConcurrentHashMap<>();

  /** A tenant's firing alerts as this instance last saw them. */
  private static final class Firing {
    final Map<String, Map<String, String>> alerts = new ConcurrentHashMap<>();
    volatile long readAtMs = Long.MIN_VALUE;
  }

  /**
   * @param retention how long sequences and sent marks are kept (longer than any redelivery)
   * @param memoryEntries bound of the in-memory copies
   */
  public NotifierState(StringRedisTemplate redis, StoreNames names, DependencyMetrics dependencies, Clock clock,
      Duration retention, Duration firingRefresh, int memoryEntries) {
    this.redis = redis;
    this.names = names;
    this.dependencies = dependencies;
    this.clock = clock;
    this.retentionMs = retention.toMillis();
    this.firingRefreshMs = firingRefresh.toMillis();
    this.sequences = new Lru<>(memoryEntries);
    this.sent = new Lru<>(memoryEntries);
    this.breaker = CircuitBreaker.of("notifier-redis", CircuitBreakerConfig.custom()
        .slidingWindowSize(20).minimumNumberOfCalls(5).failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofSeconds(5)).permittedNumberOfCallsInHalfOpenState(2)
        .recordExceptions(DataAccessException.class).build());
  }

  /** The last sequence handled for an alert; 0 for none. */
  public long lastSequence(String alertKey) {
    Reply<String> v = call(() -> redis.opsForValue().get(alertKeyOf(alertKey)));
    if (v.answered()) {
      return v.value() == null ? 0 : Long.parseLong(v.value());
    }
    Long m = sequences.get(alertKey);
    return m == null ? 0 : m;
  }

  /**
   * Marks an event handled, and keeps the tenant's firing set: a FIRING alert joins it, any other
   * status leaves it.
   */
  public void handled(AlertEvent e, Map<String, String> labels) {
    sequences.put(e.alertKey(), e.sequence());
    Firing f = firing.computeIfAbsent(e.tenant(), t -> new Firing());
    boolean fires = e.status() == AlertEvent.AlertStatus.FIRING;
    if (fires) {
      f.alerts.put(e.alertKey(), labels);
    } else {
      f.alerts.remove(e.alertKey());
    }
    String firingKey = names.redisKey("notifier", "firing", e.tenant());
    call(() -> {
      redis.opsForValue().set(alertKeyOf(e.alertKey()), Long.toString(e.sequence()), retentionMs,
          TimeUnit.MILLISECONDS);
      if (fires) {
        redis.opsForHash().put(firingKey, e.alertKey(), JSON.writeValueAsString(labels));
      } else {
        redis.opsForHash().delete(firingKey, e.alertKey());
      }
      return Boolean.TRUE;
    });
  }

  /** A tenant's firing alerts (alertKey to labels), refreshed from Redis when older than the refresh interval. */
  public Map<String, Map<String, String>> firing(String tenant) {
    Firing f = firing.computeIfAbsent(tenant, t -> new Firing());
    long now = clock.millis();
    if (now - f.readAtMs >= firingRefreshMs) {
      Reply<Map<Object, Object>> all = call(() -> redis.opsForHash().entries(
          names.redisKey("notifier", "firing", tenant)));
      if (all.answered() && all.value() != null) {
        Map<String, Map<String, String>> fresh = new HashMap<>();
        all.value().forEach((k, v) -> fresh.put((String) k, JSON.readValue((String) v, LABELS)));
        f.alerts.keySet().retainAll(fresh.keySet());
        f.alerts.putAll(fresh);
        f.readAtMs = now;
      }
    }
    return f.alerts;
  }

  /** Whether a notification id was delivered already. */
  public boolean delivered(String notificationId) {
    Reply<Boolean> v = call(() -> redis.hasKey(sentKeyOf(notificationId)));
    if (v.answered()) {
      return Boolean.TRUE.equals(v.value());
    }
    return sent.get(notificationId) != null;
  }

  public void markDelivered(String notificationId) {
    sent.put(notificationId, Boolean.TRUE);
    call(() -> {
      redis.opsForValue().set(sentKeyOf(notificationId), "1", retentionMs, TimeUnit.MILLISECONDS);
      return Boolean.TRUE;
    });
  }

  public CircuitBreaker.State redisState() {
    return breaker.getState();
  }

  private String alertKeyOf(String alertKey) {
    return names.redisKey("notifier", "alert", alertKey);
  }

  private String sentKeyOf(String notificationId) {
    return names.redisKey("notifier", "sent", notificationId);
  }

  /** Redis's answer (which may be null), or that it did not answer. */
  private record Reply<T>(boolean answered, T value) {}

  private <T> Reply<T> call(Supplier<T> op) {
    try {
      return new Reply<>(true, breaker.executeSupplier(op));
    } catch (CallNotPermittedException e) {
      dependencies.degraded(COMPONENT, "redis_down");
      return new Reply<>(false, null);
    } catch (DataAccessException e) {
      dependencies.failure("redis");
      dependencies.degraded(COMPONENT, "redis_down");
      return new Reply<>(false, null);
    }
  }
}
