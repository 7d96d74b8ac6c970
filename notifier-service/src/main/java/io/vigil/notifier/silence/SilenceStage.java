package io.vigil.notifier.silence;

import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.semantics.Filter;
import io.vigil.notifier.control.ControlView;
import io.vigil.notifier.control.ControlCopy.LiveRule;
import io.vigil.notifier.control.ControlCopy.LiveSilence;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.pipeline.Stage;
import io.vigil.notifier.state.FiringSet;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;

/**
 * Silences and inhibition (告警屏蔽): an alert of a tenant is {@code SILENCED} while one of the
 * tenant's silences is in force and every matcher passes its labels, and {@code INHIBITED} while
 * another alert of the tenant fires that passes a rule's source matchers, the alert passes the
 * rule's target matchers, and both have equal values of every label the rule names in {@code equal}
 * (an absent label equals only an absent one). The stop names the silence, or the rule and the
 * alert that inhibits.
 *
 * <p>Matchers, recurring windows and the labels matched are common's: the policy API validated them
 * with the same code.
 */
public final class SilenceStage implements Stage {

  private final ControlView control;
  private final Function<String, FiringSet> firing;
  private final Clock clock;

  /** @param firing a tenant's firing alerts, the inhibition rules' sources (the notifier's state) */
  public SilenceStage(ControlView control, Function<String, FiringSet> firing, Clock clock) {
    this.control = control;
    this.firing = firing;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "silence";
  }

  @Override
  public Outcome apply(Notice n) {
    AlertEvent e = n.event();
    Instant now = clock.instant();
    Map<String, String> labels = n.labels();
    for (LiveSilence s : control.silences(e.tenant())) {
      if (s.silence().activeAt(now, s.window()) && Filter.all(s.matchers(), labels)) {
        return Outcome.stop(NotificationStatus.SILENCED, "silence", s.id());
      }
    }
    for (LiveRule r : control.inhibitionRules(e.tenant())) {
      if (!Filter.all(r.target(), labels)) {
        continue;
      }
      // an alert does not inhibit itself; a source must agree with the target on the rule's equal labels
      String by = firing.apply(e.tenant()).inhibitor(r.id(), r, sourceOf(r), r.rule().equal(), labels,
          e.alertKey(), now.toEpochMilli());
      if (by != null) {
        return Outcome.stop(NotificationStatus.INHIBITED, "inhibition_rule", r.id() + " by " + by);
      }
    }
    return Outcome.CONTINUE;
  }

  /** Whether a firing alert's labels are a source of the rule (its source matchers, common's semantics). */
  private static java.util.function.Predicate<Map<String, String>> sourceOf(LiveRule r) {
    return l -> Filter.all(r.source(), l);
  }
}
