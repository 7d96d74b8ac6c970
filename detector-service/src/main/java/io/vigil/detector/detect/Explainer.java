package io.vigil.detector.detect;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.FieldProblem;
import io.vigil.common.security.CurrentCaller;
import io.vigil.common.semantics.Filter;
import io.vigil.common.series.AlertKey;
import io.vigil.common.series.SeriesId;
import io.vigil.common.services.ServiceClient;
import io.vigil.detector.policy.LivePolicy;
import io.vigil.detector.policy.PolicyStore;
import io.vigil.detector.shard.PartitionOwners;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Why a policy does or does not judge a series, and where its alert stands: each check the index
 * makes (namespace, metric, the tenant term, every filter with common's evaluator), the condition
 * counters and the alert state.
 *
 * <p>Several instances of a shard split its rollup partitions, and the counters and the alert live in
 * the memory of the one holding the series' partition. Asked for a series whose partition another
 * instance holds ({@link PartitionOwners}), an instance asks that one, with the caller's own
 * credential, and answers what it says; the owner answers from its memory ({@link Scope#INSTANCE}).
 * When no owner can be found or asked, the answer is this instance's, with a note saying so. Every
 * answer names the instance whose memory it came from and whether that instance holds the series.
 */
public final class Explainer {

  /** One check and whether the series passed it. */
  public record Check(String check, boolean passed, String detail) {}

  /**
   * @param series the series as its rollups described it (or as the caller did), null if unknown
   * @param matches whether the policy judges the series: every check passed
   * @param alert the alert's state in memory (status, sequence, conditions), null if none
   * @param held whether the answering instance holds the series' partition (null: the series is unknown)
   * @param answeredBy the address of the instance whose memory answered (null before it serves)
   * @param note why the alert state may be missing from the answer, or null
   */
  public record Explanation(String policyId, long policyVersion, boolean enabled, String seriesId,
      AlertEngine.SeriesIdentity series, Boolean matches, List<Check> checks, Map<String, Object> alert,
      Boolean held, String answeredBy, String note) {

    Explanation noted(String why) {
      return new Explanation(policyId, policyVersion, enabled, seriesId, series, matches, checks, alert, held,
          answeredBy, why);
    }
  }

  /** Where an answer may come from: the instance holding the series (the default), or only the one asked. */
  public enum Scope { SHARD, INSTANCE }

  /** Asks another instance of the shard for its own answer ({@link Scope#INSTANCE}). */
  public interface Peers {
    /** The partition of the shard's rollup topic that carries an object's series. */
    int partitionOf(long objectId);

    /**
     * Each instance's answer, in the order given; the explanation is asked as {@code query} says, with
     * the caller's {@code authorization}.
     */
    List<Answer> ask(List<String> addresses, URI query, String authorization);
  }

  /** An instance's explanation, or why there is none (it did not answer in time, or answered an error). */
  public record Answer(Explanation explanation, String problem) {}

  private final PolicyStore policies;
  private final AlertEngine engine;
  private final PartitionOwners owners;
  private final Peers peers;
  private final Map<String, Counter> answers = new java.util.HashMap<>();

  /** An explainer that answers from this instance's memory only (tests of one instance). */
  public Explainer(PolicyStore policies, AlertEngine engine) {
    this(policies, engine, null, null, null);
  }

  public Explainer(PolicyStore policies, AlertEngine engine, PartitionOwners owners, Peers peers,
      MeterRegistry registry) {
    this.policies = policies;
    this.engine = engine;
    this.owners = owners;
    this.peers = peers;
    for (String a : List.of("here", "owner", "owner_unknown", "owner_unreachable", "instance")) {
      answers.put(a, registry == null ? null : Counter.builder("vigil.detector.explain").tag("answer", a)
          .description("explain answers by where they came from: this instance holding the series, the"
              + " instance that holds it, this one because no holder could be found or asked, or this one"
              + " as asked by a peer").register(registry));
    }
  }

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

  /** As {@link #explain(String, String, AlertEngine.SeriesIdentity, Scope, String)} from this memory only. */
  public Explanation explain(String policyId, String seriesHex, AlertEngine.SeriesIdentity described) {
    return explain(policyId, seriesHex, described, Scope.INSTANCE, null);
  }

  /**
   * @param described the series as the caller describes it, for one this detector has not seen (its
   *     id must be the series id of that description); null to use what the detector saw
   * @param authorization the caller's {@code Authorization} header, sent on to the instance asked
   */
  public Explanation explain(String policyId, String seriesHex, AlertEngine.SeriesIdentity described, Scope scope,
      String authorization) {
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
    if (described != null && SeriesId.of(described.namespace(), described.region(), described.metric(),
        described.dimensions()) != seriesId) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "seriesId",
          "is not the id of the namespace, region, metric and dimensions given");
    }
    AlertEngine.SeriesIdentity seen = engine.identity(seriesId);
    AlertEngine.SeriesIdentity series = described != null ? described : seen;
    if (scope == Scope.INSTANCE || owners == null || peers == null) {
      count("instance");
      Integer partition = series == null || peers == null ? null : partitionOf(series);
      return local(p, seriesHex, seriesId, series, partition == null ? null : engine.holds(partition));
    }
    if (seen != null) {
      count("here");
      return local(p, seriesHex, seriesId, series, true);
    }
    URI query = query(policyId, seriesHex, described);
    if (series == null) {
      // known neither here nor by the caller: whichever instance has seen it answers
      List<String> others = List.copyOf(owners.others());
      List<Answer> answered = others.isEmpty() ? List.of() : peers.ask(others, query, authorization);
      for (Answer a : answered) {
        if (a.explanation() != null && a.explanation().series() != null) {
          count("owner");
          return a.explanation();
        }
      }
      count("owner_unknown");
      boolean silent = answered.stream().anyMatch(a -> a.explanation() == null);
      return local(p, seriesHex, seriesId, null, null).noted(silent
          ? "no instance of the shard that answered has seen this series, and some did not answer"
          : "no instance of the shard has seen this series");
    }
    Integer partition = partitionOf(series);
    if (partition == null) {
      count("owner_unknown");
      return local(p, seriesHex, seriesId, series, null).noted(
          "the series' partition cannot be told (Kafka's metadata): this instance's memory answered");
    }
    if (engine.holds(partition)) {
      count("here");
      return local(p, seriesHex, seriesId, series, true);
    }
    String owner = owners.owner(partition);
    if (owner == null) {
      count("owner_unknown");
      return local(p, seriesHex, seriesId, series, false).noted("no instance of the shard says it holds partition "
          + partition + " of its rollups now (a rebalance, or Redis unreachable): the alert state is not known here");
    }
    Answer a = peers.ask(List.of(owner), query, authorization).get(0);
    if (a.explanation() == null) {
      count("owner_unreachable");
      return local(p, seriesHex, seriesId, series, false).noted("the instance holding partition " + partition
          + " of the shard's rollups (" + owner + ") " + a.problem() + ": the alert state is not known here");
    }
    if (!Boolean.TRUE.equals(a.explanation().held())) {
      // it let the partition go since it wrote that it holds it (a rebalance in progress)
      count("owner_unknown");
      return a.explanation().noted("the instance named as holding partition " + partition + " (" + owner
          + ") no longer holds it (a rebalance in progress): ask again in a few seconds");
    }
    count("owner");
    return a.explanation();
  }

  private void count(String answer) {
    Counter c = answers.get(answer);
    if (c != null) {
      c.increment();
    }
  }

  /** The question an instance asks a peer: the same, answered from the peer's memory. */
  private static URI query(String policyId, String seriesHex, AlertEngine.SeriesIdentity described) {
    UriComponentsBuilder b = UriComponentsBuilder.fromPath("/v1/explain").queryParam("policyId", policyId)
        .queryParam("seriesId", seriesHex).queryParam("scope", "instance");
    if (described != null) {
      b.queryParam("namespace", described.namespace()).queryParam("region", described.region())
          .queryParam("metric", described.metric());
      described.dimensions().forEach((k, v) -> b.queryParam("dimension", k + "=" + v));
    }
    return ServiceClient.encoded(b);
  }

  /** The partition of the shard's rollups that carries the series, or null when Kafka's metadata cannot be had. */
  private Integer partitionOf(AlertEngine.SeriesIdentity series) {
    try {
      return peers.partitionOf(SeriesId.objectOf(series.namespace(), series.region(), series.dimensions()));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** This instance's answer; {@code held} as the caller found it (null: not known). */
  private Explanation local(LivePolicy p, String seriesHex, long seriesId, AlertEngine.SeriesIdentity series,
      Boolean held) {
    String self = owners == null ? null : owners.self();
    if (series == null) {
      Map<String, Object> alert = p.perObject() ? null : engine.describe(AlertKey.ofSeries(p.id(), seriesId).value());
      return new Explanation(p.id(), p.version(), p.enabled(), seriesHex, null, null, List.of(), alert,
          alert != null ? Boolean.TRUE : null, self, null);
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
    return new Explanation(p.id(), p.version(), p.enabled(), seriesHex, series, matches, checks, alert, held, self,
        null);
  }
}
