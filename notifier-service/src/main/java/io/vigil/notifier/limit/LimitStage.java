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
    if (exempt(n)) {
      return Outcome.CONTINUE;
    }
    return judge(n, limits.take(e.tenant(), e.policyId(), n.occurrence()));
  }

  /** The notices are counted in one round trip for all of them. */
  @Override
  public Outcome[] applyAll(java.util.List<Notice> notices, Exception[] failures) {
    Outcome[] out = new Outcome[notices.size()];
    java.util.List<Limits.Ask> asks = new java.util.ArrayList<>(notices.size());
    java.util.List<Integer> asked = new java.util.ArrayList<>(notices.size());
    for (int i = 0; i < out.length; i++) {
      Notice n = notices.get(i);
      if (exempt(n)) {
        out[i] = Outcome.CONTINUE;
      } else {
        asks.add(new Limits.Ask(n.event().tenant(), n.event().policyId(), n.occurrence()));
        asked.add(i);
      }
    }
    if (!asks.isEmpty()) {
      Limits.Verdict[] verdicts = limits.takeAll(asks);
      for (int j = 0; j < verdicts.length; j++) {
        out[asked.get(j)] = judge(notices.get(asked.get(j)), verdicts[j]);
      }
    }
    return out;
  }

  /** A RESOLVED event is never held back by a cap. */
  private static boolean exempt(Notice n) {
    return n.event().status() == AlertEvent.AlertStatus.RESOLVED && n.kind() == Notice.Kind.EVENT;
  }

  private static Outcome judge(Notice n, Limits.Verdict v) {
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
