package io.vigil.gateway.ingest;

import io.vigil.common.control.AccessConfigCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.FieldProblem;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.observability.MetricNames;
import io.vigil.common.points.PointBatchCodec;
import io.vigil.common.points.SeriesPartitioner;
import io.vigil.common.series.SeriesId;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks a batch of points against its namespace's access config, enriches the good ones (seriesId,
 * tenant, unit, shard, periods, grace), packs them into one record per partition of {@code
 * metrics.raw} and returns only once Kafka acknowledged every record. Good points are accepted and
 * bad ones listed (index, field, reason); a batch with no good point is refused whole.
 */
public class MetricsIngestor {

  /** One point as sent. */
  public record PointIn(String metric, Map<String, String> dimensions, Long timestampMs, Double value) {}

  /** The outcome: how many points are now in Kafka, and why each other one was refused. */
  public record Result(int accepted, List<Rejected> rejected) {}

  public record Rejected(int index, String field, String reason) {}

  /** The most points one request may carry (a remote-write request is 2,000 by default). */
  public static final int MAX_POINTS = 50_000;

  private final AccessConfigCache access;
  private final SeriesRegistry series;
  private final RateLimiter rateLimiter;
  private final IngestStats stats;
  private final VigilPublisher publisher;
  private final Clock clock;
  private final String region;
  private final Duration maxFuture;
  private final Duration ackTimeout;
  private final MeterRegistry registry;
  private final Map<String, Counter> accepted = new ConcurrentHashMap<>();
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

  public MetricsIngestor(AccessConfigCache access, SeriesRegistry series, RateLimiter rateLimiter, IngestStats stats,
      VigilPublisher publisher, Clock clock, String region, Duration maxFuture, Duration ackTimeout,
      MeterRegistry registry) {
    this.access = access;
    this.rateLimiter = rateLimiter;
    this.stats = stats;
    this.series = series;
    this.publisher = publisher;
    this.clock = clock;
    this.region = region;
    this.maxFuture = maxFuture;
    this.ackTimeout = ackTimeout;
    this.registry = registry;
  }

