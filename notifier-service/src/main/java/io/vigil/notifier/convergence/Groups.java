package io.vigil.notifier.convergence;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.series.SeriesId;
import io.vigil.common.store.StoreNames;
import io.vigil.notifier.state.StateWrites;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Convergence groups (告警收敛) in Redis, shared by every notifier instance: a group is the alerts of
 * one policy with equal values of its {@code groupBy} dimensions. Per group:
 *
 * <ul>
 *   <li>{@code notifier:group:<key>:members}: each member alert's latest event;
 *   <li>{@code notifier:group:<key>:told}: what the last group notification told of each member
 *       ({@code STATUS:sequence}), so a flush sends only what changed;
 *   <li>{@code notifier:group:<key>}: the policy, tenant, group labels, flushes made, when the last
 *       went out;
 *   <li>its flush timer {@code GROUP|<key>} in the notifier's timers: due {@code groupWait} after the
 *       first member of a new group, or {@code groupInterval} after the last flush (and at least
 *       {@code groupWait} after the change).
 * </ul>
 *
 * Joining a group is one script: once it returns, the member is durable and the flush is scheduled,
 * so the consumer may commit the event; a notifier killed during the group wait loses nothing (the
 * timer fires on another instance, or after the restart).
 */
public final class Groups {

  /** A group as read for a flush. */
  /**
   * @param episode the event id of the member that made the group (its notification ids name it, so a
   *     group made again after all its members resolved sends under ids of its own)
   */
  public record Group(String key, String policyId, String tenant, Map<String, String> labels, long flushes,
      long lastFlushAtMs, Map<String, AlertEvent> members, Map<String, String> told, String episode) {}

  private static final MessageCodec CODEC = new MessageCodec();
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

  /**
   * Adds the member and schedules the flush: {@code groupWait} after a new group's first member, or
   * {@code groupInterval} after the last flush but never sooner than {@code groupWait} from now (a
   * change to a group that has been quiet waits for its companions as a new group does: the forty
   * recoveries of a storm arrive over a second or two and go out as one message, not as one and then
   * thirty-nine); a flush scheduled later (the group's repeat) is moved earlier, unless a flush is
   * running (it sends what joined meanwhile at the interval). Answers the flush's due time.
   */
  private static final DefaultRedisScript<Long> JOIN = new DefaultRedisScript<>("""
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
      redis.call('HSETNX', KEYS[2], 'policyId', ARGV[6])
      redis.call('HSETNX', KEYS[2], 'tenant', ARGV[7])
      redis.call('HSETNX', KEYS[2], 'labels', ARGV[8])
      redis.call('HSETNX', KEYS[2], 'episode', ARGV[11])
      redis.call('PEXPIRE', KEYS[1], ARGV[9])
      redis.call('PEXPIRE', KEYS[2], ARGV[9])
      local now = tonumber(ARGV[3])
      local last = redis.call('HGET', KEYS[2], 'lastFlushAt')
      local at = now + tonumber(ARGV[4])
      if last then at = math.max(now + tonumber(ARGV[4]), tonumber(last) + tonumber(ARGV[5])) end
      local due = redis.call('ZSCORE', KEYS[3], ARGV[10])
      if due then
        due = tonumber(due)
        if due > at and redis.call('EXISTS', KEYS[4]) == 0 then
          redis.call('ZADD', KEYS[3], at, ARGV[10])
          return at
        end
        return due
      end
      redis.call('ZADD', KEYS[3], at, ARGV[10])
      return at""", Long.class);

  private final StringRedisTemplate redis;
  private final StoreNames names;
  private final long retentionMs;

  public Groups(StringRedisTemplate redis, StoreNames names, long retentionMs) {
    this.redis = redis;
    this.names = names;
    this.retentionMs = retentionMs;
  }

  /** The group key of an alert: its policy, and a hash of its values of the policy's groupBy dimensions. */
  public static String keyOf(String policyId, Map<String, String> groupLabels) {
    return policyId + ":g:" + SeriesId.key(SeriesId.of(policyId, "", "group", groupLabels));
  }

  /** The values of the groupBy dimensions (absent ones as empty, so they group together). */
  public static Map<String, String> labelsOf(List<String> groupBy, Map<String, String> dimensions) {
    Map<String, String> m = new TreeMap<>();
    for (String d : groupBy) {
      m.put(d, dimensions.getOrDefault(d, ""));
    }
    return m;
  }

  /** The member joins (or updates its event in) the group; returns when the flush is due. */
  public long join(Join j, long nowMs) {
    Long due = redis.execute(JOIN, keysOf(j.key()), argsOf(j, nowMs).toArray());
    return due == null ? nowMs + j.waitMs() : due;
  }

  /** The join script's keys for a group. */
  private List<String> keysOf(String key) {
    return List.of(membersKey(key), metaKey(key), timersKey(), flushingKey(key));
  }

  /** The join script's arguments for one member, after its keys. */
  private List<String> argsOf(Join j, long nowMs) {
    AlertEvent e = j.event();
    return List.of(e.alertKey(), j.eventJson(), Long.toString(nowMs),
        Long.toString(j.waitMs()), Long.toString(j.intervalMs()), e.policyId(), j.tenant(),
        JSON.writeValueAsString(j.labels()), Long.toString(retentionMs), timerMember(j.key()), e.eventId());
  }

  /**
   * One member to join its group ({@link #join}'s arguments).
   *
   * @param eventJson the event as its notice encoded it ({@code Notice.eventJson})
   */
  public record Join(String key, String tenant, Map<String, String> labels, AlertEvent event, String eventJson,
      long waitMs, long intervalMs) {}

