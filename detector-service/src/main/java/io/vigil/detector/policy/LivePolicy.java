package io.vigil.detector.policy;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.FilterSpec;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.error.Violations;
import io.vigil.common.semantics.Filter;
import io.vigil.detector.condition.ConditionRule;
import io.vigil.detector.index.IndexedPolicy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.nio.charset.StandardCharsets;
import io.vigil.common.control.ControlJson;
import io.vigil.common.series.XxHash64;
import java.util.Set;

/**
 * A policy as this detector runs it: its row's identity and version, its body with defaults, its
 * conditions compiled, and its entry in the policy index (absent when it reads no metric, e.g. a
 * policy of event rules only).
 *
 * @param tenantField the namespace's tenant dimension, ANDed into every policy
 * @param readsBaselines a condition compares with the same window a day or a week before (from storage)
 * @param watchesNoData a condition reports NO_DATA: every series it has seen is watched for missing windows
 * @param eventEntries one entry per event rule in the event index (id {@code <policyId>#<rule>}, its
 *     event types as the "metrics", the policy's filters and the rule's)
 * @param perObject its conditions read several metrics and must ALL hold: it is judged per object
 *     (the series' namespace, region and dimensions without the metric; {@code SeriesId.objectOf}),
 *     one alert per object, rather than per series, where no series could ever hold them all
 */
public record LivePolicy(String id, String tenant, long version, AlertPolicy body, String tenantField,
    List<ConditionRule> rules, IndexedPolicy indexed, List<IndexedPolicy> eventEntries, long judgement,
    boolean readsBaselines, boolean watchesNoData, boolean perObject) {

  /**
   * Compiles a loaded policy. A body the policy API would refuse (it was validated when saved, so
   * this is a row written past the API or by a newer version) is an {@link IllegalArgumentException}
   * naming the policy and the reason: the caller skips it and counts it.
   */
  public static LivePolicy of(String id, String tenant, long version, boolean enabled, AlertPolicy stored,
      NamespaceConfig namespace) {
    AlertPolicy s = stored.withDefaults();
    // the row's enabled column is the truth (what lists filter on); the body is made to agree with it
    AlertPolicy body = new AlertPolicy(s.name(), s.namespace(), s.conditions(), s.combine(), s.filters(),
        s.eventRules(), s.severity(), s.labels(), s.annotations(), s.receivers(), s.notification(), enabled);
    String tenantField = namespace == null || namespace.tenantDimension() == null
        ? NamespaceConfig.DEFAULT_TENANT_DIMENSION : namespace.tenantDimension();
    Violations v = new Violations();
    List<Filter.Compiled> filters = FilterSpec.compileAll(v, "filters", body.filters());
    if (!v.isEmpty()) {
      throw new IllegalArgumentException("policy " + id + ": " + v.list());
    }
    List<ConditionRule> rules = new ArrayList<>();
    Set<String> metrics = new LinkedHashSet<>();
    for (int i = 0; i < body.conditions().size(); i++) {
      AlertPolicy.Condition c = body.conditions().get(i);
      if (c == null || c.metric() == null || c.period() == null) {
        throw new IllegalArgumentException("policy " + id + ": conditions[" + i + "] needs a metric and a period");
      }
      try {
        rules.add(new ConditionRule(i, c));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("policy " + id + ": conditions[" + i + "]: " + e.getMessage(), e);
      }
      metrics.add(c.metric());
    }
    LivePolicy[] self = new LivePolicy[1];
    IndexedPolicy indexed = metrics.isEmpty() ? null
        : new IndexedPolicy(id, body.namespace(), metrics, tenantField, tenant, filters, self);
    List<IndexedPolicy> eventEntries = new ArrayList<>();
    for (int i = 0; i < body.eventRules().size(); i++) {
      AlertPolicy.EventRule rule = body.eventRules().get(i);
      if (rule == null || rule.eventTypes() == null || rule.eventTypes().isEmpty()) {
        throw new IllegalArgumentException("policy " + id + ": eventRules[" + i + "] names no event type");
      }
      List<Filter.Compiled> all = new ArrayList<>(filters);
      all.addAll(FilterSpec.compileAll(v, "eventRules[" + i + "].filters", rule.filters()));
      if (!v.isEmpty()) {
        throw new IllegalArgumentException("policy " + id + ": " + v.list());
      }
      eventEntries.add(new IndexedPolicy(id + "#" + i, body.namespace(), Set.copyOf(rule.eventTypes()), tenantField,
          tenant, all, self));
    }
    long judgement = judgement(tenant, tenantField, body);
    LivePolicy live = new LivePolicy(id, tenant, version, body, tenantField, List.copyOf(rules), indexed,
        List.copyOf(eventEntries), judgement, rules.stream().anyMatch(r -> r.baselineOffsetMs() > 0),
        rules.stream().anyMatch(r -> r.noDataPeriods() > 0),
        body.combine() == AlertPolicy.Combine.ALL && metrics.size() > 1);
    self[0] = live;
    return live;
  }

  /** The policy an index match hands back. */
  public static LivePolicy of(IndexedPolicy matched) {
    return ((LivePolicy[]) matched.payload())[0];
  }



  public boolean enabled() {
    return !Boolean.FALSE.equals(body.enabled());
  }

  public String namespace() {
    return body.namespace();
  }

  /**
   * True when {@code other} judges series the same way: same namespace, tenant, filters, conditions
   * and combination. A change of anything else (name, receivers, severity, notification) keeps the
   * open alerts and their streaks; a change of these resolves them (reason {@code policy_changed}).
   */
  public boolean judgesLike(LivePolicy other) {
    return other != null && judgement == other.judgement && enabled() == other.enabled();
  }

  /**
   * A fingerprint of what decides the policy's judgement (tenant, namespace, filters, conditions,
   * combination), kept with each stored alert: a detector restoring an alert whose policy changed
   * meanwhile can tell a change of receivers (keep the state) from a change of conditions (resolve).
   */
  static long judgement(String tenant, String tenantField, AlertPolicy body) {
    String canonical = ControlJson.write(List.of(tenant, tenantField, String.valueOf(body.namespace()),
        body.filters(), body.conditions(), String.valueOf(body.combine()), body.eventRules()));
    byte[] bytes = canonical.getBytes(StandardCharsets.UTF_8);
    return XxHash64.hash(bytes, 0, bytes.length, JUDGEMENT_SEED);
  }

  private static final long JUDGEMENT_SEED = 0x76_69_67_69_6C_4A_00_01L;

  @Override
  public String toString() {
    return "LivePolicy[" + id + " v" + version + "]";
  }
}
