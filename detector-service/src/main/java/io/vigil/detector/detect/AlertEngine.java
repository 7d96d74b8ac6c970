package io.vigil.detector.detect;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.control.AlertPolicy;
import io.vigil.common.kafka.BatchHandler;
import io.vigil.common.kafka.ConsumedRecord;
import io.vigil.common.kafka.PartitionHook;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.logging.LogKeys;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.common.model.Rollup;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.MetricNames;
import io.vigil.common.series.AlertIds;
import io.vigil.common.series.AlertKey;
import io.vigil.common.series.SeriesId;
import io.vigil.detector.condition.ConditionRule;
import io.vigil.detector.condition.ConditionState;
import io.vigil.detector.condition.ThresholdStreak;
import io.vigil.detector.policy.LivePolicy;
import io.vigil.detector.policy.PolicyStore;
import io.vigil.detector.shard.PipelineProgress;
import io.vigil.common.model.RollupProgress;
import io.vigil.common.model.ProductEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.dao.DataAccessException;

/**
 * Judges the shard's rollups against its policies and publishes the alerts' transitions.
 *
 * <p>Per batch of rollups (one poll), with the locks of the batch's partitions held in partition
 * order: each rollup is matched in the policy index; each matching policy's conditions on that
 * metric and period observe the window; a change of the combined judgement (ANY or ALL) is a
 * transition. Then, in this order: the changed states are written to Redis in one pipelined round
 * trip; the transitions are sent to {@code alerts.events} keyed by alertKey; the locks are released;
 * the sends are awaited; only then does the kit commit the batch. So:
 *
 * <ul>
 *   <li>a crash before the Redis write replays the windows and reaches the same transitions with
 *       the same sequences, hence the same eventIds;
 *   <li>a crash after it finds the transition in Redis ahead of the published sequence, and the
 *       restore publishes it again, same eventId (readers deduplicate by eventId);
 *   <li>a replayed window is at or before the one a condition saw last and changes nothing, so a
 *       restart never fires an open alert again.
 * </ul>
 *
 * Redis down is degraded, never a stop: states stay dirty in memory, detection and publishing go
 * on, and the backlog is written when Redis answers again (counted; {@code
 * vigil.detector.states.dirty} shows it). Kafka down fails the batch: the kit pauses and retries, and
 * the transitions still unpublished are sent first.
 *
 * <p>Transitions not caused by data come from the policies: a policy deleted, disabled, or changed
 * in what it judges resolves its open alerts with that reason, under the same partition locks, so
 * each alertKey's events stay in sequence order on the topic.
 */
