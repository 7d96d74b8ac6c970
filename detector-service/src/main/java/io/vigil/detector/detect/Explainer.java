package io.vigil.detector.detect;

import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.FieldProblem;
import io.vigil.common.security.CurrentCaller;
import io.vigil.common.semantics.Filter;
import io.vigil.common.series.AlertKey;
import io.vigil.common.series.SeriesId;
import io.vigil.detector.policy.LivePolicy;
import io.vigil.detector.policy.PolicyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Why a policy does or does not judge a series, and where its alert stands: each check the index
 * makes (namespace, metric, the tenant term, every filter with common's evaluator), the condition
 * counters and the alert state, from this detector's memory.
 */
public final class Explainer {

  /** One check and whether the series passed it. */
  public record Check(String check, boolean passed, String detail) {}

  /**
   * @param series the series as its rollups described it (or as the caller did), null if unknown
   * @param matches whether the policy judges the series: every check passed
   * @param alert the alert's state in memory (status, sequence, conditions), null if none
   */
  public record Explanation(String policyId, long policyVersion, boolean enabled, String seriesId,
      AlertEngine.SeriesIdentity series, Boolean matches, List<Check> checks, Map<String, Object> alert) {}

  private final PolicyStore policies;
  private final AlertEngine engine;

  public Explainer(PolicyStore policies, AlertEngine engine) {
    this.policies = policies;
    this.engine = engine;
  }

  /**
   * @param described the series as the caller describes it, for one this detector has not seen (its
   *     id must be the series id of that description); null to use what the detector saw
   */
  /**
   * A held policy the caller may read: 404 when the shard does not hold it or it is another tenant's,
   * alike (the read API's rule, for explain and backtest).
   */
  static LivePolicy readable(PolicyStore policies, String policyId) {
    LivePolicy p = policies.snapshot().byId().get(policyId);
    if (p == null) {
      CurrentCaller.reader();
      throw new ApiException(ErrorCode.NOT_FOUND, "policyId", "no policy " + policyId + " in this detector's shard");
    }
    CurrentCaller.readerOf(p.tenant(), "policy " + policyId);
    return p;
  }

  public Explanation explain(String policyId, String seriesHex, AlertEngine.SeriesIdentity described) {
    List<FieldProblem> problems = new ArrayList<>();
    if (policyId == null || policyId.isBlank()) {
      problems.add(new FieldProblem("policyId", "is required"));
    }
    if (seriesHex == null || !seriesHex.matches("[0-9a-f]{16}")) {
      problems.add(new FieldProblem("seriesId", "must be 16 lower-case hex digits"));
    }
    if (!problems.isEmpty()) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, problems);
    }
    LivePolicy p = readable(policies, policyId);
    long seriesId = Long.parseUnsignedLong(seriesHex, 16);
    AlertEngine.SeriesIdentity series = described;
    if (series != null && SeriesId.of(series.namespace(), series.region(), series.metric(), series.dimensions())
        != seriesId) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "seriesId",
          "is not the id of the namespace, region, metric and dimensions given");
    }
    if (series == null) {
      series = engine.identity(seriesId);
    }
    if (series == null) {
      Map<String, Object> alert = p.perObject() ? null : engine.describe(AlertKey.ofSeries(p.id(), seriesId).value());
      return new Explanation(p.id(), p.version(), p.enabled(), seriesHex, null, null, List.of(), alert);
    }
    // a policy judged per object keeps one alert for every metric of the series' object
    String alertKey = p.perObject()
        ? AlertKey.ofObject(p.id(), AlertEngine.objectOf(series.namespace(), series.region(), series.dimensions()))
            .value()
        : AlertKey.ofSeries(p.id(), seriesId).value();
    Map<String, Object> alert = engine.describe(alertKey);
    List<Check> checks = new ArrayList<>();
    checks.add(new Check("enabled", p.enabled(), p.enabled() ? "the policy is enabled" : "the policy is disabled"));
    checks.add(new Check("namespace", p.namespace().equals(series.namespace()),
        "the policy reads " + p.namespace() + ", the series is of " + series.namespace()));
    boolean metric = p.indexed() != null && p.indexed().metrics().contains(series.metric());
    checks.add(new Check("metric", metric, "the policy's conditions read "
        + (p.indexed() == null ? "no metric" : p.indexed().metrics()) + ", the series is " + series.metric()));
    String tenantValue = series.dimensions().get(p.tenantField());
    checks.add(new Check("tenant", p.tenant().equals(tenantValue), "the policy's tenant " + p.tenant()
        + " must be the series' " + p.tenantField() + " (" + tenantValue + ")"));
    for (int i = 0; i < p.body().filters().size(); i++) {
      Filter.Compiled f = p.body().filters().get(i).compile("filters[" + i + "]");
      Filter filter = f.filter();
      checks.add(new Check("filters[" + i + "]", f.test(series.dimensions()), filter.function() + " "
          + filter.field() + " " + filter.args() + " on " + filter.field() + "="
          + series.dimensions().get(filter.field())));
    }
    boolean matches = checks.stream().allMatch(Check::passed);
    return new Explanation(p.id(), p.version(), p.enabled(), seriesHex, series, matches, checks, alert);
  }
}
