package io.vigil.notifier.frequency;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.model.AlertEvent;
import io.vigil.notifier.control.ControlCopy.LivePolicy;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.state.NotifierState;
import io.vigil.notifier.state.NotifierState.AlertRecord;
import io.vigil.notifier.state.NotifierState.TimerKind;
import java.util.List;

/**
 * What happens while an alert stays open is the notifier's (the detector emits transitions only):
 * after each event is handled, an open episode (FIRING or NO_DATA, not acknowledged) has its next
 * repeat and its next escalation level scheduled as durable timers; a RESOLVED ends them. The
 * {@link FollowUps} runner sends them when due.
 *
 * <p>Repeats are due at {@code notifiedAt + (n + 1) × repeatInterval} (the episode's first
 * notification, not the last repeat, so a late timer does not shift every later one); escalation
 * level {@code k} at {@code notifiedAt + escalations[k].afterSec}.
 */
public final class Lifecycle {

  /** A policy's repeat interval when it names none (what the policy API stores by default). */
  public static final long DEFAULT_REPEAT_MS = 3_600_000L;

  private final NotifierState state;
  private final io.vigil.notifier.values.CurrentValues values;

  public Lifecycle(NotifierState state, io.vigil.notifier.values.CurrentValues values) {
    this.state = state;
    this.values = values;
  }

  public static long repeatIntervalMs(LivePolicy p) {
    Integer sec = p == null ? null : p.policy().notification().repeatIntervalSec();
    return sec == null ? DEFAULT_REPEAT_MS : sec * 1000L;
  }

  public static long nextRepeatAt(AlertRecord a, long intervalMs) {
    return a.notifiedAtMs() + (a.repeats() + 1L) * intervalMs;
  }

  /** The time escalation level {@code level + 1} is due, or -1 when the policy has no such level. */
  public static long nextEscalationAt(AlertRecord a, LivePolicy p) {
    List<AlertPolicy.Escalation> levels = p == null ? null : p.policy().notification().escalations();
    if (levels == null || levels.size() <= a.level()) {
      return -1;
    }
    return a.notifiedAtMs() + levels.get(a.level()).afterSec() * 1000L;
  }

  /** After an event's records are published: the episode's timers follow its status. */
  public void afterEvent(Notice n, AlertRecord after) {
    AlertEvent e = n.event();
    values.follow(e);
    if (e.status() == AlertEvent.AlertStatus.RESOLVED || after.acknowledged()) {
      state.cancelTimers(e.alertKey());
      return;
    }
    schedule(after, n.policy());
  }

  /** Sets the episode's next repeat and next escalation (if the policy has one left). */
  public void schedule(AlertRecord a, LivePolicy p) {
    String key = a.event().alertKey();
    if (p == null || !io.vigil.notifier.convergence.ConvergenceStage.groups(p.policy())) {
      // a grouped alert repeats with its group
      state.schedule(TimerKind.REPEAT, key, nextRepeatAt(a, repeatIntervalMs(p)));
    }
    long escalation = nextEscalationAt(a, p);
    if (escalation > 0) {
      state.schedule(TimerKind.ESCALATE, key, escalation);
    }
  }
}
