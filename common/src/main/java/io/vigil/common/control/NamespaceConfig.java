package io.vigil.common.control;

import io.vigil.common.error.Violations;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The access config of one namespace (接入配置): what a product may push under it and how Vigil treats
 * it. The gateway validates and enriches points with it, the aggregator rolls up the periods and
 * grace it names, the detector serves it on its shard. Global: platform admins write it, every
 * operator reads it.
 *
 * @param name {@code product/family}, e.g. {@code qce/cvm}; its id
 * @param tenantDimension the dimension that names the tenant (default {@code appid}); always required
 * @param requiredDimensions dimensions every point must carry (the tenant dimension among them)
 * @param optionalDimensions dimensions a point may carry
 * @param periods the rollup periods in seconds (default all five)
 * @param graceMs how late a point may arrive and still count in its window (default 30 s)
 * @param acceptedPastMs how far in the past the gateway accepts a timestamp (default 1 h)
 * @param shard the detection shard serving it (default {@code default}); a new shard gets its topics
 *     before the change commits
 * @param maxSeries the cap on distinct series (default 100,000)
 * @param unknownDimensions what the gateway does with a dimension not declared: reject the point or
 *     drop the dimension
 * @param instanceDimension the dimension whose value is the monitored object's instance id in the cmdb
 *     (e.g. {@code vm_uuid}): the notifier looks the instance up by it to enrich messages; absent for
 *     namespaces whose objects the cmdb does not hold
 */