  public Result ingest(String product, String namespaceName, String requestRegion, List<PointIn> points) {
    NamespaceConfig ns = Handoff.ownNamespace(access, product, namespaceName);
    if (requestRegion != null && !requestRegion.equals(region)) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "region",
          "this gateway serves region " + region + ", not " + requestRegion);
    }
    if (points == null || points.isEmpty() || points.size() > MAX_POINTS) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, "points", "1 to " + MAX_POINTS + " points");
    }
    rateLimiter.take(product, points.size());
    long now = clock.millis();
    long oldest = now - ns.acceptedPastMs();
    long newest = now + maxFuture.toMillis();
    java.util.Set<String> declared = ns.dimensions(); // built once a request, not once a dimension
    int partitions = Topics.METRICS_RAW.partitions();
    PointBatchCodec.Writer[] writers = new PointBatchCodec.Writer[partitions];
    List<Rejected> refused = new ArrayList<>();
    Map<String, String> units = new java.util.HashMap<>();
    for (NamespaceConfig.Metric m : ns.metrics()) {
      units.put(m.name(), m.unit());
    }
    int ok = 0;
    List<Integer> goodIndex = new ArrayList<>();
    List<Long> goodIds = new ArrayList<>();
    List<Long> goodObjects = new ArrayList<>();
    List<Map<String, String>> goodDims = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      PointIn p = points.get(i);
      String at = "points[" + i + "]";
      String why = null;
      String code = null;
      String field = at;
      Map<String, String> dims = null;
      if (p == null) {
        why = "a point is required";
        code = "no_point";
      } else if (p.metric() == null || !units.containsKey(p.metric())) {
        field = at + ".metric";
        why = "'" + p.metric() + "' is not a metric of " + ns.name();
        code = "unknown_metric";
      } else if (p.value() == null || !Double.isFinite(p.value())) {
        field = at + ".value";
        why = "a finite number";
        code = "bad_value";
      } else if (p.timestampMs() == null || p.timestampMs() < oldest) {
        field = at + ".timestampMs";
        why = "older than the namespace accepts (" + ns.acceptedPastMs() / 1000 + " s)";
        code = "too_old";
      } else if (p.timestampMs() > newest) {
        field = at + ".timestampMs";
        why = "more than " + maxFuture.toMillis() + " ms in the future";
        code = "in_future";
      } else {
        DimensionCheck.Outcome checked = DimensionCheck.check(ns, declared, p.dimensions(), at);
        if (checked.ok()) {
          dims = checked.dimensions();
        } else {
          field = checked.field();
          why = checked.why();
          code = checked.code();
        }
      }
      if (why != null) {
        refused.add(new Rejected(i, field, why));
        countRejected(ns.name(), code);
        continue;
      }
      goodIndex.add(i);
      SeriesId.Ids ids = SeriesId.ofWithObject(ns.name(), region, p.metric(), dims);
      goodIds.add(ids.seriesId());
      goodObjects.add(ids.objectId());
      goodDims.add(dims);
    }
    // the namespace's cap on distinct series: known series flow, new ones past the cap are refused
    Set<Long> capped = goodIds.isEmpty() ? Set.of()
        : series.refused(ns.name(), ns.maxSeries(), new HashSet<>(goodIds));
    for (int g = 0; g < goodIndex.size(); g++) {
      int i = goodIndex.get(g);
      long seriesId = goodIds.get(g);
      if (capped.contains(seriesId)) {
        refused.add(new Rejected(i, "points[" + i + "]", ns.name() + " is at its cap of " + ns.maxSeries()
            + " series: new series are refused, known ones keep flowing"));
        countRejected(ns.name(), "series_cap");
        continue;
      }
      PointIn p = points.get(i);
      Map<String, String> dims = goodDims.get(g);
      // placed by the series' object: every metric of an instance on one partition, end to end
      int partition = SeriesPartitioner.partition(goodObjects.get(g), partitions);
      PointBatchCodec.Writer w = writers[partition];
      if (w == null) {
        w = writers[partition] = new PointBatchCodec.Writer(now, ns.name(), region, ns.shard(),
            new HashSet<>(ns.periods()), ns.graceMs());
      }
      w.add(seriesId, p.metric(), units.get(p.metric()), dims.get(ns.tenantDimension()), dims, p.timestampMs(),
          p.value());
      ok++;
    }
    refused.sort(java.util.Comparator.comparingInt(Rejected::index));
    if (ok == 0) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED,
          refused.stream().map(r -> new FieldProblem(r.field(), r.reason())).toList());
    }
    List<CompletableFuture<?>> sends = new ArrayList<>();
    for (int partition = 0; partition < partitions; partition++) {
      if (writers[partition] != null) {
        sends.add(publisher.publishPoints(partition, writers[partition].toBytes()));
      }
    }
    // the aggregator drops a point it already holds, so a retried batch doubles nothing
    Handoff.awaitAcks(sends, ackTimeout, "points");
    count(accepted, MetricNames.POINTS_ACCEPTED, ns.name(), ok);
    stats.accepted(ns.name(), ok);
    return new Result(ok, refused);
  }

  private void countRejected(String namespace, String reason) {
    stats.rejected(namespace, reason);
    rejected.computeIfAbsent(namespace + '\u0000' + reason, k -> Counter.builder(MetricNames.POINTS_REJECTED)
        .tag("namespace", namespace).tag("reason", reason).register(registry)).increment();
  }

  private void count(Map<String, Counter> counters, String name, String namespace, int n) {
    if (n > 0) {
      counters.computeIfAbsent(namespace, ns -> Counter.builder(name).tag("namespace", ns).register(registry))
          .increment(n);
    }
  }
}
