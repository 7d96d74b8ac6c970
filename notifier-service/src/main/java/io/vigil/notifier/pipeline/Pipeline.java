package io.vigil.notifier.pipeline;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigil.common.logging.LogContext;
import io.vigil.common.logging.LogKeys;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.tracing.TraceContext;
import io.vigil.common.tracing.Traceparent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The staged notification pipeline: the configured stages in order, then the {@link Finisher} that
 * records whatever came out. A stage that stops the notice ends it there: the stop is counted,
 * logged once under the alert's business keys and recorded; the stages after it do not run.
 *
 * <p>{@link #run} returns when the records are published (the consumer commits the event's offset
 * only then); a stage that throws leaves nothing recorded and the event is retried.
 */
public final class Pipeline {

  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  /** Records a notice's outcome: the last step of every run, stopped or not. */
  public interface Finisher {
    CompletableFuture<?> finish(Notice notice) throws Exception;

    /**
     * Finishes a batch's notices together ({@link #finish} of each, one future per notice, in order);
     * a finisher that can share its round trips among them does. Binding each notice's trace is the
     * finisher's part here.
     */
    default List<CompletableFuture<?>> finishAll(List<Notice> notices) {
      List<CompletableFuture<?>> out = new ArrayList<>(notices.size());
      for (Notice n : notices) {
        try (TraceContext.Scope s = TraceContext.bind(n.trace())) {
          out.add(finish(n));
        } catch (Exception | Error e) {
          out.add(CompletableFuture.failedFuture(e));
        }
      }
      return out;
    }
  }

  private final List<Stage> stages;
  private final List<Stage> followUpStages;
  private final List<Stage> groupStages;
  private final Finisher finisher;
  private final AlertLocks locks;
  private final PipelineMeters meters;
  private final Clock clock;
  private final Timer latency;

  public Pipeline(List<Stage> stages, Finisher finisher, AlertLocks locks, PipelineMeters meters, Clock clock,
      MeterRegistry registry) {
    this.stages = List.copyOf(stages);
    this.followUpStages = stages.stream().filter(Stage::judgesFollowUps).toList();
    int convergence = stages.stream().map(Stage::name).toList().indexOf("convergence");
    this.groupStages = convergence < 0 ? List.of() : List.copyOf(stages.subList(convergence + 1, stages.size()));
    this.finisher = finisher;
    this.locks = locks;
    this.meters = meters;
    this.clock = clock;
    this.latency = Timer.builder("vigil.notify.pipeline.latency")
        .description("from an alert event's arrival to its records being published (group waits excluded)")
        .publishPercentileHistogram().register(registry);
  }

  public List<String> stageNames() {
    return stages.stream().map(Stage::name).toList();
  }

  /**
   * Runs an alert event, holding the alert's lock until its records are published (so a repeat of
   * the alert does not go out beside it).
   */
  public CompletableFuture<?> run(AlertEvent event) throws Exception {
    java.util.concurrent.Semaphore lock = locks.acquire(event.alertKey(), 30_000);
    try {
      return run(new Notice(event, clock.millis()), stages).whenComplete((r, e) -> lock.release());
    } catch (Exception | Error e) {
      lock.release();
      throw e;
    }
  }

  /**
   * Runs alert events of different alerts together: each stage takes all of them at once (one Redis
   * round trip for the lot where the stage reads Redis). Answers one future per event, in order,
   * completed when its records are published (as {@link #run(AlertEvent)}'s); an event that failed
   * fails its future alone, and the caller runs it again by itself.
   *
   * <p>The batch holds its alerts' lock stripes together. It takes only stripes that are free: an
   * alert whose stripe another alert of the batch holds already, or another thread holds (a repeat
   * of that alert going out, an acknowledgement), is not run here; its future fails at once and it
   * runs alone once the batch has finished, waiting for its stripe then. So a batch never waits
   * holding stripes (no two lanes wait on each other in a circle), and one busy alert does not hold
   * up the hundred beside it.
   *
   * @param traces the trace each event came with (null where none)
   */
  public List<CompletableFuture<?>> runAll(List<AlertEvent> events, List<Traceparent> traces) {
    int n = events.size();
    List<CompletableFuture<?>> out = new ArrayList<>(java.util.Collections.nCopies(n, null));
    java.util.TreeMap<Integer, Integer> byStripe = new java.util.TreeMap<>();
    for (int i = 0; i < n; i++) {
      if (byStripe.putIfAbsent(locks.stripe(events.get(i).alertKey()), i) != null) {
        out.set(i, CompletableFuture.failedFuture(new RunAlone(events.get(i).alertKey(), "shares its lock stripe with"
            + " another alert of its batch")));
      }
    }
    runWave(events, traces, List.copyOf(byStripe.values()), out);
    return out;
  }

