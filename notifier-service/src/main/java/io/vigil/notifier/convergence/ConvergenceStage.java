package io.vigil.notifier.convergence;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.pipeline.Stage;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.dao.DataAccessException;

/**
 * Convergence (告警收敛): the events of a policy that groups ({@code notification.groupBy} names
 * dimensions) join their group — the alerts with equal values of those dimensions — and stop here as
 * {@code CONVERGED}; the group goes out as one notification {@code groupWaitSec} after its first
 * member, and then at most every {@code groupIntervalSec} with what changed (the {@link
 * GroupFlusher}). A storm of thousands of alerts of one policy becomes a handful of messages listing
 * counts and examples. A policy without {@code groupBy} notifies each alert on its own.
 *
 * <p>The stop is final for the event once the membership is durable in Redis, so its offset may be
 * committed. Redis down: the event goes on ungrouped (notified on its own), counted as degraded — a
 * page is worth more than a tidy one.
 */
public final class ConvergenceStage implements Stage {

  private final Groups groups;
  private final DependencyMetrics dependencies;
  private final Clock clock;

  public ConvergenceStage(Groups groups, DependencyMetrics dependencies, Clock clock) {
    this.groups = groups;
    this.dependencies = dependencies;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "convergence";
  }

  /** Whether a policy's alerts are grouped. */
  public static boolean groups(AlertPolicy p) {
    List<String> by = p.notification().groupBy();
    return by != null && !by.isEmpty();
  }

  @Override
  public Outcome apply(Notice n) {
    Groups.Join j = joinOf(n);
    if (j == null) {
      return Outcome.CONTINUE;
    }
    long due;
    try {
      due = groups.join(j, clock.millis());
    } catch (DataAccessException ex) {
      return ungrouped(n);
    }
    return joined(n, j.key(), due);
  }

  /** The members join their groups in one round trip for all of them. */
  @Override
  public Outcome[] applyAll(List<Notice> notices, Exception[] failures) {
    Outcome[] out = new Outcome[notices.size()];
    List<Groups.Join> joins = new java.util.ArrayList<>(notices.size());
    List<Integer> joining = new java.util.ArrayList<>(notices.size());
    for (int i = 0; i < out.length; i++) {
      Groups.Join j = joinOf(notices.get(i));
      if (j == null) {
        out[i] = Outcome.CONTINUE;
      } else {
        joins.add(j);
        joining.add(i);
      }
    }
    if (joins.isEmpty()) {
      return out;
    }
    Long[] due;
    try {
      due = groups.joinAll(joins, clock.millis());
    } catch (DataAccessException ex) {
      due = new Long[joins.size()];
    }
    for (int k = 0; k < joining.size(); k++) {
      Notice n = notices.get(joining.get(k));
      out[joining.get(k)] = due[k] == null ? ungrouped(n) : joined(n, joins.get(k).key(), due[k]);
    }
    return out;
  }

  /** What the notice joins; null when its policy does not group. */
  private static Groups.Join joinOf(Notice n) {
    if (n.policy() == null || !groups(n.policy().policy())) {
      return null;
    }
    AlertEvent e = n.event();
    AlertPolicy.Notification settings = n.policy().policy().notification();
    Map<String, String> labels = Groups.labelsOf(settings.groupBy(), e.dimensions());
    long waitMs = (settings.groupWaitSec() == null ? 30 : settings.groupWaitSec()) * 1000L;
    long intervalMs = (settings.groupIntervalSec() == null ? 300 : settings.groupIntervalSec()) * 1000L;
    return new Groups.Join(Groups.keyOf(e.policyId(), labels), e.tenant(), labels, e, n.eventJson(), waitMs,
        intervalMs);
  }

  private Outcome ungrouped(Notice n) {
    dependencies.failure("redis");
    dependencies.degraded("convergence", "redis_down");
    n.step(name(), "NOTE", "ungrouped", "Redis is away: notified on its own", null, null, null, clock.millis());
    return Outcome.CONTINUE;
  }

  private static Outcome joined(Notice n, String key, long due) {
    n.convergedInto(key);
    return Outcome.stop(NotificationStatus.CONVERGED, "grouped", key + " goes out at " + Instant.ofEpochMilli(due));
  }

  /** Repeats and escalations of a grouped alert are its group's. */
  @Override
  public boolean judgesFollowUps() {
    return false;
  }
}
