package io.vigil.notifier.enrich;

import io.vigil.common.control.AccessConfigCache;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.pipeline.Stage;
import java.time.Clock;
import java.util.Map;

/**
 * Enrichment (告警丰富): the alert's instance from the cmdb — its name, address, owner, tags — for the
 * message ({@code instance} in the template model). The instance is the value of the namespace's
 * {@code instanceDimension} among the alert's dimensions (the object id for an event alert); a
 * namespace without one is not enriched. Never stops a notice: the cmdb away or slow, the message
 * goes out without the data, flagged ({@code enrichmentDegraded}, in the record and the message) and
 * counted.
 */
public final class EnrichmentStage implements Stage {

  private final AccessConfigCache access;
  private final InstanceDirectory instances;
  private final DependencyMetrics dependencies;
  private final Clock clock;

  public EnrichmentStage(AccessConfigCache access, InstanceDirectory instances, DependencyMetrics dependencies,
      Clock clock) {
    this.access = access;
    this.instances = instances;
    this.dependencies = dependencies;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "enrichment";
  }

  @Override
  public Outcome apply(Notice n) {
    AlertEvent e = n.event();
    NamespaceConfig ns = access.namespace(e.namespace()).orElse(null);
    String dimension = ns == null ? null : ns.instanceDimension();
    String id = dimension == null ? null : e.dimensions().getOrDefault(dimension, e.objectId());
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
}
