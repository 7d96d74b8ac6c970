package io.vigil.storage.query;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregation;
import co.elastic.clients.elasticsearch._types.aggregations.LongTermsBucket;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.MgetResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import co.elastic.clients.util.NamedValue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.FieldProblem;
import io.vigil.common.semantics.Filter;
import io.vigil.common.semantics.FilterFunction;
import io.vigil.common.series.SeriesId;
import io.vigil.storage.history.HistoryIndices;
import io.vigil.storage.rollup.MinuteBlock;
import io.vigil.storage.rollup.RollupIndices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.annotation.JsonSerialize;

/**
 * Series queries against the rollup indices, answered with Elasticsearch aggregations so the cost
 * follows the points returned, not the windows read:
 *
 * <ol>
 *   <li>the candidate series (namespace, metric, period, range, the caller's tenants, and the Equal
 *       and In filters Elasticsearch can apply) with one document's identity each, then common's
 *       filter evaluator over their dimensions, so every function means exactly what it means in a
 *       policy;
 *   <li>for the chosen series, per step: Σsum and Σcount (avg = Σsum/Σcount, never an average of
 *       averages), min of min, max of max, Σcount, or the last of the latest window; for 60 s
 *       rollups, closed hours from their hour blocks ({@link BlockSearch}) and the rest from the
 *       rollups;
 *   <li>late points of the same series and range added to the steps they fall in, which are then
 *       marked late (a late point does not change {@code last}: its window's own last stands).
 * </ol>
 *
 * Every query is bounded: the range by the period's retention, the points by {@code maxPoints}
 * (the step grows in whole periods), the series by {@code maxSeries} (more matches: {@code
 * truncated}), the candidates looked at by {@link #MAX_CANDIDATES} (more: 400, narrow the query),
 * and series x steps by {@code vigil.storage.query.max-total-points} (more: 400).
 */
public final class SeriesQueries {

  public static final int MAX_CANDIDATES = 10_000;
  public static final int MAX_POINTS = 11_000;
  public static final int MAX_SERIES = 1_000;
  public static final int MAX_BATCH = 1_000;
  /**
   * Ranges shorter than this read no blocks: at most one closed hour in them, not worth a round trip.
   * Nor do steps of an hour or more: their buckets are few, and a block fetched costs about what
   * collecting its hour's minutes into a bucket does.
   */
  static final long BLOCKS_FROM_MS = 2 * MinuteBlock.HOUR_MS;

  private final ElasticsearchClient client;
  private final StepSearch stepSearch;
  private final SeriesIdentities identities;
  private final RollupIndices rollups;
  private final HistoryIndices history;
  private final long maxTotalPoints;
  private final BlockSearch blockSearch;
  private final int maxBlocks;
  private final Counter blockHours;

  /**
   * {@code minuteBlocks}: where hour blocks of 60 s rollups are (null: queries read only rollups);
   * {@code maxBlocks}: the most blocks one query reads (more: it reads the minutes).
   */
  public SeriesQueries(ElasticsearchClient client, RollupIndices rollups, HistoryIndices history,
      MeterRegistry registry, int maxBuckets, int identitiesRemembered, long maxTotalPoints,
      io.vigil.storage.history.IndexFamily minuteBlocks, int maxBlocks) {
    this.maxTotalPoints = maxTotalPoints;
    this.blockSearch = minuteBlocks == null ? null : new BlockSearch(client, minuteBlocks);
    this.maxBlocks = maxBlocks;
    this.blockHours = Counter.builder("vigil_storage_query_block_hours_total")
        .description("series hours a query read as one block instead of their minutes").register(registry);
    this.client = client;
    Counter recounted = Counter.builder("vigil_storage_series_recounted_total")
        .description("series a query read again with a sum of count: documents written without _doc_count")
        .register(registry);
    this.stepSearch = new StepSearch(client, maxBuckets, recounted::increment);
    this.identities = new SeriesIdentities(identitiesRemembered, registry);
    this.rollups = rollups;
    this.history = history;
  }

