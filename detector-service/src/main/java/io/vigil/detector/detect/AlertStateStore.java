package io.vigil.detector.detect;

import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.store.StoreNames;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The durable copy of alert state in Redis: one hash per partition of the shard's rollup topic
 * ({@code <prefix>detector:<shard>:alerts:<partition>}), a field per alertKey, so a detector that gains
 * a partition reads exactly that partition's alerts. Writes are pipelined, one round trip per batch.
 *
 * <p>Redis down is a degraded path, never a stop: {@link #write} says false (the caller keeps the
 * states dirty and detection goes on from memory), and for a second after a failure no call waits
 * on Redis again, so a batch is not slowed by one timeout after another.
 */
final class AlertStateStore {

  private static final Logger log = LoggerFactory.getLogger(AlertStateStore.class);
  static final long RETRY_AFTER_MS = 1_000;

  private final StringRedisTemplate redis;
  private final StoreNames names;
  private final String shard;
  private final DependencyMetrics dependencies;
  private final Clock clock;
  private final JsonMapper json = JsonMapper.builder().build();
  private volatile long skipUntil;

  AlertStateStore(StringRedisTemplate redis, StoreNames names, String shard, DependencyMetrics dependencies,
      Clock clock) {
    this.redis = redis;
    this.names = names;
    this.shard = shard;
    this.dependencies = dependencies;
    this.clock = clock;
  }

  /** The hash of a partition: rollup partitions' alerts, or (from {@link AlertEngine#EVENTS} on) event partitions'. */
  String key(int partition) {
    return partition >= AlertEngine.EVENTS
        ? names.redisKey("detector", shard, "event-alerts", Integer.toString(partition - AlertEngine.EVENTS))
        : names.redisKey("detector", shard, "alerts", Integer.toString(partition));
  }

  /** True when Redis was skipped recently after a failure (no call is made). */
  boolean resting() {
    return clock.millis() < skipUntil;
  }

  /**
   * Writes the states (an idle one is deleted) in one pipelined round trip.
   *
   * @return false when Redis could not be reached: nothing is known to be written
   */
  boolean write(Collection<AlertState> states) {
    if (states.isEmpty()) {
      return true;
    }
    if (resting()) {
      return false;
    }
    Map<String, byte[]> values = new HashMap<>();
    for (AlertState s : states) {
      if (!s.doomed && (!s.idle() || s.watched)) {
        values.put(s.alertKey, json.writeValueAsBytes(StoredAlert.of(s)));
      }
    }
    try {
      redis.executePipelined((RedisCallback<Object>) connection -> {
        write(connection, states, values);
        return null;
      });
      return true;
    } catch (DataAccessException e) {
      failed("write", e);
      return false;
    }
  }

  private void write(RedisConnection connection, Collection<AlertState> states, Map<String, byte[]> values) {
    for (AlertState s : states) {
      byte[] key = key(s.partition).getBytes(StandardCharsets.UTF_8);
      byte[] field = s.alertKey.getBytes(StandardCharsets.UTF_8);
      byte[] value = values.get(s.alertKey);
      if (value != null) {
        connection.hashCommands().hSet(key, field, value);
      } else {
        connection.hashCommands().hDel(key, field);
      }
    }
  }

  /** Every stored alert of a partition, by alertKey (read with HSCAN, never one blocking HGETALL). */
  Map<String, StoredAlert> read(int partition) {
    Map<String, StoredAlert> out = new HashMap<>();
    try (Cursor<Map.Entry<Object, Object>> cursor = redis.opsForHash()
        .scan(key(partition), ScanOptions.scanOptions().count(1000).build())) {
      while (cursor.hasNext()) {
        Map.Entry<Object, Object> e = cursor.next();
        String field = (String) e.getKey();
        try {
          out.put(field, json.readValue((String) e.getValue(), StoredAlert.class));
        } catch (RuntimeException bad) {
          // a copy this version cannot read: judged afresh from the next window, and said
          log.error("stored alert {} of partition {} is unreadable and is dropped: {}", field, partition,
              bad.getMessage());
        }
      }
    }
    return out;
  }

  void failed(String what, RuntimeException e) {
    dependencies.failure("redis");
    skipUntil = clock.millis() + RETRY_AFTER_MS;
    log.warn("Redis {} of alert state failed; detection goes on from memory: {}", what, e.getMessage());
  }
}
