package io.vigil.notifier.alertmanager;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.error.Violations;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.series.AlertIds;
import io.vigil.common.series.AlertKey;
import io.vigil.common.series.SeriesId;
import io.vigil.common.store.StoreNames;
import io.vigil.notifier.control.ControlCopy.LivePolicy;
import io.vigil.notifier.control.ControlView;
import io.vigil.notifier.state.NotifierState;
import io.vigil.notifier.state.StateWrites;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * Alertmanager's v2 alert API as another intake, so Prometheus and vmalert can send their alerts to
 * Vigil: {@code POST /api/v2/alerts} with the JSON they send. Alertmanager's semantics hold: a sender
 * re-sends a firing alert every evaluation, so an alert is its label set (its fingerprint), a
 * refresh before its {@code endsAt} stays one alert, and an {@code endsAt} that passed — sent so, or
 * reached without a refresh — resolves it, once.
 *
 * <p>The convention that maps labels onto Vigil: the tenant is the sender's credential's (an operator
 * token of exactly one tenant), never a label; {@code vigil_policy} names the tenant's policy whose
 * receivers and notification settings apply (required); {@code vigil_namespace} the namespace
 * (default {@code prometheus/alerts}); {@code severity} critical, warning or info (default warning);
 * {@code alertname} is the metric; every label but the {@code vigil_} ones is a dimension (so
 * silences and inhibition rules match them); annotations {@code summary} (else {@code description})
 * is the summary.
 *
 * <p>A transition becomes an {@code AlertEvent} on {@code alerts.events}, keyed by its alertKey, so it
 * runs through the same pipeline in order, and storage keeps its history like any other alert's.
 */
public final class AlertmanagerIntake {

