package io.vigil.notifier.limit;

import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.NotificationStatus;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.pipeline.Stage;

/**
 * Limits (告警限制): a tenant, and each of its policies, may send at most so many notifications in a
 * sliding window (the notifier's {@link Limits}, in Redis so every instance counts together). Past a
 * cap, the first notice of the window still goes out, marked as the summary ("further alerts of this
 * policy are held back until …") so the people paged know a storm is on rather than hearing
 * nothing; the rest stop as {@code LIMITED}, recorded and explainable. A RESOLVED is never held
 * back by a cap (the person told of the FIRING learns it ended), and repeats count like events.
 */
public final class LimitStage implements Stage {

  private final Limits limits;

  public LimitStage(Limits limits) {
    this.limits = limits;
  }

  @Override
  public String name() {
    return "limit";
  }

  @Override
  public Outcome apply(Notice n) {
    AlertEvent e = n.event();
    if (e.status() == AlertEvent.AlertStatus.RESOLVED && n.kind() == Notice.Kind.EVENT) {
      return Outcome.CONTINUE;
    }
    Limits.Verdict v = limits.take(e.tenant(), e.policyId(), n.occurrence());
    return switch (v.decision()) {
      case PASS -> Outcome.CONTINUE;
      case SUMMARY -> {
        n.limitSummary(v.scope(), v.cap(), v.windowMs());
        yield Outcome.CONTINUE;
      }
      case LIMITED -> Outcome.stop(NotificationStatus.LIMITED, v.scope() + "_cap",
          v.cap() + " notifications in " + (v.windowMs() / 1000) + " s");
    };
  }
}
