package io.vigil.detector.detect;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.FilterSpec;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.Violations;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.security.CurrentCaller;
import io.vigil.common.series.SeriesId;
import io.vigil.common.services.ServiceClient;
import io.vigil.detector.condition.ConditionRule;
import io.vigil.detector.condition.ConditionState;
import io.vigil.detector.condition.ThresholdStreak;
import io.vigil.detector.policy.LivePolicy;
import io.vigil.detector.policy.PolicyStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A dry run: a policy, saved or not, over the recent past of storage's data, judged by the same
 * condition evaluator and combination the live detector uses, answering what would have fired and
 * resolved. Storage is read with this service's credential; the policy's tenant term is added to
 * every query, so a backtest sees only the policy's tenant's series.
 */
public final class Backtester {

  public static final int DEFAULT_MINUTES = 60;
  public static final int MAX_MINUTES = 1440;
  /** Series per condition read from storage (storage's own cap per query). */
  public static final int MAX_SERIES = 1000;

  /**
   * @param policyId a saved policy of this detector's shard; or absent, with {@code tenant} and
   *     {@code policy}
   * @param minutes how far back, 1 to 1440 (default 60)
   */
  public record Request(String policyId, String tenant, AlertPolicy policy, Integer minutes) {}

  /**
   * A transition that would have happened: of a series, or for a policy judged per object (conditions
   * on several metrics, ALL) of an object, whose dimensions are those of its series.
   */
  public record Transition(String seriesId, String objectId, Map<String, String> dimensions, AlertStatus status,
      long windowStartMs, Double value, int condition) {}

  /**
   * @param truncated a condition matched more series than were read ({@value #MAX_SERIES})
   * @param skipped windows a condition could not judge, by reason
   */
  public record Result(String policyId, long fromMs, long toMs, int seriesJudged, boolean truncated,
      List<Transition> transitions, Map<String, Integer> skipped) {}

  /** Storage's answer to a series query, as far as a backtest reads it. */
  record StorageResult(long stepMs, boolean truncated, List<StorageSeries> series) {}

  record StorageSeries(String seriesId, String namespace, String region, Map<String, String> dimensions,
      List<StoragePoint> points) {}

  record StoragePoint(long t, Double v) {}

  private final PolicyStore policies;
  private final ServiceClient storage;
  private final DependencyMetrics dependencies;
  private final Clock clock;

  public Backtester(PolicyStore policies, ServiceClient storage, DependencyMetrics dependencies, Clock clock) {
    this.policies = policies;
    this.storage = storage;
    this.dependencies = dependencies;
    this.clock = clock;
  }