  public static final String POLICY_LABEL = "vigil_policy";
  public static final String NAMESPACE_LABEL = "vigil_namespace";
  public static final String DEFAULT_NAMESPACE = "prometheus/alerts";
  static final int MAX_ALERTS = 1000;
  static final int MAX_LABELS = 64;
  private static final java.util.regex.Pattern LABEL_NAME = java.util.regex.Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]{0,127}");
  private static final java.util.regex.Pattern NAMESPACE =
      java.util.regex.Pattern.compile("[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_.-]*");
  private static final long SEED = 0x76_69_67_69_6C_41_4D_01L;
  private static final io.vigil.common.kafka.MessageCodec CODEC = new io.vigil.common.kafka.MessageCodec();
  /**
   * A batch's steps, alert after alert in one script (one round trip per batch; KEYS[1] the timers,
   * KEYS[i + 1] alert i's hash, ARGV[1] the retention, then per alert its endsAt, whether it is a
   * resolution, its timer member). Per alert: a resolution closes an open alert (its timer removed);
   * a firing alert refreshes its endsAt and timer, and opens when it was not. Answers per alert
   * {action, sequence}: 0 nothing to publish, 1 FIRING, 2 RESOLVED. The keys are plain keys of one
   * Redis (the notifier's state is not sharded across a cluster).
   */
  private static final DefaultRedisScript<List> TAKE = new DefaultRedisScript<>("""
      local out = {}
      local retention = ARGV[1]
      for i = 2, #KEYS do
        local key = KEYS[i]
        local at = 2 + (i - 2) * 3
        local ends, resolved, member = ARGV[at], ARGV[at + 1], ARGV[at + 2]
        local open = redis.call('HGET', key, 'open') == '1'
        local action, seq = 0, 0
        if resolved == '1' then
          if open then
            seq = redis.call('HINCRBY', key, 'seq', 1)
            redis.call('HSET', key, 'open', '0', 'endsAt', ends)
            redis.call('ZREM', KEYS[1], member)
            redis.call('PEXPIRE', key, retention)
            action = 2
          end
        else
          redis.call('HSET', key, 'endsAt', ends)
          redis.call('ZADD', KEYS[1], ends, member)
          redis.call('PEXPIRE', key, retention)
          if not open then
            seq = redis.call('HINCRBY', key, 'seq', 1)
            redis.call('HSET', key, 'open', '1')
            action = 1
          end
        end
        out[#out + 1] = action
        out[#out + 1] = seq
      end
      return out""", List.class);
  /**
   * An expiry: closes an open alert whose endsAt passed ({sequence, event}); {-when} to look again
   * then: refreshed meanwhile, or its FIRING's publish not yet acknowledged.
   */
  private static final DefaultRedisScript<List> EXPIRE = new DefaultRedisScript<>("""
      if redis.call('HGET', KEYS[1], 'open') ~= '1' then
        redis.call('ZREM', KEYS[2], ARGV[2])
        return {0}
      end
      local ends = tonumber(redis.call('HGET', KEYS[1], 'endsAt'))
      if ends > tonumber(ARGV[1]) then return {-ends} end
      if not redis.call('HGET', KEYS[1], 'event') then return {-(tonumber(ARGV[1]) + 1000)} end
      local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
      redis.call('HSET', KEYS[1], 'open', '0')
      redis.call('ZREM', KEYS[2], ARGV[2])
      return {seq, redis.call('HGET', KEYS[1], 'event')}""", List.class);

  /** One alert as Prometheus posts it. */
  public record PostableAlert(Map<String, String> labels, Map<String, String> annotations, String startsAt,
      String endsAt, String generatorURL) {}

  private final VigilPublisher publisher;
  private final ControlView control;
  private final NotifierState state;
  private final StringRedisTemplate redis;
  private final StoreNames names;
  private final Clock clock;
  private final String region;
  private final long resolveTimeoutMs;
  private final long retentionMs;
  private final java.util.concurrent.Executor callbacks;
  private final Counter received;
  private final Counter transitions;

  public AlertmanagerIntake(VigilPublisher publisher, ControlView control, NotifierState state,
      StringRedisTemplate redis, StoreNames names, Clock clock, String region,
      Duration resolveTimeout, Duration retention, java.util.concurrent.Executor callbacks, MeterRegistry registry) {
    this.callbacks = callbacks;
    this.publisher = publisher;
    this.control = control;
    this.state = state;
    this.redis = redis;
    this.names = names;
    this.clock = clock;
    this.region = region;
    this.resolveTimeoutMs = resolveTimeout.toMillis();
    this.retentionMs = retention.toMillis();
    this.received = Counter.builder("vigil.notifier.alertmanager.alerts")
        .description("alerts received on the Alertmanager v2 API").register(registry);
    this.transitions = Counter.builder("vigil.notifier.alertmanager.transitions")
        .description("FIRING and RESOLVED events the Alertmanager intake published").register(registry);
  }

  /** Checks a batch whole (Alertmanager refuses a batch with an invalid alert); throws 400 with every problem. */
  public void validate(String tenant, List<PostableAlert> alerts) {
    Violations v = new Violations();
    v.check(alerts != null && !alerts.isEmpty() && alerts.size() <= MAX_ALERTS, "alerts",
        "1 to " + MAX_ALERTS + " alerts");
    if (alerts != null) {
      for (int i = 0; i < Math.min(alerts.size(), MAX_ALERTS); i++) {
        PostableAlert a = alerts.get(i);
        String at = "[" + i + "]";
        if (a == null || a.labels() == null || a.labels().isEmpty()) {
          v.add(at + ".labels", "an alert has labels");
          continue;
        }
        v.check(a.labels().size() <= MAX_LABELS, at + ".labels", "at most " + MAX_LABELS + " labels");
        a.labels().forEach((k, val) -> v.check(k != null && LABEL_NAME.matcher(k).matches() && val != null
            && val.length() <= 1024, at + ".labels." + k, "a label name and a value of at most 1024 characters"));
        String policy = a.labels().get(POLICY_LABEL);
        LivePolicy p = policy == null ? null : control.policy(policy);
        v.check(p != null && p.tenant().equals(tenant), at + ".labels." + POLICY_LABEL,
            "the id of a policy of tenant " + tenant + " (its receivers and settings apply)");
        String sev = a.labels().get("severity");
        v.check(sev == null || severity(sev) != null, at + ".labels.severity", "critical, warning or info");
        v.check(unset(a.startsAt()) || time(a.startsAt()) != null, at + ".startsAt", "an RFC 3339 time");
        v.check(unset(a.endsAt()) || time(a.endsAt()) != null, at + ".endsAt", "an RFC 3339 time");
        String ns = a.labels().get(NAMESPACE_LABEL);
        v.check(ns == null || NAMESPACE.matcher(ns).matches(), at + ".labels." + NAMESPACE_LABEL,
            "product/family in lower case");
      }
    }
    v.throwIfAny();
  }

  /** One alert of a batch, ready for the script. */
  private record Taken(PostableAlert alert, Map<String, String> labels, String alertKey, String key, long endsAt,
      boolean resolved) {}

  /** A transition the batch made, and its publish. */
  private record Transition(String key, AlertEvent event, CompletableFuture<?> sent) {}

  /**
   * Takes a validated batch. The alerts' states move in one Redis script, alert after alert (no lock:
   * a refresh, a transition and its timer are one atomic step); the transitions are published
   * together and awaited once, then settled in one pipelined round trip. A transition the broker did
   * not take is undone, and the batch answers 503, so the sender's retry fires it again.
   */
  public void accept(String tenant, List<PostableAlert> alerts) throws Exception {
    long now = clock.millis();
    List<Taken> taken = new java.util.ArrayList<>(alerts.size());
    List<String> keys = new java.util.ArrayList<>(alerts.size() + 1);
    List<String> args = new java.util.ArrayList<>(alerts.size() * 3 + 1);
    keys.add(names.redisKey("notifier", "timers"));
    args.add(Long.toString(retentionMs));
    for (PostableAlert a : alerts) {
      Map<String, String> labels = new TreeMap<>(a.labels());
      String alertKey = AlertKey.ofObject(labels.get(POLICY_LABEL), "am" + fingerprint(tenant, labels)).toString();
      Long ends = unset(a.endsAt()) ? null : time(a.endsAt());
      boolean resolved = ends != null && ends <= now;
      long endsAt = ends != null ? ends : now + resolveTimeoutMs;
      Taken t = new Taken(a, labels, alertKey, names.redisKey("notifier", "am", alertKey), endsAt, resolved);
      taken.add(t);
      keys.add(t.key());
      args.add(Long.toString(endsAt));
      args.add(resolved ? "1" : "0");
      args.add("EXPIRE|" + alertKey);
    }
    received.increment(alerts.size());
    List<?> r = redis.execute(TAKE, keys, args.toArray());
    List<Transition> made = new java.util.ArrayList<>();
    for (int i = 0; i < taken.size(); i++) {
      long action = ((Number) r.get(2 * i)).longValue();
      if (action == 0) {
        continue;
      }
      Taken t = taken.get(i);
      long seq = ((Number) r.get(2 * i + 1)).longValue();
      AlertEvent.AlertStatus status = action == 1 ? AlertEvent.AlertStatus.FIRING : AlertEvent.AlertStatus.RESOLVED;
      AlertEvent e = event(tenant, t.alert(), t.labels(), t.alertKey(), status, seq, now);
      made.add(new Transition(t.key(), e, publisher.publish(Topics.ALERTS_EVENTS, e)));
    }
    Exception failure = null;
    try {
      CompletableFuture.allOf(made.stream().map(Transition::sent).toArray(CompletableFuture[]::new))
          .get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      failure = e;
    }
    settle(made);
    if (failure != null) {
      throw new DependencyUnavailableException("kafka", "alert transitions could not be published: " + failure,
          failure);
    }
  }

  /**
   * After the publishes: a FIRING the broker took keeps its event (an expiry resolves from it); one it
   * did not take is undone (the sender's retry makes it again). Those answered are written in one
   * pipelined round trip; one still unanswered settles when it is.
   */
  private void settle(List<Transition> made) {
    List<Transition> answered = new java.util.ArrayList<>();
    for (Transition t : made) {
      if (t.sent().isDone()) {
        answered.add(t);
      } else {
        t.sent().whenCompleteAsync((ok, failed) -> {
          if (failed == null) {
            transitions.increment();
          }
          StateWrites.pipelined(redis, settling(List.of(t)));
        }, callbacks);
      }
    }
    answered.stream().filter(t -> !t.sent().isCompletedExceptionally()).forEach(t -> transitions.increment());
    if (!answered.isEmpty()) {
      StateWrites.pipelined(redis, settling(answered));
    }
  }

  private static StateWrites.Write settling(List<Transition> done) {
    return ops -> {
      for (Transition t : done) {
        boolean firing = t.event().status() == AlertEvent.AlertStatus.FIRING;
        if (t.sent().isCompletedExceptionally()) {
          ops.opsForHash().put(t.key(), "open", firing ? "0" : "1");
        } else if (firing) {
          ops.opsForHash().put(t.key(), "event", new String(CODEC.encode(t.event()), StandardCharsets.UTF_8));
        }
      }
    };
  }

  /** An alert's {@code endsAt} passed without a refresh: it resolves (the timer's call). */
  public void expire(String alertKey) throws Exception {
    String key = names.redisKey("notifier", "am", alertKey);
    List<?> r = redis.execute(EXPIRE, List.of(key, names.redisKey("notifier", "timers")), Long.toString(clock.millis()),
        "EXPIRE|" + alertKey);
    long seq = ((Number) r.get(0)).longValue();
    if (seq < 0) {
      state.schedule(NotifierState.TimerKind.EXPIRE, alertKey, -seq);
      return;
    }
    if (seq == 0) {
      return;
    }
    AlertEvent last = CODEC.decode(String.valueOf(r.get(1)).getBytes(StandardCharsets.UTF_8), AlertEvent.class);
    AlertEvent e = new AlertEvent(AlertEvent.SCHEMA_VERSION, AlertIds.eventId(alertKey, seq), alertKey,
        last.policyId(), last.policyVersion(), last.tenant(), last.namespace(), last.region(), last.metric(), 0,
        last.objectId(), last.dimensions(), AlertEvent.AlertStatus.RESOLVED, last.severity(), seq, null, null,
        last.summary(), last.firstFiredAtMs(), clock.millis(), 0, 0, null, "expired");
    try {
      publisher.publish(Topics.ALERTS_EVENTS, e).get(10, TimeUnit.SECONDS);
      transitions.increment();
    } catch (Exception failed) {
      redis.opsForHash().put(key, "open", "1"); // tried again shortly
      state.schedule(NotifierState.TimerKind.EXPIRE, alertKey, clock.millis() + 5_000);
      throw failed;
    }
  }

  private AlertEvent event(String tenant, PostableAlert a, Map<String, String> labels, String alertKey,
      AlertEvent.AlertStatus status, long seq, long now) {
    LivePolicy p = control.policy(labels.get(POLICY_LABEL));
    Map<String, String> dims = new TreeMap<>();
    labels.forEach((k, v) -> {
      if (!k.startsWith("vigil_")) {
        dims.put(k, v);
      }
    });
    String sev = labels.get("severity");
    Long starts = unset(a.startsAt()) ? null : time(a.startsAt());
    Map<String, String> ann = a.annotations() == null ? Map.of() : a.annotations();
    String summary = ann.getOrDefault("summary", ann.get("description"));
    return new AlertEvent(AlertEvent.SCHEMA_VERSION, AlertIds.eventId(alertKey, seq), alertKey,
        labels.get(POLICY_LABEL), p == null ? 0 : p.version(), tenant,
        labels.getOrDefault(NAMESPACE_LABEL, DEFAULT_NAMESPACE), region, labels.get("alertname"), 0,
        AlertKey.parse(alertKey).objectId(), dims, status,
        sev == null ? AlertEvent.Severity.WARNING : severity(sev), seq, null, null,
        summary == null || summary.length() > 4000 ? null : summary, starts == null ? now : Math.min(starts, now), now,
        0, 0, null, status == AlertEvent.AlertStatus.RESOLVED ? "resolved_by_sender" : null);
  }

  /** The label set's fingerprint within the tenant: the same labels are the same alert. */
  static String fingerprint(String tenant, Map<String, String> labels) {
    return SeriesId.key(SeriesId.of(tenant, "", "alertmanager", labels) ^ SEED);
  }

  static AlertEvent.Severity severity(String s) {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "critical", "page", "error" -> AlertEvent.Severity.CRITICAL;
      case "warning", "warn" -> AlertEvent.Severity.WARNING;
      case "info", "none" -> AlertEvent.Severity.INFO;
      default -> null;
    };
  }

  /** The first time a sender means: earlier ones (Go's zero time, 0001-01-01) say "not set". */
  static final long UNSET_BEFORE = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();

  /** A time as senders write it; null when it is not one, or means "not set" (before 2000). */
  static Long time(String s) {
    Instant t;
    try {
      t = Instant.parse(s);
    } catch (DateTimeParseException e) {
      try {
        t = java.time.OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
    try {
      long ms = t.toEpochMilli();
      return ms < UNSET_BEFORE ? null : ms;
    } catch (ArithmeticException e) {
      return null;
    }
  }

  /** Whether a time field is absent, empty, or a time meaning "not set". */
  static boolean unset(String s) {
    return s == null || s.isEmpty() || time(s) == null && parses(s);
  }

  private static boolean parses(String s) {
    try {
      Instant.parse(s);
      return true;
    } catch (DateTimeParseException e) {
      try {
        java.time.OffsetDateTime.parse(s);
        return true;
      } catch (DateTimeParseException e2) {
        return false;
      }
    }
  }

}
