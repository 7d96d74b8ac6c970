package io.vigil.notifier.pipeline;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigil.common.logging.LogContext;
import io.vigil.common.logging.LogKeys;
import io.vigil.common.model.AlertEvent;
import java.time.Clock;
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
    AlertEvent event = notice.event();
    for (Stage stage : stages) {
      Outcome o = stage.apply(notice);
      if (o.stops()) {
        notice.stop(stage.name(), o);
        notice.step(stage.name(), o.status().name(), o.reason(), o.detail(), null, null, null, clock.millis());
        meters.exit(stage.name(), o.status());
        try (LogContext ctx = LogContext.with(LogKeys.TENANT, event.tenant()).and(LogKeys.POLICY_ID, event.policyId())
            .and(LogKeys.ALERT_KEY, event.alertKey()).and(LogKeys.EVENT_ID, event.eventId())
            .and(LogKeys.STAGE, stage.name()).and(LogKeys.STATUS, o.status().name())) {
          log.info("alert event {} {} stopped at {}: {}{}", event.status(), event.alertKey(), stage.name(), o.reason(),
              o.detail() == null ? "" : " (" + o.detail() + ")");
        }
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
}
