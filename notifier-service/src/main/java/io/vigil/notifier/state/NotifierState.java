package io.vigil.notifier.state;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.store.StoreNames;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The notifier's durable pipeline state in Redis, shared by every notifier instance, with bounded
 * in-memory copies that serve while Redis is down (counted as degraded; what is written meanwhile
 * lives in this instance only, so a restart during an outage can repeat a notification):
 *
 * <ul>
 *   <li>per alert ({@code notifier:alert:<alertKey>}, a hash): the last event handled (its sequence
 *       makes a replayed or overtaken event a duplicate), when it was first notified, the repeats and
 *       the escalation level reached, and who acknowledged it;
 *   <li>per notification id, that it was delivered ({@code notifier:sent:<id>}): a run cut short and
 *       run again re-sends only what had not gone out;
 *   <li>per tenant, its firing alerts and their labels ({@code notifier:firing:<tenant>}), the
 *       sources inhibition rules look for; each instance re-reads a tenant's at most every {@code
 *       firingRefresh};
 *   <li>the timers of repeats and escalations ({@code notifier:timers}, a sorted set by due time):
 *       an instance claims a due timer by moving it a lease ahead in one script, so two instances do
 *       not both fire it, and a timer whose instance died fires again after the lease (its
 *       notification ids make that harmless).
 * </ul>
 *
 * A Redis outage opens a circuit breaker, so the pipeline does not wait on Redis's timeout per call.
 *
 * <p>Writes go through {@link StateWrites} (group commit: one pipelined round trip for whatever is
 * queued) and return at once; {@link #barrier()} completes when every write before it is answered,
 * so whoever must know its state durable (an event before its offset is committed, a follow-up, an
 * acknowledgement) waits for that, not for each command.
 */
public final class NotifierState {

  /** What a timer does when due. */
  public enum TimerKind { REPEAT, ESCALATE, GROUP, EXPIRE }

  /**
   * A due timer as claimed; for a GROUP timer, {@code alertKey} is the group's key; an EXPIRE timer is
   * an Alertmanager-intake alert's {@code endsAt}.
   */
  public record Timer(TimerKind kind, String alertKey, long dueMs) {}

  /**
   * The notifier's record of one alert.
   *
   * @param event the last event handled
   * @param notifiedAtMs when the current firing episode was first handled; 0 if none
   * @param repeats repeat notifications sent in the episode
   * @param level escalation levels reached in the episode
   * @param ackBy who acknowledged the episode; null if no one
   * @param notified whether anyone was told of the episode (a delivery went out)
   * @param mutedBy while no one was told: the status that held its first event back (SILENCED,
   *     INHIBITED, LIMITED, ...), so its RESOLVED is held back the same way; null otherwise
   */
  public record AlertRecord(AlertEvent event, long notifiedAtMs, int repeats, int level, String ackBy,
      long ackAtMs, boolean notified, String mutedBy) {

    public AlertRecord(AlertEvent event, long notifiedAtMs, int repeats, int level, String ackBy, long ackAtMs) {
      this(event, notifiedAtMs, repeats, level, ackBy, ackAtMs, false, null);
    }

    public boolean open() {
      return event.status() != AlertEvent.AlertStatus.RESOLVED;
    }

    public boolean acknowledged() {
      return ackBy != null;
    }
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final MessageCodec CODEC = new MessageCodec();
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};
  private static final String COMPONENT = "notifier_state";
  /** Moves due members a lease ahead and returns them: a claim no other instance can make at once. */
  private static final DefaultRedisScript<List> CLAIM = new DefaultRedisScript<>("""
      local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
      for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], m) end
      return due""", List.class);

  private final StringRedisTemplate redis;
  private final StoreNames names;
  private final DependencyMetrics dependencies;
  private final Clock clock;
  private final long retentionMs;
  private final long firingRefreshMs;
  private final CircuitBreaker breaker;
  private final Lru<String, Kept> alerts;
  private final Lru<String, Boolean> sent;
  private final Map<String, FiringSet> firing = new ConcurrentHashMap<>();
  /** Timers written while Redis was away (member to due time); fired from here until it is back. */
  private final TreeMap<String, Long> memoryTimers = new TreeMap<>();
  private final String timersKey;
  private final StateWrites writes;

  /**
   * The in-memory copy of an alert's record, kept compact: the event as its JSON (one string, decoded
   * only when the copy is read, that is while Redis is away) rather than the event's objects. A
   * hundred thousand copies as objects were four million objects for G1's concurrent marking to walk
   * in every cycle of a storm; as JSON they are a tenth of that and half the bytes.
   */
  private record Kept(String eventJson, long notifiedAtMs, int repeats, int level, String ackBy, long ackAtMs,
      boolean notified, String mutedBy) {

    static Kept of(AlertRecord r, String eventJson) {
      return new Kept(eventJson, r.notifiedAtMs(), r.repeats(), r.level(), r.ackBy(), r.ackAtMs(), r.notified(),
          r.mutedBy());
    }

    AlertRecord record() {
      return new AlertRecord(eventOf(eventJson), notifiedAtMs, repeats, level, ackBy, ackAtMs, notified, mutedBy);
    }
  }

  /** The in-memory copy of an alert's record; null if none. */
  private AlertRecord kept(String alertKey) {
    Kept k = alerts.get(alertKey);
    return k == null ? null : k.record();
  }

  /**
   * @param retention how long alert records and delivered marks are kept (longer than any redelivery)
   * @param memoryEntries bound of the in-memory copies
   */
  public NotifierState(StringRedisTemplate redis, StoreNames names, DependencyMetrics dependencies, Clock clock,
      Duration retention, Duration firingRefresh, int memoryEntries, MeterRegistry registry) {
    this.redis = redis;
    this.names = names;
    this.dependencies = dependencies;
    this.clock = clock;
    this.retentionMs = retention.toMillis();
    this.firingRefreshMs = firingRefresh.toMillis();
    this.alerts = new Lru<>(memoryEntries);
    this.sent = new Lru<>(memoryEntries);
    this.timersKey = names.redisKey("notifier", "timers");
    this.breaker = CircuitBreaker.of("notifier-redis", CircuitBreakerConfig.custom()
        .slidingWindowSize(20).minimumNumberOfCalls(5).failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofSeconds(5)).permittedNumberOfCallsInHalfOpenState(2)
        .recordExceptions(DataAccessException.class).build());
    Gauge.builder("vigil.notifier.timers.memory", this, s -> s.memoryTimerCount())
        .description("repeat and escalation timers held in memory while Redis is away").register(registry);
    this.writes = new StateWrites(redis, breaker, dependencies, 100_000, registry);
  }

  /** The group commit every state write goes through (current values use it too). */
  public StateWrites writes() {
    return writes;
  }

  /** Completes once every state write submitted before it was answered (true when Redis took them). */
  public CompletableFuture<Boolean> barrier() {
    return writes.barrier();
  }

  /** Waits until every state write submitted before is answered (at most ten seconds). */
  public boolean sync() {
    return writes.sync(10_000);
  }

  /** Sends what is queued, then stops the writer. */
  public void close() {
    writes.close();
  }

  // ---- alerts

  /** The notifier's record of an alert, or null if it never handled one of its events (or forgot). */
  public AlertRecord alert(String alertKey) {
    Reply<Map<Object, Object>> r = call(() -> redis.opsForHash().entries(alertKeyOf(alertKey)));
    if (!r.answered()) {
      return kept(alertKey);
    }
    return recordOf(r.value());
  }

  /**
   * The records of several alerts ({@link #alert} of each) in one pipelined round trip; while Redis
   * is away, the in-memory copies.
   */
  public AlertRecord[] alerts(List<String> alertKeys) {
    AlertRecord[] out = new AlertRecord[alertKeys.size()];
    Reply<List<Object>> r = call(() -> StateWrites.pipelined(redis, ops -> {
      for (String k : alertKeys) {
        ops.opsForHash().entries(alertKeyOf(k));
      }
    }));
    for (int i = 0; i < out.length; i++) {
      if (!r.answered() || r.value() == null || r.value().size() != out.length) {
        out[i] = kept(alertKeys.get(i));
      } else {
        @SuppressWarnings("unchecked")
        Map<Object, Object> h = (Map<Object, Object>) r.value().get(i);
        out[i] = recordOf(h);
      }
    }
    return out;
  }

  private static AlertRecord recordOf(Map<Object, Object> h) {
    if (h == null || h.get("event") == null) {
      return null;
    }
    return new AlertRecord(eventOf((String) h.get("event")), longOf(h.get("notifiedAt")), (int) longOf(h.get("repeats")),
        (int) longOf(h.get("level")), (String) h.get("ackBy"), longOf(h.get("ackAt")), "1".equals(h.get("notified")),
        (String) h.get("mutedBy"));
  }

  /** An alert's last event from its JSON, as Redis and the in-memory copies keep it. */
  private static AlertEvent eventOf(String json) {
    return CODEC.decode(json.getBytes(StandardCharsets.UTF_8), AlertEvent.class);
  }

  private static long longOf(Object v) {
    return v == null ? 0 : Long.parseLong((String) v);
  }

  /**
   * Marks an event handled. A FIRING or NO_DATA event after a resolved (or no) episode starts a new
   * episode: first notified now, no repeats, no escalation, no acknowledgement. The tenant's firing
   * set follows the status.
   *
   * @param eventJson the event as its notice encoded it ({@code Notice.eventJson}): what the record keeps
   * @param before the alert's record as intake read it (null if none)
   * @param sent whether this event's notification reached anyone
   * @param stoppedWith the status that stopped the event before dispatch; null if none
   * @return the alert's record as now stored
   */
  public AlertRecord handled(AlertEvent e, String eventJson, Map<String, String> labels, AlertRecord before,
      boolean sent, String stoppedWith) {
    boolean newEpisode = before == null || !before.open();
    boolean notified = sent || !newEpisode && before.notified();
    String mutedBy = notified ? null : newEpisode ? stoppedWith : before.mutedBy();
    AlertRecord after = newEpisode
        ? new AlertRecord(e, clock.millis(), 0, 0, null, 0, notified, mutedBy)
        : new AlertRecord(e, before.notifiedAtMs(), before.repeats(), before.level(), before.ackBy(),
            before.ackAtMs(), notified, mutedBy);
    alerts.put(e.alertKey(), Kept.of(after, eventJson));
    FiringSet f = firingOf(e.tenant());
    boolean fires = e.status() == AlertEvent.AlertStatus.FIRING;
    if (fires) {
      f.put(e.alertKey(), labels, clock.millis());
    } else {
      f.remove(e.alertKey(), clock.millis());
    }
    String firingKey = names.redisKey("notifier", "firing", e.tenant());
    Map<String, String> fields = new HashMap<>();
    fields.put("event", eventJson);
    fields.put("notifiedAt", Long.toString(after.notifiedAtMs()));
    fields.put("repeats", Integer.toString(after.repeats()));
    fields.put("level", Integer.toString(after.level()));
    fields.put("notified", after.notified() ? "1" : "0");
    if (mutedBy != null) {
      fields.put("mutedBy", mutedBy);
    }
    String key = alertKeyOf(e.alertKey());
    String labelsJson = fires ? JSON.writeValueAsString(labels) : null;
    writes.submit(ops -> {
      if (newEpisode) {
        ops.opsForHash().delete(key, "ackBy", "ackAt", "mutedBy");
      } else if (mutedBy == null) {
        ops.opsForHash().delete(key, "mutedBy");
      }
      ops.opsForHash().putAll(key, fields);
      ops.expire(key, retentionMs, TimeUnit.MILLISECONDS);
      if (fires) {
        ops.opsForHash().put(firingKey, e.alertKey(), labelsJson);
      } else {
        ops.opsForHash().delete(firingKey, e.alertKey());
      }
    });
    return after;
  }

  /**
   * Counts a repeat or an escalation sent for the alert's current episode.
   *
   * @param sent whether it reached anyone (then the episode was notified)
   */
  public CompletableFuture<Boolean> followedUp(String alertKey, TimerKind kind, int count, boolean sent) {
    Kept a = alerts.get(alertKey);
    if (a != null) {
      boolean notified = a.notified() || sent;
      String mutedBy = notified ? null : a.mutedBy();
      alerts.put(alertKey, kind == TimerKind.REPEAT
          ? new Kept(a.eventJson(), a.notifiedAtMs(), count, a.level(), a.ackBy(), a.ackAtMs(), notified, mutedBy)
          : new Kept(a.eventJson(), a.notifiedAtMs(), a.repeats(), count, a.ackBy(), a.ackAtMs(), notified, mutedBy));
    }
    String key = alertKeyOf(alertKey);
    return writes.submit(ops -> {
      ops.opsForHash().put(key, kind == TimerKind.REPEAT ? "repeats" : "level", Integer.toString(count));
      if (sent) {
        ops.opsForHash().put(key, "notified", "1");
        ops.opsForHash().delete(key, "mutedBy");
      }
    });
  }

  /** Records who acknowledged the alert's current episode. */
  public CompletableFuture<Boolean> acknowledged(String alertKey, String by, long atMs) {
    Kept a = alerts.get(alertKey);
    if (a != null) {
      alerts.put(alertKey, new Kept(a.eventJson(), a.notifiedAtMs(), a.repeats(), a.level(), by, atMs, a.notified(),
          a.mutedBy()));
    }
    String key = alertKeyOf(alertKey);
    return writes.submit(ops -> ops.opsForHash().putAll(key, Map.of("ackBy", by, "ackAt", Long.toString(atMs))));
  }

  /**
   * A tenant's firing alerts (alertKey to labels), the sources of its inhibition rules: what this
   * instance handled, and what every instance wrote to Redis as of the last read, which is refreshed
   * when older than the refresh interval (by one thread; the others go on with the set as it is).
   */
  public FiringSet firing(String tenant) {
    FiringSet f = firingOf(tenant);
    long now = clock.millis();
    if ((!f.read || now - f.readAtMs >= firingRefreshMs) && f.refreshing.compareAndSet(false, true)) {
      try {
        Reply<Map<Object, Object>> all = call(() -> redis.opsForHash().entries(
            names.redisKey("notifier", "firing", tenant)));
        if (all.answered() && all.value() != null) {
          Map<String, Map<String, String>> fresh = new HashMap<>();
          all.value().forEach((k, v) -> fresh.put((String) k, JSON.readValue((String) v, LABELS)));
          // what this instance changed within a refresh interval before the read may not be in Redis yet
          f.replace(fresh, now);
          f.readAtMs = now;
          f.read = true;
        }
      } finally {
        f.refreshing.set(false);
      }
    }
    return f;
  }

  /** The tenant's firing set as this instance holds it, made on first use. */
  private FiringSet firingOf(String tenant) {
    return firing.computeIfAbsent(tenant, t -> new FiringSet(firingRefreshMs));
  }

  // ---- delivered marks

  /**
   * Whether a notification id was delivered already: by Redis' mark, or by this instance's own (its
   * mark may still be on its way to Redis when the notice runs again).
   */
  public boolean delivered(String notificationId) {
    if (sent.get(notificationId) != null) {
      return true;
    }
    Reply<Boolean> v = call(() -> redis.hasKey(sentKeyOf(notificationId)));
    return v.answered() && Boolean.TRUE.equals(v.value());
  }

  /** Which of several notification ids were delivered already ({@link #delivered} of each), in one round trip. */
  public java.util.Set<String> deliveredOf(java.util.Collection<String> notificationIds) {
    java.util.Set<String> out = new java.util.HashSet<>();
    if (notificationIds.isEmpty()) {
      return out;
    }
    List<String> ids = List.copyOf(notificationIds);
    Reply<List<Object>> r = call(() -> StateWrites.pipelined(redis, ops -> {
      for (String id : ids) {
        ops.hasKey(sentKeyOf(id));
      }
    }));
    boolean answered = r.answered() && r.value() != null && r.value().size() == ids.size();
    for (int i = 0; i < ids.size(); i++) {
      if (sent.get(ids.get(i)) != null || answered && Boolean.TRUE.equals(r.value().get(i))) {
        out.add(ids.get(i));
      }
    }
    return out;
  }

  public CompletableFuture<Boolean> markDelivered(String notificationId) {
    sent.put(notificationId, Boolean.TRUE);
    String key = sentKeyOf(notificationId);
    return writes.submit(ops -> ops.opsForValue().set(key, "1", retentionMs, TimeUnit.MILLISECONDS));
  }

  // ---- timers

  private static String member(TimerKind kind, String alertKey) {
    return kind.name() + "|" + alertKey;
  }

  /** Sets (or moves) the alert's timer of a kind. */
  public CompletableFuture<Boolean> schedule(TimerKind kind, String alertKey, long dueMs) {
    String m = member(kind, alertKey);
    return writes.submit(ops -> ops.opsForZSet().add(timersKey, m, dueMs)).whenComplete((ok, e) -> {
      if (!Boolean.TRUE.equals(ok)) {
        synchronized (memoryTimers) {
          memoryTimers.put(m, dueMs);
        }
      }
    });
  }

  /** Removes every timer of the alert (resolved or acknowledged). */
  public CompletableFuture<Boolean> cancelTimers(String alertKey) {
    Object[] members = {member(TimerKind.REPEAT, alertKey), member(TimerKind.ESCALATE, alertKey)};
    synchronized (memoryTimers) {
      for (Object m : members) {
        memoryTimers.remove(m);
      }
    }
    return writes.submit(ops -> ops.opsForZSet().remove(timersKey, members));
  }

  /** Removes the alert's escalation timer (its last level went out). */
  public CompletableFuture<Boolean> cancelEscalation(String alertKey) {
    String m = member(TimerKind.ESCALATE, alertKey);
    synchronized (memoryTimers) {
      memoryTimers.remove(m);
    }
    return writes.submit(ops -> ops.opsForZSet().remove(timersKey, m));
  }

  /**
   * Claims up to {@code max} due timers: in Redis they move {@code lease} ahead (fired again then if
   * this instance does not reschedule or cancel them); timers held in memory during an outage are
   * taken from memory, and moved to Redis once it answers again.
   */
  @SuppressWarnings("unchecked")
  public List<Timer> claimDue(Duration lease, int max) {
    long now = clock.millis();
    List<Timer> out = new ArrayList<>();
    Reply<List> r = call(() -> redis.execute(CLAIM, List.of(timersKey), Long.toString(now),
        Long.toString(now + lease.toMillis()), Integer.toString(max)));
    if (r.answered() && r.value() != null) {
      for (Object m : r.value()) {
        out.add(timer(String.valueOf(m), now));
      }
      List<Map.Entry<String, Long>> moved;
      synchronized (memoryTimers) {
        moved = new ArrayList<>(memoryTimers.entrySet());
        memoryTimers.clear();
      }
      for (Map.Entry<String, Long> e : moved) {
        Reply<Boolean> back = call(() -> redis.opsForZSet().add(timersKey, e.getKey(), e.getValue()));
        if (!back.answered()) {
          synchronized (memoryTimers) {
            memoryTimers.put(e.getKey(), e.getValue());
          }
        }
      }
      return out;
    }
    synchronized (memoryTimers) {
      for (Map.Entry<String, Long> e : new ArrayList<>(memoryTimers.entrySet())) {
        if (out.size() >= max) {
          break;
        }
        if (e.getValue() <= now) {
          out.add(timer(e.getKey(), e.getValue()));
          memoryTimers.put(e.getKey(), now + lease.toMillis());
        }
      }
    }
    return out;
  }

  private static Timer timer(String member, long dueMs) {
    int bar = member.indexOf('|');
    return new Timer(TimerKind.valueOf(member.substring(0, bar)), member.substring(bar + 1), dueMs);
  }

  private int memoryTimerCount() {
    synchronized (memoryTimers) {
      return memoryTimers.size();
    }
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