  /**
   * Several members join their groups ({@link #join} of each, in order) in one pipelined round trip;
   * answers each flush's due time, or null for a member whose script failed while others' went
   * through. A failure of the round trip itself throws (Spring's {@code DataAccessException}).
   */
  public Long[] joinAll(List<Join> joins, long nowMs) {
    byte[] script = JOIN.getScriptAsString().getBytes(StandardCharsets.UTF_8);
    List<Object> answers;
    try {
      answers = redis.executePipelined((org.springframework.data.redis.core.RedisCallback<Object>) c -> {
      for (Join j : joins) {
        List<String> keys = keysOf(j.key());
        c.scriptingCommands().eval(script, org.springframework.data.redis.connection.ReturnType.INTEGER, keys.size(),
            java.util.stream.Stream.concat(keys.stream(), argsOf(j, nowMs).stream()).map(Groups::bytes)
                .toArray(byte[][]::new));
      }
      return null;
    });
    } catch (org.springframework.data.redis.connection.RedisPipelineException partly) {
      // some scripts failed, the others joined: each answer (or its error) by its place
      answers = partly.getPipelineResult();
    }
    Long[] due = new Long[joins.size()];
    boolean complete = answers.size() == due.length;
    for (int i = 0; i < due.length; i++) {
      Object a = complete ? answers.get(i) : null;
      due[i] = a instanceof Number n ? Long.valueOf(n.longValue()) : null;
    }
    return due;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The group, or null when it holds nothing any more (its three hashes read in one round trip). */
  public Group read(String key) {
    List<Object> hashes = StateWrites.pipelined(redis, ops -> {
      ops.opsForHash().entries(metaKey(key));
      ops.opsForHash().entries(membersKey(key));
      ops.opsForHash().entries(toldKey(key));
    });
    Map<?, ?> meta = (Map<?, ?>) hashes.get(0);
    Map<?, ?> members = (Map<?, ?>) hashes.get(1);
    if (meta == null || members == null || meta.isEmpty() || members.isEmpty()) {
      return null;
    }
    Map<String, AlertEvent> m = new HashMap<>();
    members.forEach((k, v) -> m.put((String) k, CODEC.decode(((String) v).getBytes(StandardCharsets.UTF_8),
        AlertEvent.class)));
    Map<String, String> told = new HashMap<>();
    if (hashes.get(2) instanceof Map<?, ?> t) {
      t.forEach((k, v) -> told.put((String) k, (String) v));
    }
    return new Group(key, (String) meta.get("policyId"), (String) meta.get("tenant"),
        JSON.readValue((String) meta.get("labels"), LABELS), longOf(meta.get("flushes")),
        longOf(meta.get("lastFlushAt")), m, told, meta.get("episode") == null ? "" : (String) meta.get("episode"));
  }

  /**
   * After a flush went out: what it told of each member, the flush counted; members it told were
   * resolved leave the group.
   */
  public void flushed(String key, Map<String, AlertEvent> told, long nowMs) {
    Map<String, String> marks = new HashMap<>();
    List<Object> gone = new ArrayList<>();
    told.forEach((alertKey, e) -> {
      marks.put(alertKey, mark(e));
      if (e.status() == AlertEvent.AlertStatus.RESOLVED) {
        gone.add(alertKey);
      }
    });
    // one round trip: not atomic (nor was it as separate commands); a flush cut short is run again
    StateWrites.pipelined(redis, ops -> {
      if (!marks.isEmpty()) {
        ops.opsForHash().putAll(toldKey(key), marks);
        ops.expire(toldKey(key), java.time.Duration.ofMillis(retentionMs));
      }
      if (!gone.isEmpty()) {
        Object[] g = gone.toArray();
        ops.opsForHash().delete(membersKey(key), g);
        ops.opsForHash().delete(toldKey(key), g);
      }
      ops.opsForHash().increment(metaKey(key), "flushes", 1);
      ops.opsForHash().put(metaKey(key), "lastFlushAt", Long.toString(nowMs));
    });
  }

  /** Marks a flush of the group running (for at most {@code lease}) or done. */
  public void flushing(String key, boolean running, long leaseMs) {
    if (running) {
      redis.opsForValue().set(flushingKey(key), "1", java.time.Duration.ofMillis(leaseMs));
    } else {
      redis.delete(flushingKey(key));
    }
  }

  /** Removes a group that holds nothing open any more (all resolved and told). */
  public void remove(String key) {
    redis.delete(List.of(membersKey(key), toldKey(key), metaKey(key)));
    redis.opsForZSet().remove(timersKey(), timerMember(key));
  }

  /** Sets the group's next flush. */
  public void schedule(String key, long dueMs) {
    redis.opsForZSet().add(timersKey(), timerMember(key), dueMs);
  }

  /** What a flush tells of a member, to know later whether it changed. */
  public static String mark(AlertEvent e) {
    return e.status().name() + ":" + e.sequence();
  }

  public static String timerMember(String key) {
    return "GROUP|" + key;
  }

  private static long longOf(Object v) {
    return v == null ? 0 : Long.parseLong((String) v);
  }

  private String timersKey() {
    return names.redisKey("notifier", "timers");
  }

  private String membersKey(String key) {
    return names.redisKey("notifier", "group", key, "members");
  }

  private String toldKey(String key) {
    return names.redisKey("notifier", "group", key, "told");
  }

  private String flushingKey(String key) {
    return names.redisKey("notifier", "group", key, "flushing");
  }

  private String metaKey(String key) {
    return names.redisKey("notifier", "group", key);
  }
}