  /** An alert of a batch that could not run with it (its lock stripe was taken): it runs alone, after. */
  static final class RunAlone extends RuntimeException {
    RunAlone(String alertKey, String why) {
      super("alert " + alertKey + " " + why + "; it runs alone", null, false, false);
    }
  }

  /** A notice of a wave: its lock and its caller's future, settled once (finished or failed). */
  private static final class Slot {
    final Notice notice;
    final CompletableFuture<Void> result;
    final java.util.concurrent.Semaphore lock;
    boolean settled;

    Slot(Notice notice, CompletableFuture<Void> result, java.util.concurrent.Semaphore lock) {
      this.notice = notice;
      this.result = result;
      this.lock = lock;
    }

    void fail(Throwable e) {
      if (!settled) {
        settled = true;
        lock.release();
        result.completeExceptionally(e);
      }
    }
  }

  private void runWave(List<AlertEvent> events, List<Traceparent> traces, List<Integer> wave,
      List<CompletableFuture<?>> out) {
    long started = System.nanoTime();
    long now = clock.millis();
    List<Slot> all = new ArrayList<>(wave.size());
    for (int i : wave) {
      AlertEvent e = events.get(i);
      CompletableFuture<Void> result = new CompletableFuture<>();
      out.set(i, result);
      java.util.concurrent.Semaphore lock;
      try {
        // alone, the event waits for its alert's stripe as Pipeline.run does; in a batch it never waits
        lock = wave.size() == 1 ? locks.acquire(e.alertKey(), 30_000) : locks.tryAcquire(e.alertKey());
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        result.completeExceptionally(ex);
        continue;
      } catch (Exception ex) {
        result.completeExceptionally(ex);
        continue;
      }
      if (lock == null) {
        result.completeExceptionally(new RunAlone(e.alertKey(), "found its lock stripe taken"));
        continue;
      }
      all.add(new Slot(new Notice(e, now).trace(traces.get(i)), result, lock));
    }
    try {
      List<Slot> live = all;
      for (Stage stage : stages) {
        if (live.isEmpty()) {
          break;
        }
        List<Notice> notices = new ArrayList<>(live.size());
        live.forEach(slot -> notices.add(slot.notice));
        Exception[] failures = new Exception[live.size()];
        Outcome[] outcomes;
        try {
          outcomes = stage.applyAll(notices, failures);
        } catch (RuntimeException e) {
          // the stage failed the lot (a dependency it must have): each is retried alone
          outcomes = new Outcome[live.size()];
          java.util.Arrays.fill(failures, e);
        }
        List<Slot> next = new ArrayList<>(live.size());
        List<Slot> stoppedHere = new ArrayList<>();
        for (int i = 0; i < live.size(); i++) {
          Slot slot = live.get(i);
          Outcome o = outcomes[i];
          if (failures[i] != null || o == null) {
            slot.fail(failures[i] != null ? failures[i]
                : new IllegalStateException("stage " + stage.name() + " gave no outcome"));
          } else if (o.stops()) {
            stopped(slot.notice, stage, o);
            stoppedHere.add(slot);
          } else {
            slot.notice.step(stage.name(), "PASSED", null, null, null, null, null, clock.millis());
            next.add(slot);
          }
        }
        // those this stage stopped are finished now, together: they do not wait for the later stages
        finishAll(stoppedHere, started);
        live = next;
      }
      finishAll(live, started);
    } catch (RuntimeException | Error e) {
      // a bug on the way (or an Error): nothing may keep a stripe or leave its caller waiting; each
      // notice not yet finished is run again alone
      log.error("a batch of {} alert events failed outside its stages", all.size(), e);
      for (Slot slot : all) {
        slot.fail(e);
      }
    }
  }

