package io.vigil.notifier.dispatch;

import io.vigil.common.logging.LogContext;
import io.vigil.common.logging.LogKeys;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.Channel;
import io.vigil.common.model.NotificationRecord;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.series.AlertIds;
import io.vigil.notifier.channel.Delivery;
import io.vigil.notifier.channel.Dispatcher;
import io.vigil.notifier.channel.Outbound;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Notice.Recipient;
import io.vigil.notifier.pipeline.Notice.Target;
import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.pipeline.PipelineMeters;
import io.vigil.notifier.pipeline.SideBySide;
import io.vigil.notifier.pipeline.Stage;
import io.vigil.notifier.state.NotifierState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every recipient's message: recipients in parallel (one slow webhook does not hold the e-mail
 * of the next person), each one's channels in ladder order until one delivers. Every channel tried
 * gets its own notification id ({@code AlertIds.notificationId(eventId, recipient, channel)}), sent as
 * the receiver's idempotency key; one already delivered (the event is being run again after a
 * restart) is not sent again.
 *
 * <p>Each recipient ends in one record: {@code SENT} (naming the channel it fell back from, if any;
 * for what had gone out in an earlier run of the same notice, with reason {@code delivered_before},
 * so its record is not replaced by a lesser one), or {@code SEND_FAILED} with the last channel's
 * reason. Channel failures never fail the event: they are outcomes, recorded and counted.
 */
public final class DispatchStage implements Stage {

  private static final Logger log = LoggerFactory.getLogger(DispatchStage.class);

  private final Dispatcher dispatcher;
  private final NotifierState state;
  private final PipelineMeters meters;
  private final Executor executor;
  private final Clock clock;

  public DispatchStage(Dispatcher dispatcher, NotifierState state, PipelineMeters meters, Executor executor,
      Clock clock) {
    this.dispatcher = dispatcher;
    this.state = state;
    this.meters = meters;
    this.executor = executor;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "dispatch";
  }

  @Override
  public Outcome apply(Notice n) {
    List<Recipient> recipients = n.recipients();
    List<CompletableFuture<Result>> running = new ArrayList<>(recipients.size());
    for (int i = 0; i < recipients.size(); i++) {
      Recipient r = recipients.get(i);
      if (i == recipients.size() - 1) {
        running.add(CompletableFuture.completedFuture(deliver(n, r))); // the last one on this thread
      } else {
        running.add(CompletableFuture.supplyAsync(() -> deliver(n, r), executor));
      }
    }
    for (CompletableFuture<Result> f : running) {
      Result res = f.join();
      n.records().add(res.record());
      n.trail().addAll(res.steps());
      meters.exit(name(), res.record().status());
    }
    return Outcome.CONTINUE;
  }

  /**
   * The deliveries of every notice of a lane's batch in parallel, not one notice after the other: the
   * batch's last notice would otherwise wait for every webhook of the ones before it. The delivered
   * marks of every rung are read in one round trip first.
   */
  @Override
  public Outcome[] applyAll(List<Notice> notices, Exception[] failures) {
    List<String> ids = new ArrayList<>();
    for (Notice n : notices) {
      for (Recipient r : n.recipients()) {
        for (Target t : r.ladder()) {
          ids.add(AlertIds.notificationId(n.occurrence(), r.id(), t.channel().name()));
        }
      }
    }
    java.util.Set<String> before = state.deliveredOf(ids);
    List<SideBySide.Job<Result>> jobs = new ArrayList<>();
    for (Notice n : notices) {
      for (Recipient r : n.recipients()) {
        jobs.add(new SideBySide.Job<>(n, () -> deliver(n, r, before::contains)));
      }
    }
    List<CompletableFuture<Result>> running = SideBySide.start(jobs, executor);
    Outcome[] out = new Outcome[notices.size()];
    int first = 0;
    for (int i = 0; i < out.length; i++) {
      Notice n = notices.get(i);
      List<CompletableFuture<Result>> mine = running.subList(first, first + n.recipients().size());
      first += mine.size();
      List<Result> results = new ArrayList<>();
      // every delivery of the notice has ended before it is judged: one failing must not let the notice
      // run again while another of its recipients is still being sent to
      CompletableFuture.allOf(mine.toArray(CompletableFuture[]::new)).handle((r, e) -> null).join();
      try {
        for (CompletableFuture<Result> f : mine) {
          results.add(f.join());
        }
      } catch (java.util.concurrent.CompletionException e) {
        failures[i] = SideBySide.failureOf(e);
        continue;
      }
      for (Result res : results) {
        n.records().add(res.record());
        n.trail().addAll(res.steps());
        meters.exit(name(), res.record().status());
      }
      out[i] = Outcome.CONTINUE;
    }
    return out;
  }