  /** One returned point: the step's start, its value, and whether late points are in it. */
  public record Point(long t, double v, Boolean late) {}

  /** One returned series; its points are a {@link Points} when this class made them. */
  public record Series(String seriesId, String namespace, String metric, String region,
      Map<String, String> dimensions, @JsonSerialize(using = Points.Writer.class) List<Point> points) {}

  /** A query's answer. */
  public record Result(int period, String statistic, long stepMs, long fromMs, long toMs, boolean truncated,
      List<Series> series) {}

  /** A checked query. */
  record Checked(String namespace, String metric, String region, int period, Statistic statistic, long fromMs,
      long toMs, List<Filter.Compiled> filters, int maxPoints, int maxSeries, long stepMs) {}

  Checked check(SeriesRequest r) {
    if (r == null) {
      throw new ApiException(ErrorCode.MALFORMED_BODY, null, "a JSON body is required");
    }
    List<FieldProblem> problems = new ArrayList<>();
    text(problems, "namespace", r.namespace());
    text(problems, "metric", r.metric());
    if (r.region() != null && (r.region().isBlank() || r.region().length() > 256)) {
      problems.add(new FieldProblem("region", "must be 1..256 characters when given"));
    }
    if (r.period() == null || !rollups.periods().contains(r.period())) {
      problems.add(new FieldProblem("period", "must be one of " + rollups.periods()));
    }
    Statistic stat = r.statistic() == null ? Statistic.AVG : Statistic.of(r.statistic());
    if (stat == null) {
      problems.add(new FieldProblem("statistic", "must be one of avg, sum, min, max, count, last"));
    }
    int maxPoints = r.maxPoints() == null ? 1000 : r.maxPoints();
    if (maxPoints < 1 || maxPoints > MAX_POINTS) {
      problems.add(new FieldProblem("maxPoints", "must be 1.." + MAX_POINTS));
    }
    int maxSeries = r.maxSeries() == null ? 100 : r.maxSeries();
    if (maxSeries < 1 || maxSeries > MAX_SERIES) {
      problems.add(new FieldProblem("maxSeries", "must be 1.." + MAX_SERIES));
    }
    TimeRange.check(problems, r.fromMs(), r.toMs(), r.period() != null && rollups.periods().contains(r.period())
        ? rollups.retention(r.period()).keep() : null);
    List<Filter.Compiled> filters = new ArrayList<>();
    if (r.filters() != null) {
      if (r.filters().size() > 50) {
        problems.add(new FieldProblem("filters", "at most 50 filters"));
      } else {
        for (int i = 0; i < r.filters().size(); i++) {
          Map<String, Object> f = r.filters().get(i);
          String path = "filters[" + i + "]";
          if (f == null) {
            problems.add(new FieldProblem(path, "a filter is an object"));
            continue;
          }
          try {
            filters.add(Filter.compile(path, f.get("Function") instanceof String s ? s : null,
                f.get("Field") instanceof String s ? s : null, f.get("Args")));
          } catch (ApiException e) {
            problems.add(new FieldProblem(e.field(), e.getMessage()));
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, problems);
    }
    long periodMs = r.period() * 1000L;
    long windows = (r.toMs() - r.fromMs() + periodMs - 1) / periodMs;
    long stepMs = (windows + maxPoints - 1) / maxPoints * periodMs;
    return new Checked(r.namespace(), r.metric(), r.region(), r.period(), stat, r.fromMs(), r.toMs(), filters,
        maxPoints, maxSeries, stepMs);
  }

  private static void text(List<FieldProblem> problems, String field, String value) {
    if (value == null || value.isBlank() || value.length() > 256) {
      problems.add(new FieldProblem(field, "is required, 1..256 characters"));
    }
  }

  /** Runs a series query for a caller limited to these tenants (empty: every tenant). */
  public Result query(SeriesRequest request, Optional<Set<String>> tenants) throws IOException {
    Checked q = check(request);
    List<String> indices = rollups.indicesFor(q.period(), q.fromMs(), q.toMs());
    List<Query> base = new ArrayList<>();
    base.add(term("namespace", q.namespace()));
    base.add(term("metric", q.metric()));
    base.add(Query.of(x -> x.term(t -> t.field("periodSeconds").value(q.period()))));
    if (q.region() != null) {
      base.add(term("region", q.region()));
    }
    tenants.ifPresent(set -> base.add(terms("tenant", set)));
    List<Query> narrowing = new ArrayList<>(base);
    narrowing.add(range("windowStartMs", q.fromMs(), q.toMs()));
    for (Filter.Compiled f : q.filters()) {
      Filter filter = f.filter();
      if (filter.function() == FilterFunction.Equal) {
        narrowing.add(term("dimensions." + filter.field(), filter.args().get(0)));
      } else if (filter.function() == FilterFunction.In) {
        narrowing.add(terms("dimensions." + filter.field(), filter.args()));
      }
    }

    // 1. candidates, and common's evaluator over their dimensions
    SearchResponse<Void> found = client.search(s -> s.index(indices).ignoreUnavailable(true).allowNoIndices(true)
        .size(0).query(x -> x.bool(b -> b.filter(narrowing)))
        .aggregations("series", a -> a.terms(t -> t.field("seriesId").size(MAX_CANDIDATES))), Void.class);
    Aggregate seriesAgg = found.aggregations().get("series");
    if (seriesAgg == null) {
      return new Result(q.period(), q.statistic().word(), q.stepMs(), q.fromMs(), q.toMs(), false, List.of());
    }
    if (seriesAgg.lterms().sumOtherDocCount() != null && seriesAgg.lterms().sumOtherDocCount() > 0) {
      throw new ApiException(ErrorCode.INVALID_PARAMETER, "filters", "more than " + MAX_CANDIDATES
          + " series have this metric in the range; narrow the query with Equal or In filters");
    }
    Map<Long, SeriesIdentities.Identity> candidates = identities(indices, narrowing,
        seriesAgg.lterms().buckets().array().stream().map(LongTermsBucket::key).toList());
    TreeMap<Long, Series> chosen = new TreeMap<>(Long::compareUnsigned);
    boolean truncated = false;
    candidates.forEach((id, identity) -> {
      if (Filter.all(q.filters(), identity.dimensions())) {
        chosen.put(id, new Series(SeriesId.hex(id), identity.namespace(), identity.metric(), identity.region(),
            identity.dimensions(), new Points(0)));
      }
    });
    while (chosen.size() > q.maxSeries()) {
      chosen.pollLastEntry();
      truncated = true;
    }
    if (chosen.isEmpty()) {
      return new Result(q.period(), q.statistic().word(), q.stepMs(), q.fromMs(), q.toMs(), false, List.of());
    }
    checkTotal(chosen.size(), q, maxTotalPoints);

    // 2. the chosen series' steps (closed hours of minutes from their blocks, the rest from the
    // rollups), and 3. late points in the same steps, the last two in one request
    List<Long> ids = List.copyOf(chosen.keySet());
    Map<Long, BlockSearch.Covered> covered = Map.of();
    long hours = (q.toMs() - MinuteBlock.hourOf(q.fromMs()) + MinuteBlock.HOUR_MS - 1) / MinuteBlock.HOUR_MS;
    if (blockSearch != null && q.period() == 60 && q.toMs() - q.fromMs() >= BLOCKS_FROM_MS
        && q.stepMs() < MinuteBlock.HOUR_MS && ids.size() * hours <= maxBlocks) {
      covered = blockSearch.read(ids, q.statistic(), q.fromMs(), q.toMs(), q.stepMs(), tenants);
    }
    // the minutes around each series' blocks: before its first (heads, by where that is) and from its
    // frontier on (tails, by frontier; the whole range for series without blocks), a part per group
    TreeMap<Long, List<Long>> heads = new TreeMap<>();
    TreeMap<Long, List<Long>> tails = new TreeMap<>();
    for (Long id : ids) {
      BlockSearch.Covered c = covered.get(id);
      if (c == null) {
        tails.computeIfAbsent(q.fromMs(), f -> new ArrayList<>()).add(id);
        continue;
      }
      blockHours.increment((c.frontierMs() - MinuteBlock.hourOf(c.startMs()) + MinuteBlock.HOUR_MS - 1)
          / MinuteBlock.HOUR_MS);
      if (c.startMs() > q.fromMs()) {
        heads.computeIfAbsent(c.startMs(), f -> new ArrayList<>()).add(id);
      }
      if (c.frontierMs() < q.toMs()) {
        tails.computeIfAbsent(c.frontierMs(), f -> new ArrayList<>()).add(id);
      }
    }
    List<StepSearch.Part> parts = new ArrayList<>();
    heads.forEach((end, group) -> parts.add(minutes(q, base, q.fromMs(), end, indices, group)));
    tails.forEach((from, group) -> parts.add(minutes(q, base, from, q.toMs(), indices, group)));
    List<Query> lateQuery = new ArrayList<>();
    lateQuery.add(term("namespace", q.namespace()));
    lateQuery.add(term("metric", q.metric()));
    if (q.region() != null) {
      lateQuery.add(term("region", q.region()));
    }
    tenants.ifPresent(set -> lateQuery.add(terms("tenant", set)));
    lateQuery.add(range("timestampMs", q.fromMs(), q.toMs()));
    parts.add(new StepSearch.Part(history.latePoints().indicesFor(q.fromMs(), q.toMs()), lateQuery, "timestampMs",
        true));
    List<Map<Long, Steps>> read = stepSearch.run(parts, q.statistic(), q.fromMs(), q.toMs(), q.stepMs(),
        q.period() * 1000L, ids);
    Map<Long, Steps> late = read.get(read.size() - 1);
    Map<Long, Steps> before = new HashMap<>();
    Map<Long, Steps> steps = new HashMap<>();
    for (int i = 0; i < read.size() - 1; i++) {
      (i < heads.size() ? before : steps).putAll(read.get(i));
    }
    covered.forEach((id, c) -> steps.put(id, BlockSearch.join(BlockSearch.join(before.get(id), c.steps()),
        steps.get(id))));

    for (var e : chosen.entrySet()) {
      Steps own = steps.get(e.getKey());
      Steps extra = late.get(e.getKey());
      Points points = (Points) e.getValue().points();
      if (extra == null) {
        // the common case: no late point, and the steps already in time order
        points.reserve(own == null ? 0 : own.size());
        for (int i = 0; own != null && i < own.size(); i++) {
          double v = value(q.statistic(), own, i);
          if (!Double.isNaN(v)) {
            points.add(own.at(i), v, false);
          }
        }
        continue;
      }
      // both in time order: merged step by step; a step only late points fill has no last
      int i = 0;
      int j = 0;
      int ownSize = own == null ? 0 : own.size();
      while (i < ownSize || j < extra.size()) {
        long at;
        double v;
        boolean isLate;
        if (j >= extra.size() || (i < ownSize && own.at(i) < extra.at(j))) {
          at = own.at(i);
          v = value(q.statistic(), own.aggregates(i++));
          isLate = false;
        } else if (i >= ownSize || extra.at(j) < own.at(i)) {
          at = extra.at(j);
          v = q.statistic() == Statistic.LAST ? Double.NaN : value(q.statistic(), extra, j);
          j++;
          isLate = true;
        } else {
          at = own.at(i);
          v = value(q.statistic(), merge(own.aggregates(i++), extra.aggregates(j++)));
          isLate = true;
        }
        if (!Double.isNaN(v)) {
          points.add(at, v, isLate);
        }
      }
    }
    return new Result(q.period(), q.statistic().word(), q.stepMs(), q.fromMs(), q.toMs(), truncated,
        List.copyOf(chosen.values()));
  }

  /** The part of a query reading the rollups of {@code ids} in [fromMs, toMs), a part of the query's range. */
  private StepSearch.Part minutes(Checked q, List<Query> base, long fromMs, long toMs, List<String> indices,
      List<Long> ids) {
    List<Query> exact = new ArrayList<>(base);
    exact.add(range("windowStartMs", fromMs, toMs));
    return new StepSearch.Part(fromMs == q.fromMs() && toMs == q.toMs() ? indices
        : rollups.indicesFor(q.period(), fromMs, toMs), exact, "windowStartMs", false, ids);
  }

  /**
   * The identities of these series ids, in their order: remembered ones from {@link SeriesIdentities},
   * the rest read with a document each (one search for all of them) and remembered.
   */
  private Map<Long, SeriesIdentities.Identity> identities(List<String> indices, List<Query> narrowing, List<Long> ids)
      throws IOException {
    Map<Long, SeriesIdentities.Identity> out = new LinkedHashMap<>();
    List<Long> unknown = new ArrayList<>();
    for (Long id : ids) {
      SeriesIdentities.Identity known = identities.get(id);
      out.put(id, known);
      if (known == null) {
        unknown.add(id);
      }
    }
    if (unknown.isEmpty()) {
      return out;
    }
    List<Query> those = new ArrayList<>(narrowing);
    those.add(Query.of(x -> x.terms(t -> t.field("seriesId").terms(v -> v.value(unknown.stream()
        .map(FieldValue::of).toList())))));
    SearchResponse<Void> found = client.search(s -> s.index(indices).ignoreUnavailable(true).allowNoIndices(true)
        .size(0).query(x -> x.bool(b -> b.filter(those)))
        .aggregations("series", a -> a.terms(t -> t.field("seriesId").size(unknown.size()))
            .aggregations("about", about -> about.topHits(h -> h.size(1)
                .source(src -> src.filter(f -> f.includes("namespace", "metric", "region", "dimensions")))))),
        Void.class);
    Aggregate agg = found.aggregations().get("series");
    if (agg != null) {
      for (LongTermsBucket b : agg.lterms().buckets().array()) {
        @SuppressWarnings("unchecked")
        Map<String, Object> about = b.aggregations().get("about").topHits().hits().hits().get(0).source()
            .to(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, String> dims = about.get("dimensions") instanceof Map<?, ?> m
            ? Map.copyOf((Map<String, String>) m) : Map.of();
        SeriesIdentities.Identity identity = new SeriesIdentities.Identity((String) about.get("namespace"),
            (String) about.get("metric"), (String) about.get("region"), dims);
        identities.put(b.key(), identity);
        out.put(b.key(), identity);
      }
    }
    out.values().removeIf(java.util.Objects::isNull); // gone between the two searches (retention): left out
    return out;
  }

  /**
   * Refuses a query whose series could hold more than {@code maxTotalPoints} steps in all (a step
   * more than the range holds: histogram buckets align to the epoch, not to the range's start).
   */
  static void checkTotal(int series, Checked q, long maxTotalPoints) {
    long steps = (q.toMs() - q.fromMs() + q.stepMs() - 1) / q.stepMs() + 1;
    if (series * steps > maxTotalPoints) {
      throw new ApiException(ErrorCode.INVALID_PARAMETER, "maxPoints", "the query would read up to " + series * steps
          + " points (" + series + " series x " + steps + " steps), more than the " + maxTotalPoints
          + " one query may: lower maxPoints or maxSeries, shorten the range or narrow the filters");
    }
  }

  private static double[] merge(double[] own, double[] late) {
    return new double[] {own[0] + late[0], own[1] + late[1], BlockSearch.minOf(own[2], late[2]),
        BlockSearch.maxOf(own[3], late[3]), own[4], own[5]};
  }

  private static double value(Statistic s, Steps steps, int i) {
    return switch (s) {
      case AVG -> steps.get(i, Steps.COUNT) == 0 ? Double.NaN : steps.get(i, Steps.SUM) / steps.get(i, Steps.COUNT);
      case SUM -> steps.get(i, Steps.SUM);
      case COUNT -> steps.get(i, Steps.COUNT);
      case MIN -> steps.get(i, Steps.MIN);
      case MAX -> steps.get(i, Steps.MAX);
      case LAST -> steps.get(i, Steps.LAST);
    };
  }

  private static double value(Statistic s, double[] acc) {
    return switch (s) {
      case AVG -> acc[1] == 0 ? Double.NaN : acc[0] / acc[1];
      case SUM -> acc[0];
      case COUNT -> acc[1];
      case MIN -> acc[2];
      case MAX -> acc[3];
      case LAST -> acc[4];
    };
  }

  /** One past window's statistics for many series (the detector's period-over-period prefetch). */
  public record WindowValues(int period, long windowStartMs, Map<String, Map<String, Double>> values) {}

  /** The window's rollups of these series (16-hex ids), those the caller may read; absent ones left out. */
  public WindowValues valuesAt(int period, long windowStartMs, Collection<String> seriesIds,
      Optional<Set<String>> tenants) throws IOException {
    List<FieldProblem> problems = new ArrayList<>();
    if (!rollups.periods().contains(period)) {
      problems.add(new FieldProblem("period", "must be one of " + rollups.periods()));
    } else if (windowStartMs % (period * 1000L) != 0) {
      problems.add(new FieldProblem("windowStartMs", "must be a multiple of the period (windows are epoch-aligned)"));
    }
    if (windowStartMs <= 0) {
      problems.add(new FieldProblem("windowStartMs", "must be a positive epoch ms"));
    }
    if (seriesIds == null || seriesIds.isEmpty() || seriesIds.size() > MAX_BATCH) {
      problems.add(new FieldProblem("seriesIds", "must hold 1.." + MAX_BATCH + " series ids"));
    } else {
      int i = 0;
      for (String id : seriesIds) {
        if (id == null || !id.matches("[0-9a-f]{16}")) {
          problems.add(new FieldProblem("seriesIds[" + i + "]", "must be 16 lower-case hex digits"));
        }
        i++;
      }
    }
    if (!problems.isEmpty()) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, problems);
    }
    String index = rollups.indexFor(period, windowStartMs);
    List<String> ids = seriesIds.stream().distinct()
        .map(hex -> RollupIndices.documentId(Long.parseUnsignedLong(hex, 16), period, windowStartMs)).toList();
    MgetResponse<Map> r = client.mget(m -> m.index(index).ids(ids), Map.class);
    Map<String, Map<String, Double>> values = new TreeMap<>();
    for (MultiGetResponseItem<Map> item : r.docs()) {
      if (item.isFailure() || !item.result().found()) {
        continue; // an index not made yet, or a window without data: absent
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> doc = item.result().source();
      if (tenants.isPresent() && !tenants.get().contains(String.valueOf(doc.get("tenant")))) {
        continue;
      }
      Map<String, Double> stats = new LinkedHashMap<>();
      double sum = ((Number) doc.get("sum")).doubleValue();
      double count = ((Number) doc.get("count")).doubleValue();
      stats.put("avg", count == 0 ? null : sum / count);
      stats.put("sum", sum);
      stats.put("count", count);
      stats.put("min", ((Number) doc.get("min")).doubleValue());
      stats.put("max", ((Number) doc.get("max")).doubleValue());
      stats.put("last", ((Number) doc.get("last")).doubleValue());
      values.put(SeriesId.hex(((Number) doc.get("seriesId")).longValue()), stats);
    }
    return new WindowValues(period, windowStartMs, values);
  }

  /** At most this many values or names in a label answer. */
  public static final int MAX_LABEL_VALUES = 1_000;

  /**
   * The values of a label over the 60 s rollups of [fromMs, toMs): {@code __name__} (metrics),
   * {@code namespace}, {@code region}, or a dimension key; sorted, at most {@link #MAX_LABEL_VALUES}.
   */
  public List<String> labelValues(String label, long fromMs, long toMs, Optional<Set<String>> tenants)
      throws IOException {
    String field = switch (label) {
      case "__name__" -> "metric";
      case "namespace", "region" -> label;
      default -> "dimensions." + label;
    };
    Aggregate agg = overShortestPeriod(fromMs, toMs, tenants,
        // by key: the first values in order when there are more (a bucket's doc_count counts points)
        Aggregation.of(a -> a.terms(t -> t.field(field).size(MAX_LABEL_VALUES)
            .order(NamedValue.of("_key", SortOrder.Asc)))));
    List<String> out = new ArrayList<>();
    if (agg != null) {
      agg.sterms().buckets().array().forEach(b -> out.add(b.key().stringValue()));
    }
    out.sort(null);
    return out;
  }

  /**
   * The label names over the 60 s rollups of [fromMs, toMs): {@code __name__}, {@code namespace},
   * {@code region} and the dimension keys seen in a sample of up to 20 series per metric (flattened
   * dimensions keep no list of their keys).
   */
  public List<String> labelNames(long fromMs, long toMs, Optional<Set<String>> tenants) throws IOException {
    Aggregate agg = overShortestPeriod(fromMs, toMs, tenants, Aggregation.of(a -> a.terms(t -> t.field("metric")
        .size(200).order(NamedValue.of("_key", SortOrder.Asc))).aggregations("sample", h -> h.topHits(th -> th.size(20)
            .source(src -> src.filter(f -> f.includes("dimensions")))))));
    java.util.TreeSet<String> names = new java.util.TreeSet<>(List.of("__name__", "namespace", "region"));
    if (agg != null) {
      for (var b : agg.sterms().buckets().array()) {
        for (var hit : b.aggregations().get("sample").topHits().hits().hits()) {
          Object dims = hit.source().to(Map.class).get("dimensions");
          if (dims instanceof Map<?, ?> m) {
            m.keySet().forEach(k -> names.add(String.valueOf(k)));
          }
        }
      }
    }
    return new ArrayList<>(names).subList(0, Math.min(names.size(), MAX_LABEL_VALUES));
  }

  /** One aggregation over the shortest period's rollups of [fromMs, toMs) the caller may read; null when none. */
  private Aggregate overShortestPeriod(long fromMs, long toMs, Optional<Set<String>> tenants, Aggregation aggregation)
      throws IOException {
    List<Query> filter = new ArrayList<>();
    filter.add(range("windowStartMs", fromMs, toMs));
    tenants.ifPresent(set -> filter.add(terms("tenant", set)));
    int period = rollups.periods().iterator().next();
    SearchResponse<Void> r = client.search(s -> s.index(rollups.indicesFor(period, fromMs, toMs))
        .ignoreUnavailable(true).allowNoIndices(true).size(0).query(x -> x.bool(b -> b.filter(filter)))
        .aggregations("labels", aggregation), Void.class);
    return r.aggregations().get("labels");
  }

  static Query term(String field, String value) {
    return Query.of(x -> x.term(t -> t.field(field).value(value)));
  }

  static Query terms(String field, Collection<String> values) {
    return Query.of(x -> x.terms(t -> t.field(field).terms(v -> v.value(values.stream().map(FieldValue::of)
        .toList()))));
  }

  static Query range(String field, long fromMs, long toMs) {
    // as text: a date field parses a number sent as a double (1.7652384E12) as a bad date
    return Query.of(x -> x.range(r -> r.date(d -> d.field(field).gte(Long.toString(fromMs)).lt(Long.toString(toMs)))));
  }
}