  /**
   * Finishes notices of a wave together, those one stage stopped or those that passed them all (their
   * records published, their states durable behind one barrier): each future completes as its notice
   * is finished, then its lock goes. A notice the finisher gave no future for fails (it runs again
   * alone), its lock given back.
   */
  private void finishAll(List<Slot> slots, long started) {
    if (slots.isEmpty()) {
      return;
    }
    List<Notice> notices = new ArrayList<>(slots.size());
    for (Slot slot : slots) {
      notices.add(slot.notice);
    }
    List<CompletableFuture<?>> finished;
    try {
      finished = finisher.finishAll(notices);
    } catch (RuntimeException | Error e) {
      finished = null;
      log.error("finishing a batch of {} notices failed; each runs again alone", slots.size(), e);
    }
    for (int i = 0; i < slots.size(); i++) {
      Slot slot = slots.get(i);
      CompletableFuture<?> f = finished != null && i < finished.size() ? finished.get(i) : null;
      if (f == null) {
        slot.fail(new IllegalStateException("the finisher gave no result for this notice"));
      } else {
        slot.settled = true;
        whenFinished(slot, f, started);
      }
    }
  }

  /** Its notice finished (or failed): the slot's lock goes and its caller hears. */
  private void whenFinished(Slot slot, CompletableFuture<?> f, long started) {
    f.whenComplete((r, e) -> {
      slot.lock.release();
      if (e == null) {
        latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        slot.result.complete(null);
      } else {
        slot.result.completeExceptionally(e);
      }
    });
  }

  /** Runs a repeat or an escalation of an open episode (the caller holds the alert's lock). */
  public CompletableFuture<?> runFollowUp(Notice notice) throws Exception {
    return run(notice, followUpStages);
  }

  /**
   * Runs a convergence group's notification through the stages after convergence (its members passed
   * those before it one by one; the caller holds the group's lock).
   */
  public CompletableFuture<?> runGroup(Notice notice) throws Exception {
    return run(notice, groupStages);
  }

  private CompletableFuture<?> run(Notice notice, List<Stage> stages) throws Exception {
    long started = System.nanoTime();
    for (Stage stage : stages) {
      Outcome o = stage.apply(notice);
      if (o.stops()) {
        stopped(notice, stage, o);
        break;
      }
      notice.step(stage.name(), "PASSED", null, null, null, null, null, clock.millis());
    }
    return finisher.finish(notice).whenComplete((r, e) -> {
      if (e == null) {
        latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      }
    });
  }

  /** A stage stopped the notice: on its trail, counted, and logged once under the alert's business keys. */
  private void stopped(Notice notice, Stage stage, Outcome o) {
    AlertEvent event = notice.event();
    notice.stop(stage.name(), o);
    notice.step(stage.name(), o.status().name(), o.reason(), o.detail(), null, null, null, clock.millis());
    meters.exit(stage.name(), o.status());
    try (TraceContext.Scope s = notice.trace() == null ? null : TraceContext.bind(notice.trace());
        LogContext ctx = LogContext.with(LogKeys.TENANT, event.tenant()).and(LogKeys.POLICY_ID, event.policyId())
            .and(LogKeys.ALERT_KEY, event.alertKey()).and(LogKeys.EVENT_ID, event.eventId())
            .and(LogKeys.STAGE, stage.name()).and(LogKeys.STATUS, o.status().name())) {
      log.info("alert event {} {} stopped at {}: {}{}", event.status(), event.alertKey(), stage.name(), o.reason(),
          o.detail() == null ? "" : " (" + o.detail() + ")");
    }
  }
}