  /** What one recipient came to: its record and its trail steps (kept apart until joined, for thread safety). */
  private record Result(NotificationRecord record, List<Notice.Step> steps) {}

  private Result deliver(Notice n, Recipient r) {
    return deliver(n, r, state::delivered);
  }

  /** @param deliveredBefore whether a notification id went out in an earlier run of the notice */
  private Result deliver(Notice n, Recipient r, java.util.function.Predicate<String> deliveredBefore) {
    AlertEvent e = n.event();
    List<Notice.Step> steps = new ArrayList<>();
    Channel failed = null;
    String reason = null;
    int attempts = 0;
    Target last = null;
    // a run of this notice cut short earlier may have delivered on any rung: that rung's delivery stands, under
    // its own id and status, so the history keeps it and no other rung is tried again
    for (Target t : r.ladder()) {
      String id = AlertIds.notificationId(n.occurrence(), r.id(), t.channel().name());
      if (deliveredBefore.test(id)) {
        steps.add(step(r, t.channel(), NotificationStatus.SENT, "delivered_before", id));
        return new Result(record(n, r, t.channel(), id, NotificationStatus.SENT, 0, "delivered_before", null), steps);
      }
    }
    for (Target t : r.ladder()) {
      last = t;
      String id = AlertIds.notificationId(n.occurrence(), r.id(), t.channel().name());
      Delivery d = dispatcher.deliver(new Outbound(id, e.eventId(), e.alertKey(), e.tenant(), t.channel(), t.to(),
          t.message().subject(), t.message().body(), t.channel() == Channel.EMAIL ? n.chartPng() : null));
      attempts += d.attempts();
      if (d.delivered()) {
        state.markDelivered(id);
        steps.add(step(r, t.channel(), NotificationStatus.SENT, failed == null ? null : "fell_back", id));
        logDelivery(n, r, t.channel(), id, NotificationStatus.SENT, d.attempts(), failed == null ? null
            : "after " + failed + " failed");
        return new Result(record(n, r, t.channel(), id, NotificationStatus.SENT, attempts, null, failed), steps);
      }
      steps.add(step(r, t.channel(), NotificationStatus.SEND_FAILED, d.reason(), id));
      logDelivery(n, r, t.channel(), id, NotificationStatus.SEND_FAILED, d.attempts(), d.reason());
      failed = t.channel();
      reason = d.reason();
    }
    String id = AlertIds.notificationId(n.occurrence(), r.id(), last.channel().name());
    return new Result(record(n, r, last.channel(), id, NotificationStatus.SEND_FAILED, attempts, reason, null), steps);
  }

  private Notice.Step step(Recipient r, Channel channel, NotificationStatus status, String reason, String id) {
    return new Notice.Step(name(), status.name(), reason, null, r.id(), channel, id, clock.millis());
  }

  private void logDelivery(Notice n, Recipient r, Channel channel, String id, NotificationStatus status, int attempts,
      String why) {
    AlertEvent e = n.event();
    try (LogContext ctx = LogContext.with(LogKeys.TENANT, e.tenant()).and(LogKeys.POLICY_ID, e.policyId())
        .and(LogKeys.ALERT_KEY, e.alertKey()).and(LogKeys.EVENT_ID, e.eventId())
        .and(LogKeys.NOTIFICATION_ID, id).and(LogKeys.CHANNEL, channel.name()).and(LogKeys.STAGE, name())
        .and(LogKeys.STATUS, status.name())) {
      log.info("{}{} {} to {} by {} ({} attempts){}", e.status(), n.kind() == Notice.Kind.EVENT ? ""
          : " " + n.kind().name().toLowerCase() + " " + n.followUpNumber(), status, r.id(), channel, attempts,
          why == null ? "" : ": " + why);
    }
  }

  private NotificationRecord record(Notice n, Recipient r, Channel channel, String id, NotificationStatus status,
      int attempts, String reason, Channel fellBackFrom) {
    AlertEvent e = n.event();
    return new NotificationRecord(NotificationRecord.SCHEMA_VERSION, id, e.eventId(), e.alertKey(), e.tenant(),
        e.region(), e.policyId(), r.id(), channel, status, name(), attempts, reason, clock.millis(), e.status(),
        e.severity(), e.namespace(), n.source(), n.enrichmentDegraded(),
        n.escalationLevel(), fellBackFrom, n.kind() == Notice.Kind.REPEAT ? n.followUpNumber() : 0, n.groupKey());
  }
}
