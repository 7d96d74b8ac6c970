package io.vigil.notifier.frequency;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.logging.LogContext;
import io.vigil.common.logging.LogKeys;
import io.vigil.common.observability.InstrumentedExecutor;
import io.vigil.common.semantics.AlertLabels;
import io.vigil.notifier.control.ControlCopy.LivePolicy;
import io.vigil.notifier.control.ControlView;
import io.vigil.notifier.pipeline.AlertLocks;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Pipeline;
import io.vigil.notifier.state.NotifierState;
import io.vigil.notifier.state.NotifierState.AlertRecord;
import io.vigil.notifier.state.NotifierState.Timer;
import io.vigil.notifier.state.NotifierState.TimerKind;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * Sends repeats and escalations when their timers are due. Every {@code tick} it claims due timers
 * (a lease in Redis: another instance does not take them, and they fire again if this one dies
 * before it is done), and for each, holding the alert's lock, reads the alert again: an episode that
 * resolved or was acknowledged meanwhile gets nothing; otherwise a repeat (the episode's n-th) or the
 * next escalation level runs through the pipeline's stages that judge follow-ups (silence, routing,
 * render, dispatch, record) with notification ids of its own, and the next timer is set.
 */
public final class FollowUps implements DisposableBean, org.springframework.context.SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(FollowUps.class);

  private final NotifierState state;
  private final ControlView control;
  private final Pipeline pipeline;
  private final io.vigil.notifier.convergence.GroupFlusher groups;
  private volatile io.vigil.notifier.alertmanager.AlertmanagerIntake alertmanager;
  private final io.vigil.notifier.values.CurrentValues values;
  private final java.util.function.BooleanSupplier ready;
  private final AlertLocks locks;
  private final Clock clock;
  private final Duration lease;
  private final Counter repeats;
  private final Counter escalations;
  private final ScheduledExecutorService timer;

  public FollowUps(NotifierState state, ControlView control, Pipeline pipeline,
      io.vigil.notifier.convergence.GroupFlusher groups, io.vigil.notifier.values.CurrentValues values,
      AlertLocks locks, Clock clock, Duration tick, Duration lease, int threads,
      java.util.function.BooleanSupplier ready, MeterRegistry registry) {
    this.ready = ready;
    this.groups = groups;
    this.values = values;
    this.state = state;
    this.control = control;
    this.pipeline = pipeline;
    this.locks = locks;
    this.clock = clock;
    this.lease = lease;
    this.repeats = Counter.builder("vigil.notifier.followups").tag("kind", "repeat")
        .description("repeats and escalations run for open alerts").register(registry);
    this.escalations = Counter.builder("vigil.notifier.followups").tag("kind", "escalation")
        .description("repeats and escalations run for open alerts").register(registry);
    this.timer = InstrumentedExecutor.scheduled("notify-timers", registry);
    // claims never exceed the room left, so the queue never refuses (the caller would run it if it did)
    this.maxRunning = threads * 8;
    this.pool = InstrumentedExecutor.create("notify-followups", threads, threads, maxRunning,
        new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy(), registry);
    this.tickMs = tick.toMillis();
  }

  private final long tickMs;
  private final int maxRunning;
  private final java.util.concurrent.ThreadPoolExecutor pool;
  private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
  private volatile java.util.concurrent.ScheduledFuture<?> ticking;

  /** Fires due timers while the context runs (a paused or stopping context fires none). */
  @Override
  public synchronized void start() {
    if (ticking == null) {
      ticking = timer.scheduleWithFixedDelay(this::tick, tickMs, tickMs, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public synchronized void stop() {
    if (ticking != null) {
      ticking.cancel(false);
      ticking = null;
    }
  }

  @Override
  public boolean isRunning() {
    return ticking != null;
  }

  @Override
  public int getPhase() {
    return Integer.MAX_VALUE;
  }

  /**
   * Claims what is due now, as much as the pool has room for, and hands each to the pool (a slow
   * delivery holds one thread, not the timers behind it; a thousand groups due in the same second go
   * out together). Returns the number handed out.
   */
  public int tick() {
    if (!ready.getAsBoolean()) {
      return 0; // routing needs the control copy: a follow-up judged against an empty one would reach no one
    }
    int room = maxRunning - running.get();
    if (room <= 0) {
      return 0; // what is due stays due; the next tick takes it
    }
    try {
      List<Timer> due = state.claimDue(lease, room);
      for (Timer t : due) {
        running.incrementAndGet();
        pool.execute(() -> {
          try {
            fire(t);
          } catch (Exception e) {
            // the lease runs out and the timer fires again: what it had delivered is not sent twice
            log.warn("{} of alert {} failed; it is tried again after its lease: {}", t.kind(), t.alertKey(),
                e.toString());
          } catch (Error e) {
            log.error("{} of alert {} failed with an error", t.kind(), t.alertKey(), e);
          } finally {
            running.decrementAndGet();
          }
        });
      }
      return due.size();
    } catch (RuntimeException e) {
      log.warn("claiming due repeats and escalations failed: {}", e.toString());
    } catch (Error e) {
      // a periodic task that throws is never run again: log it and keep the timers alive
      log.error("a due repeat or escalation failed with an error", e);
    }
    return 0;
  }

  private void fire(Timer t) throws Exception {
    // the next repeat counts from when this one was due to go, not from when its delivery finished
    long firedAt = clock.millis();
    if (t.kind() == TimerKind.GROUP) {
      groups.flush(t.alertKey());
      return;
    }
    if (t.kind() == TimerKind.EXPIRE) {
      if (alertmanager != null) {
        alertmanager.expire(t.alertKey());
      }
      return;
    }
    Semaphore lock = locks.acquire(t.alertKey(), 30_000);
    try {
      AlertRecord a = state.alert(t.alertKey());
      if (a == null || !a.open() || a.acknowledged()) {
        state.cancelTimers(t.alertKey());
        return;
      }
      LivePolicy policy = control.policy(a.event().policyId());
      if (policy == null) {
        state.cancelTimers(t.alertKey());
        return;
      }
      Notice n = new Notice(a.event(), firedAt);
      n.previous(a);
      n.policy(policy);
      n.labels(AlertLabels.of(a.event(), policy.policy().labels()));
      current(n, policy);
      if (t.kind() == TimerKind.REPEAT) {
        int number = a.repeats() + 1;
        long due = Lifecycle.nextRepeatAt(a, Lifecycle.repeatIntervalMs(policy));
        if (due > firedAt) {
          state.schedule(TimerKind.REPEAT, t.alertKey(), due); // moved since it was set (the policy changed)
          return;
        }
        n.followUp(Notice.Kind.REPEAT, number);
        log(n, "repeat " + number);
        pipeline.runFollowUp(n).get(30, TimeUnit.SECONDS);
        state.followedUp(t.alertKey(), TimerKind.REPEAT, number, sent(n));
        repeats.increment();
        AlertRecord after = new AlertRecord(a.event(), a.notifiedAtMs(), number, a.level(), null, 0);
        // after a long outage the episode may be many intervals behind: one repeat now, the next in an interval
        long next = Math.max(Lifecycle.nextRepeatAt(after, Lifecycle.repeatIntervalMs(policy)),
            firedAt + Lifecycle.repeatIntervalMs(policy));
        state.schedule(TimerKind.REPEAT, t.alertKey(), next);
      } else {
        long due = Lifecycle.nextEscalationAt(a, policy);
        if (due < 0) {
          state.cancelEscalation(t.alertKey()); // no level left (the policy changed)
          return;
        }
        if (due > firedAt) {
          // not yet: the policy's level moved later, or another instance sent the level before this one
          state.schedule(TimerKind.ESCALATE, t.alertKey(), due);
          return;
        }
        int level = a.level() + 1;
        n.followUp(Notice.Kind.ESCALATION, level);
        log(n, "escalation to level " + level);
        pipeline.runFollowUp(n).get(30, TimeUnit.SECONDS);
        state.followedUp(t.alertKey(), TimerKind.ESCALATE, level, sent(n));
        escalations.increment();
        AlertRecord after = new AlertRecord(a.event(), a.notifiedAtMs(), a.repeats(), level, null, 0);
        long next = Lifecycle.nextEscalationAt(after, policy);
        if (next > 0) {
          state.schedule(TimerKind.ESCALATE, t.alertKey(), next);
        } else {
          state.cancelEscalation(t.alertKey()); // the last level went out
        }
      }
    } finally {
      try {
        state.sync(); // the alert's next event reads what this follow-up wrote
      } finally {
        lock.release();
      }
    }
  }

  /** A metric alert's value now and its recent windows, from the notifier's rollup consumer. */
  private void current(Notice n, LivePolicy policy) {
    var e = n.event();
    if (e.seriesId() == 0 || e.periodSeconds() <= 0) {
      return;
    }
    List<io.vigil.notifier.values.CurrentValues.Point> points = values.recent(e.seriesId(), e.periodSeconds());
    if (points.isEmpty()) {
      return;
    }
    io.vigil.common.control.AlertPolicy.Statistic statistic =
        io.vigil.notifier.values.CurrentValues.statisticOf(policy.policy(), e);
    List<Double> series = points.stream().map(p -> p.statistic(statistic)).toList();
    io.vigil.notifier.values.CurrentValues.Point latest = points.get(points.size() - 1);
    double now = latest.statistic(statistic);
    n.current(Double.isNaN(now) ? null : java.math.BigDecimal.valueOf(now).stripTrailingZeros().toPlainString(),
        latest.windowStartMs(), io.vigil.notifier.values.CurrentValues.sparkline(series));
    n.chart(series, e.threshold());
  }

  /** The Alertmanager intake, whose alerts expire at their endsAt. */
  public void alertmanager(io.vigil.notifier.alertmanager.AlertmanagerIntake intake) {
    this.alertmanager = intake;
  }

  private static boolean sent(Notice n) {
    return n.records().stream().anyMatch(r -> r.status() == io.vigil.common.model.NotificationStatus.SENT);
  }

  private void log(Notice n, String what) {
    try (LogContext ctx = LogContext.with(LogKeys.TENANT, n.event().tenant())
        .and(LogKeys.POLICY_ID, n.event().policyId()).and(LogKeys.ALERT_KEY, n.event().alertKey())
        .and(LogKeys.EVENT_ID, n.event().eventId())) {
      log.info("alert {} still {}: {}", n.event().alertKey(), n.event().status(), what);
    }
  }

  @Override
  public void destroy() {
    timer.shutdownNow();
    pool.shutdown();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
