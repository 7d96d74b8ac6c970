package io.vigil.notifier.history;

import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.NotificationRecord;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.series.AlertIds;
import io.vigil.common.tracing.TraceContext;
import io.vigil.notifier.frequency.Lifecycle;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.pipeline.Pipeline;
import io.vigil.notifier.state.NotifierState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The pipeline's last step, for every notice: its records go to {@code notify.records} (storage makes
 * them the public history), its steps to the explain trail, and once the broker has the records the
 * alert's state moves on (the sequence handled, the firing set for inhibition). The event's offset is
 * committed only after that, so a crash before it runs the event again; what it had delivered is
 * not delivered twice (dispatch checks notification ids).
 *
 * <p>A notice stopped before dispatch makes one record without recipient or channel, under the
 * notification id derived from the event with empty parts. A {@code DUPLICATE} at intake makes none:
 * the event's first run recorded its outcome under the same ids, and a second record would replace
 * it in the history; the duplicate is counted and on the trail.
 */
public final class RecordStage implements Pipeline.Finisher {

  private final VigilPublisher publisher;
  private final TrailStore trail;
  private final NotifierState state;
  private final Lifecycle lifecycle;
  private final Clock clock;
  private final Executor executor;

  /** @param executor where the state update runs once the broker acknowledged (not the producer's I/O thread) */
  public RecordStage(VigilPublisher publisher, TrailStore trail, NotifierState state, Lifecycle lifecycle, Clock clock,
      Executor executor) {
    this.publisher = publisher;
    this.trail = trail;
    this.state = state;
    this.lifecycle = lifecycle;
    this.clock = clock;
    this.executor = executor;
  }

  @Override
  public CompletableFuture<?> finish(Notice n) {
    CompletableFuture<Void> published = publish(n);
    return published.thenComposeAsync(ok -> {
      settle(n);
      return state.barrier();
    }, executor);
  }

  /**
   * A batch's notices: every record goes out at once, and once the broker has answered them all, the
   * states of those it took move on together behind one barrier (one hand-off and one Redis round
   * trip for the batch, not one per notice). A notice whose records the broker refused fails alone,
   * its state untouched (it runs again), as {@link #finish} does.
   */
  @Override
  public List<CompletableFuture<?>> finishAll(List<Notice> notices) {
    List<CompletableFuture<Void>> published = new ArrayList<>(notices.size());
    for (Notice n : notices) {
      try (TraceContext.Scope s = TraceContext.bind(n.trace())) {
        published.add(publish(n));
      } catch (RuntimeException | Error e) {
        published.add(CompletableFuture.failedFuture(e));
      }
    }
    Throwable[] failed = new Throwable[notices.size()];
    CompletableFuture<?> answered = CompletableFuture.allOf(published.stream().map(f -> f.handle((r, e) -> null))
        .toArray(CompletableFuture[]::new));
    CompletableFuture<Boolean> barrier = answered.thenComposeAsync(all -> {
      for (int i = 0; i < notices.size(); i++) {
        if (published.get(i).isCompletedExceptionally()) {
          continue;
        }
        try {
          settle(notices.get(i));
        } catch (RuntimeException | Error e) {
          failed[i] = e;
        }
      }
      return state.barrier();
    }, executor);
    List<CompletableFuture<?>> out = new ArrayList<>(notices.size());
    for (int i = 0; i < notices.size(); i++) {
      int at = i;
      out.add(published.get(i).thenCombine(barrier, (r, b) -> {
        if (failed[at] != null) {
          throw new java.util.concurrent.CompletionException(failed[at]);
        }
        return b;
      }));
    }
    return out;
  }

  /** The notice's records on their way to the broker (its steps on the trail); completes when it has them all. */
  private CompletableFuture<Void> publish(Notice n) {
    AlertEvent e = n.event();
    Outcome stop = n.stopped();
    List<NotificationRecord> records = new ArrayList<>(n.records());
    if (stop != null && !duplicate(n)) {
      records.add(new NotificationRecord(NotificationRecord.SCHEMA_VERSION, AlertIds.notificationId(n.occurrence(), "", ""),
          e.eventId(), e.alertKey(), e.tenant(), e.region(), e.policyId(), null, null, stop.status(), n.stoppedAt(), 0,
          stop.reason(), clock.millis(), e.status(), e.severity(), e.namespace(),
          n.source(), n.enrichmentDegraded(), n.escalationLevel(), null,
          n.kind() == Notice.Kind.REPEAT ? n.followUpNumber() : 0, n.groupKey()));
    }
    trail.append(n);
    CompletableFuture<?>[] sends = new CompletableFuture<?>[records.size()];
    for (int i = 0; i < sends.length; i++) {
      sends[i] = publisher.publish(Topics.NOTIFY_RECORDS, records.get(i));
    }
    return CompletableFuture.allOf(sends);
  }

  private static boolean duplicate(Notice n) {
    Outcome stop = n.stopped();
    return stop != null && stop.status() == NotificationStatus.DUPLICATE && "intake".equals(n.stoppedAt());
  }

  /**
   * Once the broker has a notice's records: an event's state moves on (its writes queued; the caller's
   * barrier behind them makes them durable). A follow-up's bookkeeping is its timer's, and a
   * duplicate's was its first run's: for them only the barrier (their delivered marks) is awaited.
   */
  private void settle(Notice n) {
    if (duplicate(n) || n.kind() != Notice.Kind.EVENT) {
      return;
    }
    AlertEvent e = n.event();
    Outcome stop = n.stopped();
    boolean sent = n.records().stream().anyMatch(r -> r.status() == NotificationStatus.SENT);
    // a converged event is told with its group: it is not muted
    String stoppedWith = stop == null || stop.status() == NotificationStatus.CONVERGED ? null : stop.status().name();
    lifecycle.afterEvent(n, state.handled(e, n.eventJson(), n.labels(), n.previous(), sent, stoppedWith));
  }
}