public record NamespaceConfig(
    String name,
    String description,
    String tenantDimension,
    List<String> requiredDimensions,
    List<String> optionalDimensions,
    List<Metric> metrics,
    List<Integer> periods,
    Long graceMs,
    Long acceptedPastMs,
    List<String> eventTypes,
    String shard,
    Integer maxSeries,
    UnknownDimensions unknownDimensions,
    String instanceDimension) {

  /** A config without an instance dimension (as before the cmdb's enrichment). */
  public NamespaceConfig(String name, String description, String tenantDimension, List<String> requiredDimensions,
      List<String> optionalDimensions, List<Metric> metrics, List<Integer> periods, Long graceMs, Long acceptedPastMs,
      List<String> eventTypes, String shard, Integer maxSeries, UnknownDimensions unknownDimensions) {
    this(name, description, tenantDimension, requiredDimensions, optionalDimensions, metrics, periods, graceMs,
        acceptedPastMs, eventTypes, shard, maxSeries, unknownDimensions, null);
  }

  public static final String DEFAULT_TENANT_DIMENSION = "appid";
  public static final List<Integer> DEFAULT_PERIODS = List.of(60, 300, 900, 3600, 86400);
  public static final String DEFAULT_SHARD = "default";
  public static final long DEFAULT_GRACE_MS = 30_000;
  public static final long DEFAULT_ACCEPTED_PAST_MS = 3_600_000;
  public static final int DEFAULT_MAX_SERIES = 100_000;

  public enum UnknownDimensions { REJECT, DROP }

  public record Metric(String name, String unit, String description) {}

  /** The product a namespace belongs to: the part before the slash. */
  public String product() {
    int slash = name == null ? -1 : name.indexOf('/');
    return slash < 0 ? name : name.substring(0, slash);
  }

  /** This config with every absent setting at its default (what is stored). */
  public NamespaceConfig withDefaults() {
    String tenant = tenantDimension == null ? DEFAULT_TENANT_DIMENSION : tenantDimension;
    Set<String> required = new LinkedHashSet<>();
    required.add(tenant);
    required.addAll(Names.orEmpty(requiredDimensions));
    return new NamespaceConfig(name, description, tenant, List.copyOf(required), Names.orEmpty(optionalDimensions),
        Names.orEmpty(metrics), periods == null || periods.isEmpty() ? DEFAULT_PERIODS : periods,
        graceMs == null ? DEFAULT_GRACE_MS : graceMs, acceptedPastMs == null ? DEFAULT_ACCEPTED_PAST_MS : acceptedPastMs,
        Names.orEmpty(eventTypes), shard == null ? DEFAULT_SHARD : shard, maxSeries == null ? DEFAULT_MAX_SERIES : maxSeries,
        unknownDimensions == null ? UnknownDimensions.REJECT : unknownDimensions, instanceDimension);
  }

  /**
   * The cmdb instance an alert of this namespace is about: the value of its instance dimension, else
   * the alert's object id (an event's); null when the namespace names no instance dimension or the
   * alert carries neither. The notifier enriches by it; the console shows the same instance.
   */
  public String instanceIdOf(java.util.Map<String, String> alertDimensions, String objectId) {
    if (instanceDimension == null) {
      return null;
    }
    String id = alertDimensions == null ? null : alertDimensions.get(instanceDimension);
    return id != null ? id : objectId;
  }

  /** Every dimension a point of this namespace may carry. */
  public Set<String> dimensions() {
    Set<String> all = new HashSet<>(Names.orEmpty(requiredDimensions));
    all.addAll(Names.orEmpty(optionalDimensions));
    if (tenantDimension != null) {
      all.add(tenantDimension);
    }
    return all;
  }

  public boolean hasMetric(String metric) {
    return Names.orEmpty(metrics).stream().anyMatch(m -> m.name().equals(metric));
  }

  /** Checks a config (after {@link #withDefaults}) on its own. */
  public void validate(Violations v) {
    v.check(Names.matches(Names.NAMESPACE, name), "name", "product/family in lower case, e.g. qce/cvm");
    Names.optionalText(v, "description", description, Names.MAX_TEXT);
    v.check(Names.matches(Names.KEY, tenantDimension), "tenantDimension", "a dimension key");
    Names.uniqueList(v, "requiredDimensions", requiredDimensions, Names.KEY, "a dimension key");
    Names.uniqueList(v, "optionalDimensions", optionalDimensions, Names.KEY, "a dimension key");
    for (String d : Names.orEmpty(optionalDimensions)) {
      if (Names.orEmpty(requiredDimensions).contains(d) || d.equals(tenantDimension)) {
        v.add("optionalDimensions", "'" + d + "' is also required");
      }
    }
    v.check(requiredDimensions.size() + optionalDimensions.size() <= 64, "optionalDimensions", "at most 64 dimensions");
    Set<String> metricNames = new HashSet<>();
    for (int i = 0; i < metrics.size(); i++) {
      Metric m = metrics.get(i);
      String at = "metrics[" + i + "]";
      if (m == null) {
        v.add(at, "a metric is required");
        continue;
      }
      if (v.check(Names.matches(Names.KEY, m.name()), at + ".name", "a metric name") && !metricNames.add(m.name())) {
        v.add(at + ".name", "'" + m.name() + "' appears twice");
      }
      Names.optionalText(v, at + ".unit", m.unit(), 32);
      Names.optionalText(v, at + ".description", m.description(), Names.MAX_TEXT);
    }
    v.check(metrics.size() <= 2000, "metrics", "at most 2000 metrics");
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < periods.size(); i++) {
      Integer p = periods.get(i);
      if (v.check(p != null && p > 0 && p % 60 == 0 && 86_400 % p == 0, "periods[" + i + "]",
          "whole minutes that divide a day (60 ... 86400 s)")) {
        v.check(seen.add(p), "periods[" + i + "]", p + " appears twice");
      }
    }
    v.check(graceMs >= 0 && graceMs <= 3_600_000, "graceMs", "between 0 and one hour");
    v.check(acceptedPastMs >= 60_000 && acceptedPastMs <= 7 * 86_400_000L, "acceptedPastMs",
        "between one minute and seven days");
    Names.uniqueList(v, "eventTypes", eventTypes, Names.SLUG, "an event type: a lower-case name");
    v.check(shard != null && io.vigil.common.model.Checks.SHARD.matcher(shard).matches(), "shard",
        "lower-case letters, digits and '-' (at most 63): it names Kafka topics");
    v.check(maxSeries > 0 && maxSeries <= 50_000_000, "maxSeries", "between 1 and 50,000,000");
    if (instanceDimension != null) {
      v.check(dimensions().contains(instanceDimension) && !instanceDimension.equals(tenantDimension),
          "instanceDimension", "one of the namespace's dimensions, not the tenant dimension");
    }
  }

  /**
   * Checks a change of a stored config: the tenant dimension stays, and no dimension becomes required
   * that was not (every seriesId of the namespace would change, and points already flowing would be
   * refused).
   */
  public void validateChangeFrom(NamespaceConfig before, Violations v) {
    v.check(tenantDimension.equals(before.tenantDimension()), "tenantDimension", "cannot change once set");
    for (String d : requiredDimensions) {
      if (!before.requiredDimensions().contains(d)) {
        v.add("requiredDimensions", "'" + d + "' is new: a dimension added to an existing namespace must be optional");
      }
    }
  }
}