public final class AlertEngine implements BatchHandler<Rollup>, PartitionHook, PolicyStore.Listener, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);
  static final long SEND_TIMEOUT_MS = 30_000;

  /** One partition of the shard's rollup topic: its alerts, by alertKey. */
  static final class Partition {
    final int id;
    final ReentrantLock lock = new ReentrantLock();
    final Map<AlertState.Key, AlertState> states = new HashMap<>();
    /** Its series states again, by seriesId: the look-up every rollup makes. */
    final SeriesStates bySeries = new SeriesStates();
    final Set<AlertState> dirty = new LinkedHashSet<>();
    final Set<AlertState> unpublished = new LinkedHashSet<>();
    /** States whose policy reports NO_DATA, checked when the pipeline's progress moves. */
    final Set<AlertState> watched = new LinkedHashSet<>();
    long lastScanClosedMs = Long.MIN_VALUE;
    long lastEvictionClosedMs = Long.MIN_VALUE;

    Partition(int id) {
      this.id = id;
    }
  }

  private record Sending(Partition partition, AlertState state, AlertEvent event, Future<?> future) {}

  /**
   * Where the crash tests stop a detector to SIGKILL it: {@code before-publish} (the transitions are
   * in Redis, not yet sent) and {@code before-commit} (sent and acknowledged, the batch not yet
   * committed). Called only for batches with transitions; production runs {@link #NO_HOOK}.
   */
  public interface Hook {
    void at(String point);
  }

  public static final Hook NO_HOOK = point -> {};

  private final PolicyStore policies;
  private final PipelineProgress progress;
  private final Baselines baselines;
  private final AlertStateStore store;
  private final VigilPublisher publisher;
  private final String shard;
  private final Clock clock;
  private final DependencyMetrics dependencies;
  private final ConcurrentHashMap<Integer, Partition> partitions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<AlertState>> byPolicy = new ConcurrentHashMap<>();
  private final EnumMap<AlertStatus, Counter> alerts = new EnumMap<>(AlertStatus.class);
  private final EnumMap<ConditionRule.Skip, Counter> skipped = new EnumMap<>(ConditionRule.Skip.class);
  /** Matches dropped because their policy was deleted, disabled or changed while the batch waited. */
  private final Counter changedMeanwhile;
  private final AtomicLong inMemory = new AtomicLong();
  private final Counter evicted;
  private final AtomicLong dirtyCount = new AtomicLong();
  private volatile Hook hook = NO_HOOK;

  public AlertEngine(PolicyStore policies, PipelineProgress progress, Baselines baselines, AlertStateStore store,
      VigilPublisher publisher, Clock clock, DependencyMetrics dependencies, MeterRegistry registry) {
    this.policies = policies;
    this.progress = progress;
    this.baselines = baselines;
    this.store = store;
    this.publisher = publisher;
    this.shard = policies.shard();
    this.clock = clock;
    this.dependencies = dependencies;
    for (AlertStatus s : AlertStatus.values()) {
      alerts.put(s, Counter.builder(MetricNames.ALERTS).tag("status", s.name()).tag("shard", shard)
          .description("alert transitions published by the detector").register(registry));
    }
    for (ConditionRule.Skip s : ConditionRule.Skip.values()) {
      if (s != ConditionRule.Skip.NONE) {
        skipped.put(s, Counter.builder("vigil.detector.conditions.skipped").tag(MetricNames.TAG_REASON,
            s.name().toLowerCase(java.util.Locale.ROOT)).description(
            "windows a condition could not judge (its value could not be had): skipped, never fired")
            .register(registry));
      }
    }
    changedMeanwhile = Counter.builder("vigil.detector.conditions.skipped").tag(MetricNames.TAG_REASON,
        "policy_changed").description(
        "windows a condition could not judge (its value could not be had): skipped, never fired")
        .register(registry);
    evicted = Counter.builder("vigil.detector.states.evicted").description(
        "idle alert states dropped from memory after their series sent nothing for a while").register(registry);
    Gauge.builder("vigil.detector.alert.states", inMemory, AtomicLong::get)
        .description("alert states (policy x series) held in memory").register(registry);
    Gauge.builder("vigil.detector.states.dirty", dirtyCount, AtomicLong::get)
        .description("alert states whose Redis copy is behind (Redis unreachable)").register(registry);
    policies.addListener(this);
    catchUp = io.vigil.common.observability.InstrumentedExecutor.scheduled("alert-state-catch-up", registry);
    catchUp.scheduleWithFixedDelay(this::catchUp, 1, 1, TimeUnit.SECONDS);
  }

  /** Catch-up: while states are dirty (Redis was away), they are written every second without waiting for traffic. */
  private final java.util.concurrent.ScheduledExecutorService catchUp;

  private void catchUp() {
    if (dirtyCount.get() == 0 || store.resting()) {
      return;
    }
    try {
      for (Partition part : partitions.values()) {
        if (part.lock.tryLock()) { // a partition busy with a batch writes its own
          try {
            if (!part.dirty.isEmpty()) {
              persist(List.of(part));
            }
          } finally {
            part.lock.unlock();
          }
        }
      }
    } catch (RuntimeException e) {
      log.warn("alert state catch-up failed: {}", e.toString());
    }
  }

  @Override
  public void close() {
    catchUp.shutdownNow();
  }

  public void hook(Hook hook) {
    this.hook = hook == null ? NO_HOOK : hook;
  }

  // ---------------------------------------------------------------- rollups

  @Override
  public void handle(List<ConsumedRecord<Rollup>> batch) throws Exception {
    requirePolicies();
    // matching reads the immutable snapshot: no lock; the earlier windows 同比 needs are fetched before
    // any lock is taken, so a slow storage never holds up a policy change's resolutions
    PolicyStore.Snapshot snapshot = policies.snapshot();
    List<Match> matches = new ArrayList<>(batch.size() * 2); // a rollup matches one or two policies, mostly
    Map<Baselines.WindowKey, Set<Long>> needed = new HashMap<>();
    // the batch's look-ups go together, so their cache misses overlap
    snapshot.index().matchAll(batch, rec -> rec.value().namespace(), rec -> rec.value().metric(),
        rec -> rec.value().dimensions(), (i, indexed) -> {
          ConsumedRecord<Rollup> rec = batch.get(i);
          Rollup r = rec.value();
          LivePolicy p = LivePolicy.of(indexed);
          matches.add(new Match(rec.partition(), p, r));
          if (!p.readsBaselines()) {
            return;
          }
          for (ConditionRule rule : p.rules()) {
            if (rule.baselineOffsetMs() > 0 && rule.reads(r)) {
              needed.computeIfAbsent(new Baselines.WindowKey(rule.periodSeconds(),
                  r.windowStartMs() - rule.baselineOffsetMs()), k -> new java.util.HashSet<>()).add(r.seriesId());
            }
          }
        });
    if (!needed.isEmpty()) {
      baselines.prefetch(needed);
    }
    judgeLocked(matches, Match::partition, (part, m) -> {
      if (stillJudges(m.policy())) {
        judge(part, m.policy(), m.rollup());
      }
    });
  }

  private record Match(int partition, LivePolicy policy, Rollup rollup) {}

  /**
   * Whether a policy matched from an earlier snapshot still judges as it did, read under the
   * partition's lock. A batch matches before it locks (and may wait on storage between); a policy
   * deleted, disabled or changed meanwhile has had its alerts resolved by {@link #changed}, and a
   * state made for it now would stay open with nothing to resolve it. Such a match is dropped: the
   * window is not judged by the changed policy either (it was matched by the old one's filters).
   */
  private boolean stillJudges(LivePolicy matched) {
    LivePolicy current = policies.snapshot().byId().get(matched.id());
    if (current == matched) {
      return true;
    }
    if (current != null && current.enabled() && current.judgement() == matched.judgement()) {
      return true;
    }
    changedMeanwhile.increment();
    return false;
  }

  /**
   * A new snapshot of the policies is in: every batch that checked its matches against the one
   * before, under a partition lock, has finished by the time this returns (each lock is taken
   * once), so {@link #changed} then finds every state those batches made.
   */
  @Override
  public void swapped() {
    for (Partition part : new TreeMap<>(partitions).values()) {
      part.lock.lock();
      part.lock.unlock();
    }
  }

  /**
   * Nothing is judged before the shard's policies are in memory: judged against an empty or partial
   * copy, a batch would be committed with its alerts missed. A consumer that gets records first waits
   * here for the load (up to {@link #LOAD_WAIT}, far inside the poll interval), so detection starts
   * the moment the policies are in rather than at the next back-off; past that it waits like for any
   * dependency (paused with backoff, nothing committed). A million policies load in about half a
   * minute.
   */
  static final java.time.Duration LOAD_WAIT = java.time.Duration.ofSeconds(20);
  private volatile java.time.Duration loadWait = LOAD_WAIT;

  /** For tests of what happens past the wait, without waiting it out. */
  void loadWait(java.time.Duration wait) {
    this.loadWait = wait;
  }

  private void requirePolicies() throws InterruptedException {
    if (!policies.awaitLoaded(loadWait)) {
      throw new io.vigil.common.error.DependencyUnavailableException("mysql",
          "the shard's policies are not loaded yet; rollups and events wait for them");
    }
  }

  /**
   * The batch protocol for rollups and events alike: lock the items' partitions in order, judge each
   * item in order, write the changed states, send the transitions, unlock, await the sends.
   */
  private <T> void judgeLocked(List<T> items, java.util.function.ToIntFunction<T> partitionOf,
      java.util.function.BiConsumer<Partition, T> judge) throws Exception {
    TreeMap<Integer, List<T>> byPartition = new TreeMap<>();
    for (T item : items) {
      byPartition.computeIfAbsent(partitionOf.applyAsInt(item), p -> new ArrayList<>()).add(item);
    }
    List<Partition> locked = new ArrayList<>(byPartition.size());
    List<Sending> sends;
    try {
      for (Integer p : byPartition.keySet()) { // in partition order: never a lock cycle
        Partition part = partition(p);
        part.lock.lock();
        locked.add(part);
      }
      for (Partition part : locked) {
        for (T item : byPartition.get(part.id)) {
          judge.accept(part, item);
        }
      }
      persist(locked);
      if (locked.stream().anyMatch(p -> !p.unpublished.isEmpty())) {
        hook.at("before-publish");
      }
      sends = send(locked);
    } finally {
      locked.forEach(p -> p.lock.unlock());
    }
    awaitSends(sends);
    if (!sends.isEmpty()) {
      hook.at("before-commit");
      // the published sequences, written now rather than with the partition's next batch: a restart
      // then has nothing to publish again (batches with transitions are few; the rest pay nothing)
      persistNow(sends.stream().map(x -> x.partition().id).distinct().toList());
    }
  }

  // ---------------------------------------------------------------- events

  /**
   * Partitions of {@code events.raw} are held as {@code EVENTS + partition}: one engine (locks, Redis
   * copy, publishing, policy resolutions) for both topics, their alerts in Redis hashes of their own.
   */
  static final int EVENTS = 1 << 20;

  /** The handler of the shard's reading of {@code events.raw}. */
  public BatchHandler<ProductEvent> events() {
    return batch -> {
      requirePolicies();
      // matched under the partition's lock, against the snapshot of that moment (see stillJudges)
      judgeLocked(batch, r -> EVENTS + r.partition(), (part, r) -> judgeEvent(part, policies.snapshot(), r.value()));
    };
  }

  /** The partition hook of the events consumer: restores and hands back event alerts. */
  public PartitionHook eventsHook() {
    return new PartitionHook() {
      @Override
      public void assigned(Collection<TopicPartition> gained) {
        gained.forEach(tp -> gain(EVENTS + tp.partition()));
      }

      @Override
      public void revoked(Collection<TopicPartition> lost) {
        lost.forEach(tp -> release(EVENTS + tp.partition()));
      }

      @Override
      public void lost(Collection<TopicPartition> lost) {
        lost.forEach(tp -> releaseIfGainedHere(EVENTS + tp.partition()));
      }
    };
  }

  /**
   * An event matched by a policy's event rule: ABNORMAL opens the object's alert (once; a repeat says
   * nothing), RECOVERED resolves it. The sequence is the event's time, or one past the last.
   */
  private void judgeEvent(Partition part, PolicyStore.Snapshot snapshot, ProductEvent e) {
    Map<String, String> dims = e.dimensions();
    Set<String> seen = new java.util.HashSet<>(4);
    snapshot.events().match(e.namespace(), e.eventType(), withTenant(dims, e, snapshot), indexed -> {
      LivePolicy p = LivePolicy.of(indexed);
      if (!seen.add(p.id())) {
        return; // two rules of one policy matched: one alert
      }
      AlertState s = part.states.get(new AlertState.Key(p.id(), 0, e.objectId()));
      if (s == null) {
        s = new AlertState(AlertKey.ofObject(p.id(), e.objectId()).value(), p.id(), 0, e.objectId(), part.id);
        adopt(part, s);
      }
      s.policyVersion = p.version();
      s.judgement = p.judgement();
      s.namespace = e.namespace();
      s.region = e.region();
      s.dimensions = dims;
      String summary = e.eventType() + (e.message() == null ? "" : ": " + e.message());
      if (e.status() == ProductEvent.EventStatus.ABNORMAL && s.status != AlertStatus.FIRING) {
        transition(part, s, p, AlertStatus.FIRING, s.nextSequence(e.timestampMs()), null, Double.NaN, 0, null,
            summary);
      } else if (e.status() == ProductEvent.EventStatus.RECOVERED && s.open()) {
        transition(part, s, p, AlertStatus.RESOLVED, s.nextSequence(e.timestampMs()), null, Double.NaN, 0, null,
            summary);
      }
    });
  }

  /** The event's dimensions with its tenant under the tenant dimension, when the gateway stated it only apart. */
  private static Map<String, String> withTenant(Map<String, String> dims, ProductEvent e,
      PolicyStore.Snapshot snapshot) {
    if (e.tenant() == null) {
      return dims;
    }
    // the tenant dimension is the namespace's; any policy of the namespace knows it
    for (LivePolicy p : snapshot.byId().values()) {
      if (e.namespace().equals(p.namespace())) {
        if (dims.containsKey(p.tenantField())) {
          return dims;
        }
        Map<String, String> with = new HashMap<>(dims);
        with.put(p.tenantField(), e.tenant());
        return with;
      }
    }
    return dims;
  }

  private Partition partition(int id) {
    if (pendingRestores.remove(id)) {
      restore(id);
    }
    return partitions.computeIfAbsent(id, Partition::new);
  }

  private void judge(Partition part, LivePolicy p, Rollup r) {
    AlertState s;
    if (p.perObject()) {
      // conditions on several metrics that must all hold: one alert per object (every metric of an
      // object is placed on one partition, so they all meet here)
      String object = objectOf(r);
      s = part.states.get(new AlertState.Key(p.id(), 0, object));
      if (s == null) {
        s = new AlertState(AlertKey.ofObject(p.id(), object).value(), p.id(), 0, object, part.id);
        adopt(part, s);
      }
    } else {
      s = part.bySeries.get(r.seriesId(), p.id());
      if (s == null) {
        s = new AlertState(AlertKey.ofSeries(p.id(), r.seriesId()).value(), p.id(), r.seriesId(), null, part.id);
        adopt(part, s);
      }
    }
    if (s.conditions == null || s.judgement != p.judgement()) {
      s.conditions = new ConditionState[p.rules().size()];
      s.judgement = p.judgement();
      watch(part, s, p.watchesNoData());
    }
    s.policyVersion = p.version();
    s.namespace = r.namespace();
    s.region = r.region();
    s.metric = r.metric();
    s.dimensions = r.dimensions();
    ConditionRule cause = null;
    ConditionRule fresh = null;
    boolean touched = false;
    ConditionRule.Skip[] skip = new ConditionRule.Skip[1];
    for (ConditionRule rule : p.rules()) {
      if (!rule.reads(r)) {
        continue;
      }
      ConditionState c = s.conditions[rule.index()];
      if (c == null) {
        c = s.conditions[rule.index()] = rule.newState();
      }
      if (r.windowStartMs() > c.streak().lastWindowMs()) {
        fresh = rule;
      }
      int streakBefore = c.streak().streak();
      ThresholdStreak.Change change = rule.observe(c, r, skip, baselines);
      if (skip[0] != ConditionRule.Skip.NONE) {
        skipped.get(skip[0]).increment();
      }
      if (change != ThresholdStreak.Change.NONE) {
        cause = rule;
        touched = true;
      } else if (streakBefore != c.streak().streak()) {
        touched = true;
      }
    }
    if (s.status == AlertStatus.NO_DATA && fresh != null) {
      // data came back: the alert says what the window says, firing or resolved
      ConditionRule why = cause != null ? cause : fresh;
      boolean holds = holds(p, s);
      transition(part, s, p, holds ? AlertStatus.FIRING : AlertStatus.RESOLVED, s.nextSequence(r.windowStartMs()),
          why, s.conditions[why.index()].lastJudged(), r.windowStartMs(), holds ? null : "data_returned");
      return;
    }
    if (cause == null) {
      if (touched) {
        markDirty(part, s);
      }
      return;
    }
    boolean holds = holds(p, s);
    ConditionState c = s.conditions[cause.index()];
    if (holds && s.status != AlertStatus.FIRING) {
      transition(part, s, p, AlertStatus.FIRING, s.nextSequence(r.windowStartMs()), cause, c.lastJudged(),
          r.windowStartMs(), null);
    } else if (!holds && s.status == AlertStatus.FIRING) {
      transition(part, s, p, AlertStatus.RESOLVED, s.nextSequence(r.windowStartMs()), cause, c.lastJudged(),
          r.windowStartMs(), null);
    }
    markDirty(part, s);
  }

  /** The object id of a rollup's series, as alert keys write it (16 hex digits). */
  public static String objectOf(Rollup r) {
    return objectOf(r.namespace(), r.region(), r.dimensions());
  }

  /** The object id of a series, as alert keys write it (16 hex digits). */
  public static String objectOf(String namespace, String region, Map<String, String> dimensions) {
    return SeriesId.hex(SeriesId.objectOf(namespace, region, dimensions));
  }

  /**
   * The conditions combined: ANY holds when one of them does; ALL when every one does. For a policy
   * judged per object, a condition counts only while its metric is current: its newest window at most
   * one of its periods before the newest window any condition has seen (the metrics of one window
   * arrive one after another). A metric that stopped reporting holds nothing, however it ended.
   */
  static boolean holds(LivePolicy p, AlertState s) {
    boolean all = p.body().combine() == AlertPolicy.Combine.ALL;
    long newest = p.perObject() ? s.lastWindowMs() : Long.MIN_VALUE;
    for (int i = 0; i < s.conditions.length; i++) {
      ConditionState c = s.conditions[i];
      boolean h = c != null && c.streak().holding() && (!p.perObject()
          || newest - c.streak().lastWindowMs() <= p.rules().get(i).periodSeconds() * 1000L);
      if (h && !all) {
        return true;
      }
      if (!h && all) {
        return false;
      }
    }
    return all && s.conditions.length > 0;
  }

  private void transition(Partition part, AlertState s, LivePolicy p, AlertStatus status, long sequence,
      ConditionRule cause, double value, long windowStartMs, String reason) {
    transition(part, s, p, status, sequence, cause, value, windowStartMs, reason, null);
  }

  private void transition(Partition part, AlertState s, LivePolicy p, AlertStatus status, long sequence,
      ConditionRule cause, double value, long windowStartMs, String reason, String eventSummary) {
    long now = clock.millis();
    if (status == AlertStatus.FIRING && !s.open()) {
      s.firstFiredAtMs = now;
    }
    s.status = status == AlertStatus.RESOLVED ? null : status;
    s.sequence = sequence;
    AlertPolicy.Condition c = cause == null ? null : cause.condition();
    // a recovery says the condition no longer holds ("cpu avg 20, no longer GT 90"), not the condition
    String summary = eventSummary != null ? eventSummary : c == null ? reason
        : c.metric() + " " + c.statistic().name().toLowerCase(java.util.Locale.ROOT)
            + (c.compare() == AlertPolicy.Compare.VALUE ? "" : " change") + " " + format(value)
            + (status == AlertStatus.RESOLVED ? ", no longer " : " ") + c.operator().name() + " "
            + format(c.threshold());
    publishLater(part, s, event(s, p.version(), p.tenant(), AlertEvent.Severity.valueOf(p.body().severity().name()), status,
        Double.isFinite(value) ? value : null, c == null ? null : c.threshold(), summary,
        cause == null ? 0 : cause.periodSeconds(), Math.max(0, windowStartMs), reason, now));
  }

  /** The event of the state's newest transition (its sequence set), as every path builds it. */
  private AlertEvent event(AlertState s, long policyVersion, String tenant, AlertEvent.Severity severity, AlertStatus status, Double value,
      Double threshold, String summary, int periodSeconds, long windowStartMs, String reason, long now) {
    s.tenant = tenant;
    s.severity = severity;
    return new AlertEvent(AlertEvent.SCHEMA_VERSION, AlertIds.eventId(s.alertKey, s.sequence), s.alertKey, s.policyId,
        policyVersion, tenant, s.namespace, s.region, s.metric, s.seriesId, s.objectId, s.dimensions, status,
        severity, s.sequence, value, threshold, summary, s.firstFiredAtMs, now, periodSeconds, windowStartMs, shard,
        reason);
  }

  /** Keeps the transition until it is published: sent with the partition's next sends, copied to Redis meanwhile. */
  private void publishLater(Partition part, AlertState s, AlertEvent e) {
    s.unpublished = e;
    part.unpublished.add(s);
    markDirty(part, s);
  }

  private static String format(double v) {
    return Double.isFinite(v) ? (v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
        : String.format(java.util.Locale.ROOT, "%.4g", v)) : "none";
  }

  private void markDirty(Partition part, AlertState s) {
    if (partitions.get(part.id) != part) {
      // let go meanwhile (a send awaited after the unlock, a loss): its new owner writes from Redis
      // what was written; counted dirty here, it would never be written and never counted down
      return;
    }
    if (!s.dirty) {
      s.dirty = true;
      dirtyCount.incrementAndGet();
    }
    part.dirty.add(s);
  }

  /** Writes the dirty states of these (locked) partitions; Redis down keeps them dirty (degraded). */
  private void persist(List<Partition> locked) {
    List<AlertState> dirty = new ArrayList<>();
    Map<String, LivePolicy> held = policies.snapshot().byId();
    for (Partition part : locked) {
      for (AlertState s : part.dirty) {
        LivePolicy p = held.get(s.policyId);
        // its policy is gone, or an event alert is closed: nothing left to judge
        s.doomed = s.idle() && (p == null || !p.enabled() || s.partition >= EVENTS);
        dirty.add(s);
      }
    }
    if (dirty.isEmpty()) {
      return;
    }
    if (!store.write(dirty)) {
      dependencies.degraded("alert_state", "redis_down");
      return;
    }
    for (Partition part : locked) {
      for (AlertState s : part.dirty) {
        if (s.dirty) {
          s.dirty = false;
          dirtyCount.decrementAndGet();
        }
        s.stored = !s.doomed && (!s.idle() || s.watched);
        if (s.doomed) {
          forget(part, s);
        }
      }
      part.dirty.clear();
    }
  }

  private void adopt(Partition part, AlertState s) {
    part.states.put(s.key, s);
    if (s.objectId == null) {
      part.bySeries.add(s);
    }
    byPolicy.computeIfAbsent(s.policyId, k -> ConcurrentHashMap.newKeySet()).add(s);
    inMemory.incrementAndGet();
  }

  private void watch(Partition part, AlertState s, boolean watched) {
    if (watched && !s.watched) {
      part.watched.add(s);
      markDirty(part, s); // written once even while idle: a restarted detector knows the series was seen
    } else if (!watched && s.watched) {
      part.watched.remove(s);
    }
    s.watched = watched;
  }

  private void forget(Partition part, AlertState s) {
    part.watched.remove(s);
    if (part.states.remove(s.key, s)) {
      if (s.objectId == null) {
        part.bySeries.remove(s);
      }
      inMemory.decrementAndGet();
    }
    Set<AlertState> of = byPolicy.get(s.policyId);
    if (of != null) {
      of.remove(s);
    }
  }

  private List<Sending> send(List<Partition> locked) {
    List<Sending> out = new ArrayList<>();
    for (Partition part : locked) {
      for (AlertState s : part.unpublished) {
        AlertEvent e = s.unpublished;
        out.add(new Sending(part, s, e, publisher.publish(Topics.ALERTS_EVENTS, e)));
        alerts.get(e.status()).increment();
      }
    }
    if (!out.isEmpty()) {
      publisher.flush(); // the batch waits for these: no linger
    }
    return out;
  }

  /** Waits for the sends; each that made it is marked published. The first failure is thrown (the kit retries). */
  private void awaitSends(List<Sending> sends) throws Exception {
    Exception failure = null;
    for (Sending s : sends) {
      try {
        s.future().get(SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        failure = failure == null && e.getCause() instanceof Exception cause ? cause : failure == null ? e : failure;
        continue;
      } catch (java.util.concurrent.TimeoutException e) {
        failure = failure == null ? e : failure;
        continue;
      }
      s.partition().lock.lock();
      try {
        if (s.state().unpublished == s.event()) {
          s.state().unpublished = null;
          s.partition().unpublished.remove(s.state());
        }
        s.state().publishedSequence = Math.max(s.state().publishedSequence, s.event().sequence());
        markDirty(s.partition(), s.state());
      } finally {
        s.partition().lock.unlock();
      }
      logTransition(s.event());
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static void logTransition(AlertEvent e) {
    try (var a = MDC.putCloseable(LogKeys.POLICY_ID, e.policyId());
        var b = MDC.putCloseable(LogKeys.ALERT_KEY, e.alertKey());
        var c = MDC.putCloseable(LogKeys.EVENT_ID, e.eventId());
        var d = MDC.putCloseable(LogKeys.STATUS, e.status().name());
        var t = MDC.putCloseable(LogKeys.TENANT, e.tenant())) {
      log.info("alert {} {} (sequence {}{})", e.alertKey(), e.status(), e.sequence(),
          e.reason() == null ? "" : ", " + e.reason());
    }
  }

  // ---------------------------------------------------------------- progress: no-data, Redis catch-up

  /**
   * A progress marker of the aggregator, after every rollup before it on the partition was judged.
   * When the partition's closed windows moved, each watched series is checked: a condition whose
   * series has {@code noDataPeriods} closed windows after the last one it saw reports NO_DATA. Missing
   * is judged by the pipeline's progress only, never the wall clock: a stalled aggregator sends no
   * marker and moves nothing. A dirty backlog (Redis was away) is written here too.
   */
  public void progressed(int partition, RollupProgress marker) throws Exception {
    progress.update(partition, marker);
    if (!policies.loaded()) {
      return;
    }
    if (pendingRestores.remove(partition)) {
      restore(partition);
    }
    Partition part = partitions.get(partition);
    if (part == null) {
      return;
    }
    List<Sending> sends;
    part.lock.lock();
    try {
      long closed = progress.closedThrough(partition, 60);
      if (closed > part.lastScanClosedMs && !part.watched.isEmpty()) {
        part.lastScanClosedMs = closed;
        checkNoData(part);
      }
      if (closed >= 0 && (part.lastEvictionClosedMs == Long.MIN_VALUE
          || closed - part.lastEvictionClosedMs >= EVICTION_SCAN_MS)) {
        part.lastEvictionClosedMs = closed;
        evictIdle(part, closed);
      }
      if (!part.dirty.isEmpty() && !store.resting()) {
        persist(List.of(part));
      }
      sends = send(List.of(part));
    } finally {
      part.lock.unlock();
    }
    awaitSends(sends);
  }

  /** How often (in pipeline time) a partition's states are scanned for idle ones. */
  static final long EVICTION_SCAN_MS = 60_000;
  /** How long an idle state's series must have sent nothing, at the least, before it is dropped. */
  static final long IDLE_RETENTION_MS = 3_600_000;

  /**
   * Drops the states of series that went quiet: idle (not open, no streak, nothing to publish or to
   * write), not watched for NO_DATA, and with no window for the longer of an hour and two of their
   * policy's longest periods, by the pipeline's progress. Their series' next rollup starts a fresh
   * state, as for a series never seen; what is lost is at most a previous window older than two
   * periods, which a change condition could not use anyway. Without this, every series that ever
   * matched (pods come and go) would stay in memory for good.
   */
  private void evictIdle(Partition part, long closedMs) {
    Map<String, LivePolicy> held = policies.snapshot().byId();
    List<AlertState> quiet = new ArrayList<>();
    for (AlertState s : part.states.values()) {
      if (s.watched || s.dirty || !s.idle()) {
        continue;
      }
      LivePolicy p = held.get(s.policyId);
      long longest = 0;
      if (p != null) {
        for (ConditionRule rule : p.rules()) {
          longest = Math.max(longest, rule.periodSeconds() * 1000L);
        }
      }
      if (s.lastWindowMs() < closedMs - Math.max(IDLE_RETENTION_MS, 2 * longest)) {
        if (s.stored) {
          markDirty(part, s); // its Redis copy goes first (an idle copy is deleted); dropped at the next scan
        } else {
          quiet.add(s);
        }
      }
    }
    quiet.forEach(s -> forget(part, s));
    evicted.increment(quiet.size());
  }

  private void checkNoData(Partition part) {
    Map<String, LivePolicy> held = policies.snapshot().byId();
    for (AlertState s : part.watched) {
      LivePolicy p = held.get(s.policyId);
      if (s.status == AlertStatus.NO_DATA || s.conditions == null || p == null || !p.enabled()
          || p.judgement() != s.judgement) {
        continue;
      }
      for (ConditionRule rule : p.rules()) {
        ConditionState c = s.conditions[rule.index()];
        int k = rule.noDataPeriods();
        if (k <= 0 || c == null) {
          continue;
        }
        long closed = progress.closedThrough(part.id, rule.periodSeconds());
        if (closed < 0) {
          continue;
        }
        long periodMs = rule.periodSeconds() * 1000L;
        if (c.floorPending) {
          // A restored state's last window is as old as its last change, and the partition's earlier
          // owner may have read rollups past it: of any window its markers' smallest grace closed,
          // not only those the largest closed (a namespace of smaller grace closes its windows
          // first). So the series counts as seen up to the newest window that may have been sent.
          c.seenFloorMs = Math.max(closed, progress.sentThrough(part.id, rule.periodSeconds())) - periodMs;
          c.floorPending = false;
        }
        long lastSeen = Math.max(c.streak().lastWindowMs(), c.seenFloorMs);
        if (lastSeen == Long.MIN_VALUE || closed - periodMs - lastSeen < k * periodMs) {
          continue;
        }
        long window = lastSeen + k * periodMs; // the k-th missing window
        transition(part, s, p, AlertStatus.NO_DATA, s.nextSequence(window), rule, Double.NaN, window, null);
        break;
      }
    }
  }

  // ---------------------------------------------------------------- policies

  @Override
  public void changed(LivePolicy before, LivePolicy after) {
    if (before == null) {
      return;
    }
    String reason = after == null ? "policy_deleted" : !after.enabled() ? "policy_disabled"
        : !before.judgesLike(after) ? "policy_changed" : null;
    Set<AlertState> states = byPolicy.get(before.id());
    if (reason == null || states == null || states.isEmpty()) {
      return;
    }
    TreeMap<Integer, List<AlertState>> grouped = new TreeMap<>();
    for (AlertState s : states) {
      grouped.computeIfAbsent(s.partition, p -> new ArrayList<>()).add(s);
    }
    List<Sending> sends = new ArrayList<>();
    for (var entry : grouped.entrySet()) {
      Partition part = partitions.get(entry.getKey());
      if (part == null) {
        continue; // revoked meanwhile: its new owner restores the alerts and judges them against the policy
      }
      part.lock.lock();
      try {
        for (AlertState s : entry.getValue()) {
          if (part.states.get(s.key) == s) {
            resolveForPolicy(part, s, before, reason);
          }
        }
        persist(List.of(part));
        sends.addAll(send(List.of(part)));
      } finally {
        part.lock.unlock();
      }
    }
    try {
      awaitSends(sends);
    } catch (Exception e) {
      // the resolutions stay unpublished in memory (and Redis) and go out with the partition's next batch
      log.warn("resolutions of policy {} ({}) not yet published: {}", before.id(), reason, e.toString());
    }
    persistNow(grouped.keySet());
  }

  /** Writes what publishing made dirty (the published sequence; a resolved alert's copy deleted) right away. */
  private void persistNow(Collection<Integer> ids) {
    for (Integer id : ids) {
      Partition part = partitions.get(id);
      if (part != null) {
        part.lock.lock();
        try {
          persist(List.of(part));
        } finally {
          part.lock.unlock();
        }
      }
    }
  }

  private void resolveForPolicy(Partition part, AlertState s, LivePolicy policy, String reason) {
    if (s.open()) {
      long sequence = Math.max(s.sequence + 1, s.lastWindowMs() + 1);
      transition(part, s, policy, AlertStatus.RESOLVED, sequence, null, Double.NaN, 0, reason);
    }
    s.conditions = null; // judged afresh by the new version, if there is one
    markDirty(part, s);
  }

  // ---------------------------------------------------------------- partitions

  /** Restores the alerts of the gained partitions from Redis before their first rollup is judged. */
  @Override
  public void assigned(Collection<TopicPartition> gained) {
    for (TopicPartition tp : gained) {
      gain(tp.partition());
    }
  }

  /** Partitions gained before the first policy load: restored once the policies are in. */
  private final Set<Integer> pendingRestores = ConcurrentHashMap.newKeySet();
  /** The consumer thread that gained each partition, for a loss heard late ({@link #lost}). */
  private final Map<Integer, Thread> gainedBy = new ConcurrentHashMap<>();
  private final Map<Integer, Object> guards = new ConcurrentHashMap<>();

  /**
   * A partition gained: restored now, or, before the shard's policies are loaded, when its first
   * record or progress marker comes after the load (restored without its policies, every open alert
   * would look deleted). Either way on the thread that owns the partition.
   */
  private void gain(int id) {
    synchronized (guard(id)) {
      gainedBy.put(id, Thread.currentThread());
      if (policies.loaded()) {
        pendingRestores.remove(id);
        restore(id);
      } else {
        pendingRestores.add(id);
      }
    }
  }

  /**
   * Held while a partition is gained (and restored) or let go, so a loss heard late on one consumer
   * thread cannot let go of what another is gaining at that moment.
   */
  private Object guard(int id) {
    return guards.computeIfAbsent(id, k -> new Object());
  }

  void restore(int id) {
    Map<String, StoredAlert> stored;
    try {
      stored = store.resting() ? null : store.read(id);
    } catch (DataAccessException e) {
      store.failed("restore", e);
      stored = null;
    }
    if (stored == null) {
      dependencies.degraded("alert_state", "restore_failed");
      log.warn("alert state of partition {} could not be restored from Redis: judged from memory onwards", id);
      stored = Map.of();
    }
    Partition part = new Partition(id);
    Partition old = partitions.put(id, part);
    if (old != null) {
      old.lock.lock(); // a policy change may be resolving its alerts right now
      try {
        dropAll(old);
      } finally {
        old.lock.unlock();
      }
    }
    List<Sending> sends;
    part.lock.lock();
    try {
      // read under the lock, as a batch checks its matches (see swapped)
      Map<String, LivePolicy> held = policies.snapshot().byId();
      for (var e : stored.entrySet()) {
        AlertState s = restored(part, e.getKey(), e.getValue(), held);
        if (s != null) {
          adopt(part, s);
        }
      }
      persist(List.of(part));
      sends = send(List.of(part));
    } finally {
      part.lock.unlock();
    }
    if (!part.states.isEmpty()) {
      log.info("restored {} alert states of partition {} ({} to publish again)", part.states.size(), id,
          sends.size());
    }
    try {
      awaitSends(sends);
    } catch (Exception e) {
      log.warn("restored transitions of partition {} not yet published: {}", id, e.toString());
    }
    if (!sends.isEmpty()) {
      persistNow(List.of(id));
    }
    if (id < EVENTS) {
      heldChanged.accept(id);
    }
  }

  private AlertState restored(Partition part, String key, StoredAlert a, Map<String, LivePolicy> held) {
    AlertKey k;
    try {
      k = AlertKey.parse(key);
    } catch (IllegalArgumentException e) {
      log.error("stored alert key {} of partition {} is not an alertKey; skipped", key, part.id);
      return null;
    }
    LivePolicy policy = held.get(k.policyId());
    AlertState s = new AlertState(key, k.policyId(), k.seriesId(), k.objectId(), part.id);
    s.policyVersion = a.policyVersion();
    s.judgement = a.judgement();
    s.status = a.status();
    s.sequence = a.sequence();
    s.publishedSequence = a.publishedSequence();
    s.firstFiredAtMs = a.firstFiredAtMs();
    s.namespace = a.namespace();
    s.region = a.region();
    s.metric = a.metric();
    s.dimensions = a.dimensions();
    s.tenant = a.tenant();
    s.severity = a.severity();
    s.stored = true;
    if (a.unpublished() != null && a.sequence() > a.publishedSequence()) {
      s.unpublished = a.unpublished();
      part.unpublished.add(s);
    }
    if (policy != null && policy.enabled() && policy.judgement() == a.judgement()) {
      s.conditions = new ConditionState[policy.rules().size()];
      for (StoredAlert.StoredCondition c : a.conditions()) {
        if (c.index() >= 0 && c.index() < s.conditions.length) {
          ConditionState cs = policy.rules().get(c.index()).newState();
          cs.restore(c.lastWindowMs(), c.streak(), c.holding(), c.previousWindowMs(),
              c.previousValue() == null ? Double.NaN : c.previousValue());
          cs.floorPending = true;
          s.conditions[c.index()] = cs;
        }
      }
      if (policy.watchesNoData()) {
        s.watched = true;
        part.watched.add(s);
      }
    } else if (s.open() && policy != null) {
      resolveForPolicy(part, s, policy, policy.enabled() ? "policy_changed" : "policy_disabled");
    } else if (s.open()) {
      // deleted while the partition had no owner: resolved with what the stored event said of it
      resolveDeleted(part, s, a);
    }
    return s;
  }

  private void resolveDeleted(Partition part, AlertState s, StoredAlert a) {
    long sequence = Math.max(s.sequence + 1, s.lastWindowMs() + 1);
    AlertEvent last = a.unpublished();
    // copies written before tenant and severity were stored carry them only in an unpublished event
    String tenant = s.tenant != null ? s.tenant : last != null ? last.tenant() : null;
    AlertEvent.Severity severity = s.severity != null ? s.severity : last != null ? last.severity() : null;
    s.status = null;
    if (tenant == null || severity == null) {
      log.warn("alert {} of a deleted policy has no stored tenant to resolve it with; dropped", s.alertKey);
      dependencies.degraded("alert_state", "resolution_dropped");
      markDirty(part, s);
      return;
    }
    s.sequence = sequence;
    publishLater(part, s, event(s, s.policyVersion, tenant, severity, AlertStatus.RESOLVED, null, null,
        "policy_deleted", 0, 0, "policy_deleted", clock.millis()));
  }

  /** Writes what is dirty, then drops the partitions' alerts from memory (their new owner restores them). */
  @Override
  public void revoked(Collection<TopicPartition> lost) {
    lost.forEach(tp -> release(tp.partition()));
  }

  /**
   * Partitions this consumer was dropped from the group with: another consumer of this process may
   * have gained one already (it was restored for that one), so only what this thread gained goes.
   */
  @Override
  public void lost(Collection<TopicPartition> lost) {
    lost.forEach(tp -> releaseIfGainedHere(tp.partition()));
  }

  private void releaseIfGainedHere(int id) {
    synchronized (guard(id)) {
      Thread owner = gainedBy.get(id);
      if (owner == null || owner == Thread.currentThread()) {
        release(id);
      } else {
        log.info("partition {} lost by {} was gained meanwhile by {} of this instance: kept", id,
            Thread.currentThread().getName(), owner.getName());
      }
    }
  }

  /** Writes a partition's dirty states and drops it, under its guard (see {@link #guard}). */
  private void release(int id) {
    synchronized (guard(id)) {
      gainedBy.remove(id);
      pendingRestores.remove(id);
      progress.forget(id); // gained again, its progress is learnt anew from the markers read from then
      Partition part = partitions.remove(id);
      if (part != null) {
        part.lock.lock();
        try {
          persist(List.of(part));
          dropAll(part);
        } finally {
          part.lock.unlock();
        }
        if (id < EVENTS) {
          heldChanged.accept(-1 - id);
        }
      }
    }
  }

  private void dropAll(Partition part) {
    for (AlertState s : new ArrayList<>(part.states.values())) {
      forget(part, s);
      if (s.dirty) {
        s.dirty = false;
        dirtyCount.decrementAndGet();
      }
    }
    part.dirty.clear(); // a holder of this partition left over (catch-up, a policy change) writes nothing stale
  }

  // ---------------------------------------------------------------- explain (and tests)

  private volatile java.util.function.IntConsumer heldChanged = id -> {};

  /**
   * Told after a rollup partition is restored ({@code id}) or let go ({@code -1 - id}): the shard's
   * owner registry; it must not block.
   */
  public void onHeldChanged(java.util.function.IntConsumer listener) {
    this.heldChanged = listener;
  }

  /** The rollup partitions this instance holds now: restored and judged here. */
  public Set<Integer> heldRollupPartitions() {
    Set<Integer> out = new java.util.TreeSet<>();
    for (Integer id : partitions.keySet()) {
      if (id < EVENTS) {
        out.add(id);
      }
    }
    return out;
  }

  /** Whether this instance holds (has restored and judges) a rollup partition. */
  public boolean holds(int partition) {
    return partition >= 0 && partition < EVENTS && partitions.containsKey(partition);
  }

  /** What a series looks like, as its rollups said. */
  public record SeriesIdentity(String namespace, String region, String metric, Map<String, String> dimensions) {}

  /** The identity of a series some policy of the shard judged, or null (a scan: for explain, not the hot path). */
  public SeriesIdentity identity(long seriesId) {
    for (Partition part : partitions.values()) {
      if (part.id >= EVENTS) {
        continue;
      }
      part.lock.lock();
      try {
        for (AlertState s : part.states.values()) {
          if (s.seriesId == seriesId && s.metric != null) {
            return new SeriesIdentity(s.namespace, s.region, s.metric, s.dimensions);
          }
        }
      } finally {
        part.lock.unlock();
      }
    }
    return null;
  }

  /** The state of one alert in memory, or null; a copy of what explain shows. */
  public Map<String, Object> describe(String alertKey) {
    AlertKey k = AlertKey.parse(alertKey);
    for (Partition part : partitions.values()) {
      part.lock.lock();
      try {
        AlertState s = part.states.get(new AlertState.Key(k.policyId(), k.seriesId(), k.objectId()));
        if (s != null) {
          Map<String, Object> out = new java.util.LinkedHashMap<>();
          out.put("status", s.status == null ? "OK" : s.status.name());
          out.put("sequence", s.sequence);
          out.put("publishedSequence", s.publishedSequence);
          out.put("policyVersion", s.policyVersion);
          List<Map<String, Object>> conditions = new ArrayList<>();
          if (s.conditions != null) {
            for (int i = 0; i < s.conditions.length; i++) {
              ConditionState c = s.conditions[i];
              if (c != null) {
                conditions.add(Map.of("index", i, "holding", c.streak().holding(), "streak", c.streak().streak(),
                    "lastWindowMs", c.streak().lastWindowMs()));
              }
            }
          }
          out.put("conditions", conditions);
          return out;
        }
      } finally {
        part.lock.unlock();
      }
    }
    return null;
  }
}
