package io.vigil.detector.index;

import io.vigil.common.semantics.Filter;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the index needs of a policy: which rollups it looks at (its namespace and the metrics its
 * conditions read) and which series (its filters, ANDed with its tenant: the namespace's tenant
 * dimension must equal the policy's tenant, so a policy of tenant A filtering on B's appid matches
 * nothing).
 *
 * @param tenantField the namespace's tenant dimension, e.g. {@code appid}
 * @param filters compiled by common's {@link Filter}, the one evaluator every service uses
 * @param payload what the owner of the index attaches (the detector: its compiled policy), handed
 *     back with each match so the hot path needs no second look-up; not part of matching
 */
public record IndexedPolicy(String id, String namespace, Set<String> metrics, String tenantField, String tenant,
    List<Filter.Compiled> filters, Object payload) {

  public IndexedPolicy(String id, String namespace, Set<String> metrics, String tenantField, String tenant,
      List<Filter.Compiled> filters) {
    this(id, namespace, metrics, tenantField, tenant, filters, null);
  }

  public IndexedPolicy {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(tenantField, "tenantField");
    Objects.requireNonNull(tenant, "tenant");
    metrics = Set.copyOf(metrics);
    filters = List.copyOf(filters);
    if (metrics.isEmpty()) {
      throw new IllegalArgumentException("policy " + id + " reads no metric");
    }
  }

  /** True when this policy looks at this series: the brute-force meaning the index must agree with. */
  public boolean matches(String namespace, String metric, java.util.Map<String, String> dimensions) {
    return this.namespace.equals(namespace) && metrics.contains(metric)
        && tenant.equals(dimensions.get(tenantField)) && Filter.all(filters, dimensions);
  }
}
