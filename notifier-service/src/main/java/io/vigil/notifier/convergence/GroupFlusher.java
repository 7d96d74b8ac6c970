package io.vigil.notifier.convergence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.semantics.AlertLabels;
import io.vigil.notifier.control.ControlCopy.LivePolicy;
import io.vigil.notifier.control.ControlView;
import io.vigil.notifier.convergence.Groups.Group;
import io.vigil.notifier.frequency.Lifecycle;
import io.vigil.notifier.pipeline.AlertLocks;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Pipeline;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Sends a group's notification when its flush timer is due: the members whose status changed since
 * the group last told of them (new alerts, resolutions), as one message with counts and examples,
 * through the stages after convergence (routing, render, dispatch, record). While members stay open
 * and nothing changes, the group repeats at the policy's repeat interval with everything still
 * firing; once every member is resolved and told, the group is gone. Each flush has notification ids
 * of its own ({@code group/<key>/<n>}), so a flush run twice (its timer fired again after a crash)
 * delivers once.
 */
public final class GroupFlusher {

  private final Groups groups;
  private final ControlView control;
  private final Pipeline pipeline;
  private final AlertLocks locks;
  private final Clock clock;
  private final Counter flushes;

  public GroupFlusher(Groups groups, ControlView control, Pipeline pipeline, AlertLocks locks, Clock clock,
      MeterRegistry registry) {
    this.groups = groups;
    this.control = control;
    this.pipeline = pipeline;
    this.locks = locks;
    this.clock = clock;
    this.flushes = Counter.builder("vigil.notifier.followups").tag("kind", "group")
        .description("repeats and escalations run for open alerts").register(registry);
  }

  public void flush(String key) throws Exception {
    Semaphore lock = locks.acquire("group:" + key, 30_000);
    try {
      groups.flushing(key, true, 60_000);
      Group g = groups.read(key);
      LivePolicy policy = g == null ? null : control.policy(g.policyId());
      if (g == null || policy == null) {
        groups.remove(key);
        return;
      }
      long now = clock.millis();
      long repeatMs = Lifecycle.repeatIntervalMs(policy);
      Map<String, AlertEvent> changed = new LinkedHashMap<>();
      Map<String, AlertEvent> open = new LinkedHashMap<>();
      g.members().values().stream().sorted(Comparator.comparing(AlertEvent::alertKey)).forEach(e -> {
        if (!Groups.mark(e).equals(g.told().get(e.alertKey()))) {
          changed.put(e.alertKey(), e);
        }
        if (e.status() != AlertEvent.AlertStatus.RESOLVED) {
          open.put(e.alertKey(), e);
        }
      });
      boolean repeat = changed.isEmpty() && !open.isEmpty() && g.flushes() > 0 && now >= g.lastFlushAtMs() + repeatMs;
      if (changed.isEmpty() && !repeat) {
        if (open.isEmpty()) {
          groups.remove(key);
        } else {
          groups.schedule(key, g.lastFlushAtMs() + repeatMs);
        }
        return;
      }
      Map<String, AlertEvent> tell = repeat ? open : changed;
      AlertEvent newest = tell.values().stream().max(Comparator.comparingLong(AlertEvent::timestampMs)).orElseThrow();
      Notice n = new Notice(newest, now).followUp(Notice.Kind.GROUP, (int) g.flushes() + 1);
      n.group(new Notice.GroupInfo(key, g.episode(), g.labels(), java.util.List.copyOf(tell.values()), open.size(),
          repeat));
      n.policy(policy);
      n.labels(AlertLabels.of(newest, policy.policy().labels()));
      pipeline.runGroup(n).get(30, TimeUnit.SECONDS);
      groups.flushed(key, tell, now);
      flushes.increment();
      // members that joined while this flush ran are sent at the group interval; else the group repeats
      Group after = groups.read(key);
      if (after == null) {
        groups.remove(key);
        return;
      }
      boolean pending = after.members().values().stream()
          .anyMatch(e -> !Groups.mark(e).equals(after.told().get(e.alertKey())));
      boolean stillOpen = after.members().values().stream().anyMatch(e -> e.status() != AlertEvent.AlertStatus.RESOLVED);
      long intervalMs = policy.policy().notification().groupIntervalSec() == null ? 300_000L
          : policy.policy().notification().groupIntervalSec() * 1000L;
      if (pending) {
        groups.schedule(key, now + intervalMs);
      } else if (stillOpen) {
        groups.schedule(key, now + repeatMs);
      } else {
        groups.remove(key);
      }
    } finally {
      try {
        groups.flushing(key, false, 0);
      } finally {
        lock.release();
      }
    }
  }
}