  public Result run(Request request) {
    if (request == null) {
      throw new ApiException(ErrorCode.MALFORMED_BODY, null, "a JSON body is required");
    }
    int minutes = request.minutes() == null ? DEFAULT_MINUTES : request.minutes();
    if (minutes < 1 || minutes > MAX_MINUTES) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "minutes", "between 1 and " + MAX_MINUTES);
    }
    LivePolicy p = policy(request);
    if (p.rules().isEmpty()) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "policy.conditions",
          "a backtest runs conditions; this policy has event rules only");
    }
    long now = clock.millis();
    Map<String, Integer> skipped = new TreeMap<>();
    // series (or object) -> window -> (rule, value, seriesId)
    Map<Long, Map<Long, List<Object[]>>> byWindow = new HashMap<>();
    Map<Long, StorageSeries> seen = new HashMap<>();
    boolean truncated = false;
    long from = Long.MAX_VALUE;
    long to = 0;
    for (ConditionRule rule : p.rules()) {
      long periodMs = rule.periodSeconds() * 1000L;
      long ruleTo = Math.floorDiv(now, periodMs) * periodMs;
      long ruleFrom = ruleTo - Math.max(periodMs, minutes * 60_000L / periodMs * periodMs);
      from = Math.min(from, ruleFrom);
      to = Math.max(to, ruleTo);
      StorageResult r = storage.post("/v1/series/query", query(p, rule, ruleFrom, ruleTo), StorageResult.class);
      truncated |= r.truncated() || r.series().size() >= MAX_SERIES;
      for (StorageSeries s : r.series()) {
        long seriesId = Long.parseUnsignedLong(s.seriesId(), 16);
        long id = p.perObject() ? SeriesId.objectOf(s.namespace(), s.region(), s.dimensions()) : seriesId;
        seen.put(id, s);
        for (StoragePoint point : s.points()) {
          byWindow.computeIfAbsent(id, k -> new TreeMap<>()).computeIfAbsent(point.t(), k -> new ArrayList<>())
              .add(new Object[] {rule, point.v() == null ? Double.NaN : point.v(), seriesId});
        }
      }
    }
    Baselines baselines = baselines(p, byWindow);
    List<Transition> transitions = new ArrayList<>();
    ConditionRule.Skip[] why = new ConditionRule.Skip[1];
    for (var series : byWindow.entrySet()) {
      AlertState s = new AlertState("backtest", p.id(), series.getKey(), null, -1);
      s.conditions = new ConditionState[p.rules().size()];
      for (var window : series.getValue().entrySet()) {
        ConditionRule cause = null;
        for (Object[] rv : window.getValue()) {
          ConditionRule rule = (ConditionRule) rv[0];
          ConditionState c = s.conditions[rule.index()];
          if (c == null) {
            c = s.conditions[rule.index()] = rule.newState();
          }
          if (rule.observe(c, (long) rv[2], window.getKey(), (double) rv[1], why, baselines)
              != ThresholdStreak.Change.NONE) {
            cause = rule;
          }
          if (why[0] != ConditionRule.Skip.NONE) {
            skipped.merge(why[0].name().toLowerCase(Locale.ROOT), 1, Integer::sum);
          }
        }
        if (cause == null) {
          continue;
        }
        boolean holds = AlertEngine.holds(p, s);
        AlertStatus next = holds && s.status != AlertStatus.FIRING ? AlertStatus.FIRING
            : !holds && s.status == AlertStatus.FIRING ? AlertStatus.RESOLVED : null;
        if (next != null) {
          s.status = next == AlertStatus.FIRING ? AlertStatus.FIRING : null;
          double v = s.conditions[cause.index()].lastJudged();
          StorageSeries info = seen.get(series.getKey());
          transitions.add(new Transition(p.perObject() ? null : info.seriesId(),
              p.perObject() ? SeriesId.hex(series.getKey()) : null, info.dimensions(), next, window.getKey(),
              Double.isFinite(v) ? v : null, cause.index()));
        }
      }
    }
    transitions.sort(java.util.Comparator.comparingLong(Transition::windowStartMs)
        .thenComparing(t -> t.seriesId() != null ? t.seriesId() : t.objectId()));
    return new Result(p.id(), from, to, byWindow.size(), truncated, transitions, skipped);
  }

  /** The windows a day or a week back that 同比 conditions need, asked of storage up front. */
  private Baselines baselines(LivePolicy p, Map<Long, Map<Long, List<Object[]>>> byWindow) {
    Map<Baselines.WindowKey, Set<Long>> needed = new HashMap<>();
    for (var series : byWindow.entrySet()) {
      for (var window : series.getValue().entrySet()) {
        for (Object[] rv : window.getValue()) {
          ConditionRule rule = (ConditionRule) rv[0];
          if (rule.baselineOffsetMs() > 0) {
            needed.computeIfAbsent(new Baselines.WindowKey(rule.periodSeconds(),
                window.getKey() - rule.baselineOffsetMs()), k -> new java.util.HashSet<>()).add((long) rv[2]);
          }
        }
      }
    }
    Baselines b = new Baselines(storage, dependencies, needed.size() + 1);
    if (!needed.isEmpty()) {
      b.prefetch(needed);
    }
    return b;
  }

  private static Map<String, Object> query(LivePolicy p, ConditionRule rule, long from, long to) {
    List<Object> filters = new ArrayList<>();
    filters.add(filter(new FilterSpec("Equal", p.tenantField(), p.tenant())));
    for (FilterSpec f : p.body().filters()) {
      filters.add(filter(f));
    }
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("namespace", p.namespace());
    q.put("metric", rule.metric());
    q.put("period", rule.periodSeconds());
    q.put("statistic", rule.condition().statistic().name().toLowerCase(Locale.ROOT));
    q.put("fromMs", from);
    q.put("toMs", to);
    q.put("filters", filters);
    q.put("maxPoints", (int) Math.min(11_000, (to - from) / (rule.periodSeconds() * 1000L) + 1));
    q.put("maxSeries", MAX_SERIES);
    return q;
  }

  private static Map<String, Object> filter(FilterSpec f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Function", f.function());
    m.put("Field", f.field());
    m.put("Args", f.args());
    return m;
  }

  /** The saved policy (the caller must read its tenant), or the unsaved one checked as the policy API would. */
  private LivePolicy policy(Request request) {
    if (request.policyId() != null) {
      return Explainer.readable(policies, request.policyId());
    }
    Violations v = new Violations();
    v.check(request.tenant() != null && !request.tenant().isBlank(), "tenant", "the tenant an unsaved policy is for");
    v.check(request.policy() != null, "policy", "a policy, or the policyId of a saved one");
    v.throwIfAny();
    CurrentCaller.readerOf(request.tenant(), "tenant " + request.tenant());
    AlertPolicy body = request.policy().withDefaults();
    NamespaceConfig ns = policies.namespace(body.namespace());
    v.check(ns != null, "policy.namespace", "no namespace " + body.namespace());
    v.throwIfAny();
    Violations fields = new Violations();
    body.validate(fields, ns);
    List<io.vigil.common.error.FieldProblem> problems = fields.list().stream()
        .map(f -> new io.vigil.common.error.FieldProblem("policy." + f.field(), f.reason())).toList();
    if (!problems.isEmpty()) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, problems);
    }
    return LivePolicy.of("backtest", request.tenant(), 0, true, body, ns);
  }
}
