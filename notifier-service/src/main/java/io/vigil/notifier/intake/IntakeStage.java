package io.vigil.notifier.intake;

import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.semantics.AlertLabels;
import io.vigil.notifier.control.ControlView;
import io.vigil.notifier.control.ControlCopy.LivePolicy;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.pipeline.Stage;
import io.vigil.notifier.state.NotifierState;

/**
 * The first stage: an event already handled (by this instance before a restart, or by another before
 * a rebalance) or overtaken by a later event of its alert stops here as {@code DUPLICATE}; otherwise
 * the alert's policy is read and its labels are built for the stages after.
 *
 * <p>Idempotency is by the alert's sequence, which {@code eventId} is derived from: the last sequence
 * handled is stored when the event's records are published, so an event whose run was cut short is
 * handled again, and what it had delivered already is skipped by notification id at dispatch.
 */
public final class IntakeStage implements Stage {

  private final ControlView control;
  private final NotifierState state;

  public IntakeStage(ControlView control, NotifierState state) {
    this.control = control;
    this.state = state;
  }

  @Override
  public String name() {
    return "intake";
  }

  @Override
  public Outcome apply(Notice n) {
    return judge(n, state.alert(n.event().alertKey()));
  }

  /** The alerts' records are read in one round trip for all of them. */
  @Override
  public Outcome[] applyAll(java.util.List<Notice> notices, Exception[] failures) {
    NotifierState.AlertRecord[] previous = state.alerts(notices.stream().map(n -> n.event().alertKey()).toList());
    Outcome[] out = new Outcome[notices.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        out[i] = judge(notices.get(i), previous[i]);
      } catch (RuntimeException e) {
        failures[i] = e;
      }
    }
    return out;
  }

  private Outcome judge(Notice n, NotifierState.AlertRecord previous) {
    AlertEvent e = n.event();
    long last = previous == null ? 0 : previous.event().sequence();
    if (e.sequence() <= last) {
      return Outcome.stop(NotificationStatus.DUPLICATE, e.sequence() == last ? "already_handled" : "overtaken",
          "last handled sequence " + last);
    }
    LivePolicy policy = control.policy(e.policyId());
    if (policy != null && !policy.tenant().equals(e.tenant())) {
      // the detector ANDs the tenant into every policy: an event naming another tenant's policy is a bug
      // upstream, and sending it would tell one tenant about another's data
      return Outcome.stop(NotificationStatus.NO_RECEIVER, "tenant_mismatch", "policy of another tenant");
    }
    n.previous(previous);
    n.policy(policy);
    n.labels(AlertLabels.of(e, policy == null ? null : policy.policy().labels()));
    return Outcome.CONTINUE;
  }

  /** Repeats and escalations are not events: nothing to deduplicate by sequence. */
  @Override
  public boolean judgesFollowUps() {
    return false;
  }
}
