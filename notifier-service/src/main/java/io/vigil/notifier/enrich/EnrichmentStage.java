package io.vigil.notifier.enrich;

import io.vigil.common.control.AccessConfigCache;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.pipeline.SideBySide;
import io.vigil.notifier.pipeline.Stage;
import io.vigil.notifier.values.CurrentValues;
import io.vigil.notifier.values.SeriesHistory;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Enrichment (告警丰富): the alert's instance from the cmdb — its name, address, owner, tags — for the
 * message ({@code instance} in the template model). The instance is the value of the namespace's
 * {@code instanceDimension} among the alert's dimensions (the object id for an event alert); a
 * namespace without one is not enriched. Never stops a notice: the cmdb away or slow, the message
 * goes out without the data, flagged ({@code enrichmentDegraded}, in the record and the message) and
 * counted.
 *
 * <p>A FIRING of a metric alert also gets its series' last hour from storage ({@link SeriesHistory}),
 * for the text sparkline and an email's chart; storage away, the message goes without them.
 */
public final class EnrichmentStage implements Stage {

  private final AccessConfigCache access;
  private final InstanceDirectory instances;
  private final DependencyMetrics dependencies;
  private final Clock clock;
  private final SeriesHistory history;

  private final java.util.concurrent.Executor executor;

  /** @param history the series' last hour, for a FIRING's sparkline and chart */
  public EnrichmentStage(AccessConfigCache access, InstanceDirectory instances, DependencyMetrics dependencies,
      Clock clock, SeriesHistory history) {
    this(access, instances, dependencies, clock, history, null);
  }

  /**
   * @param executor where the notices of a lane's batch are enriched side by side (each may wait on the
   *     cmdb and on storage); null enriches them one after the other
   */
  public EnrichmentStage(AccessConfigCache access, InstanceDirectory instances, DependencyMetrics dependencies,
      Clock clock, SeriesHistory history, java.util.concurrent.Executor executor) {
    this.executor = executor;
    this.access = access;
    this.instances = instances;
    this.dependencies = dependencies;
    this.clock = clock;
    this.history = java.util.Objects.requireNonNull(history, "history");
  }

  @Override
  public String name() {
    return "enrichment";
  }

  @Override
  public Outcome apply(Notice n) {
    chart(n);
    AlertEvent e = n.event();
    NamespaceConfig ns = access.namespace(e.namespace()).orElse(null);
    String id = ns == null ? null : ns.instanceIdOf(e.dimensions(), e.objectId());
    if (id == null) {
      return Outcome.CONTINUE;
    }
    InstanceDirectory.Answer a = instances.find(e.tenant(), e.namespace(), e.region(), id);
    if (a.unavailable()) {
      dependencies.degraded("enrichment", "cmdb_unavailable");
      n.instance(Map.of("id", id), true);
      n.step(name(), "NOTE", "cmdb_unavailable", "sent without instance data", null, null, null, clock.millis());
    } else if (a.instance() != null) {
      n.instance(InstanceDirectory.model(a.instance()), false);
    } else {
      n.instance(Map.of("id", id), false);
    }
    return Outcome.CONTINUE;
  }

  /**
   * The notices of a batch side by side: each may wait for a cmdb look-up and a chart query, and the
   * batch's last notice must not wait for all the ones before it.
   */
  @Override
  public Outcome[] applyAll(java.util.List<Notice> notices, Exception[] failures) {
    if (executor == null || notices.size() < 2) {
      return Stage.super.applyAll(notices, failures);
    }
    java.util.List<java.util.concurrent.CompletableFuture<Outcome>> running = SideBySide.start(
        notices.stream().map(n -> new SideBySide.Job<>(n, () -> apply(n))).toList(), executor);
    Outcome[] out = new Outcome[notices.size()];
    for (int i = 0; i < out.length; i++) {
      try {
        out[i] = running.get(i).join();
      } catch (java.util.concurrent.CompletionException e) {
        failures[i] = SideBySide.failureOf(e);
      }
    }
    return out;
  }

  /** A FIRING's first notification: the last hour of its series, when storage has it. */
  private void chart(Notice n) {
    AlertEvent e = n.event();
    if (n.kind() != Notice.Kind.EVENT || e.status() != AlertEvent.AlertStatus.FIRING
        || n.sparkline() != null) {
      return;
    }
    List<Double> hour = history.lastHour(e, n.policy() == null ? null : n.policy().policy());
    if (hour.stream().filter(Double::isFinite).count() >= 2) {
      n.current(null, 0, CurrentValues.sparkline(hour));
      n.chart(hour, e.threshold());
    }
  }
}
