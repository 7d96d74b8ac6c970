package io.vigil.storage.query;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.json.JsonpMapper;
import co.elastic.clients.json.JsonpUtils;
import co.elastic.clients.transport.rest5_client.low_level.Request;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import io.vigil.storage.elastic.LowLevelElasticsearch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The steps of series: per series a date histogram of steps, per step the aggregates a statistic
 * needs. This is the hot path of every series query and every PromQL evaluation, and its answer is
 * large (a day of minutes over 100 series is 144,000 buckets), so:
 *
 * <ul>
 *   <li>the series go in groups small enough that a group's buckets (series x steps) stay under
 *       {@code vigil.storage.query.max-buckets} (Elasticsearch refuses a search with more than {@code
 *       search.max_buckets}, 65,536), and the groups in one {@code _msearch}, which Elasticsearch
 *       runs side by side;
 *   <li>it is sent through the low-level client, Elasticsearch returns only keys and values ({@code
 *       filter_path}) as Smile, its binary JSON, and the answer is read with a streaming parser: the
 *       typed client's reading of such an answer took longer than Elasticsearch took to compute it.
 * </ul>
 *
 * <p>Per step the answer is {@code [Σsum, Σcount, min, max, last, lastAtMs, doc_count]} ({@link
 * Steps}; NaN where the statistic does not need it). Rollup documents carry {@code _doc_count} (their count of points), so
 * for avg and count Σcount is the bucket's {@code doc_count}, not a sum aggregation: each metric
 * aggregation per bucket costs Elasticsearch about as much as the buckets themselves. A series whose
 * {@code doc_count} differs from its Σcount holds documents written without {@code _doc_count}; it
 * is read again with the sum. {@code last} is the latest window's own last: when a step is one
 * window, the maximum of its one {@code last}; when it spans several, a first search finds each
 * step's latest window ({@code lastAtMs}) and a second reads exactly those windows. (A {@code
 * top_hits} per step fetched a document per bucket: 4 s for a day of minutes over 100 series; a
 * one-bucket {@code terms} per step was as slow; {@code top_metrics} is not in every distribution.)
 */
final class StepSearch {


  private static final String FILTER_PATH = String.join(",", "responses.status", "responses.error.type",
      "responses.error.reason", "responses._shards.failed",
      "responses.aggregations.series.buckets.key",
      "responses.aggregations.series.buckets.steps.buckets.key",
      "responses.aggregations.series.buckets.steps.buckets.*.value");
  /** With the doc counts: the series' and every step's {@code doc_count}, and the series' Σcount. */
  private static final String FILTER_PATH_COUNTED = String.join(",", FILTER_PATH,
      "responses.aggregations.series.buckets.doc_count",
      "responses.aggregations.series.buckets.counted.value",
      "responses.aggregations.series.buckets.steps.buckets.doc_count");

  private final Rest5Client rest;
  private final JsonpMapper mapper;
  private final int maxBuckets;
  private final Runnable recounted;

  /**
   * {@code maxBuckets}: the most buckets one search asks for ({@code vigil.storage.query.max-buckets});
   * {@code recounted}: told of each series whose documents did not all carry {@code _doc_count}.
   */
  StepSearch(ElasticsearchClient client, int maxBuckets, Runnable recounted) {
    this.rest = LowLevelElasticsearch.client(client);
    this.mapper = client._jsonpMapper();
    this.maxBuckets = maxBuckets;
    this.recounted = recounted;
  }

  /**
   * What one part of a query reads: rollups or late points ({@code late}: field {@code value}, one
   * point per document) in {@code indices} matching {@code filter}, bucketed by {@code timeField},
   * of the series {@code ids} (null: those of the whole query).
   */
  record Part(List<String> indices, List<Query> filter, String timeField, boolean late, List<Long> ids) {
    Part(List<String> indices, List<Query> filter, String timeField, boolean late) {
      this(indices, filter, timeField, late, null);
    }
  }

  /**
   * The steps of the series {@code ids} in each part, per series and step start, all in one {@code
   * _msearch} (and, for {@code last} over steps of several windows, a second one).
   */
  List<Map<Long, Steps>> run(List<Part> parts, Statistic stat, long fromMs, long toMs, long stepMs,
      long periodMs, List<Long> ids) throws IOException {
    long stepCount = (toMs - fromMs + stepMs - 1) / stepMs + 1;
    boolean severalWindows = stepMs > periodMs;
    List<Search> searches = new ArrayList<>();
    for (Part part : parts) {
      // rollups carry _doc_count: avg and count read Σcount from each bucket's doc_count
      boolean docCounts = !part.late() && (stat == Statistic.AVG || stat == Statistic.COUNT);
      searches.add(new Search(part.indices(), part.filter(), part.timeField(), stepMs, stepCount,
          stats(stat, part.late(), part.timeField(), severalWindows, docCounts), docCounts,
          part.ids() == null ? ids : part.ids()));
    }
    List<Map<Long, Steps>> out = search(searches);
    for (int i = 0; i < searches.size(); i++) {
      Search search = searches.get(i);
      if (search.docCounts()) {
        List<Long> recount = countsFromDocs(out.get(i));
        if (!recount.isEmpty()) {
          // documents written before _doc_count (or with a count beyond it): these series read count;
          // one the second search no longer finds (retention) is left out, never answered with zeros
          Map<Long, Steps> found = out.get(i);
          recount.forEach(id -> {
            recounted.run();
            found.remove(id);
          });
          found.putAll(search(List.of(new Search(search.indices(), search.filter(), search.timeField(),
              stepMs, stepCount, stats(stat, false, search.timeField(), severalWindows, false), false, recount)))
              .get(0));
        }
      }
    }
    if (stat == Statistic.LAST && severalWindows) {
      for (int i = 0; i < parts.size(); i++) {
        if (!parts.get(i).late()) {
          fillLast(parts.get(i), periodMs, out.get(i));
        }
      }
    }
    return out;
  }

  /**
   * One search over every series: its buckets per series and the sub-aggregations of a bucket;
   * {@code docCounts}: each bucket's {@code doc_count} stands for Σcount, checked per series.
   */
  private record Search(List<String> indices, List<Query> filter, String timeField, long stepMs,
      long bucketsPerSeries, String stats, boolean docCounts, List<Long> ids) {}

  /**
   * Sets each step's Σcount from its {@code doc_count} in the series whose documents all carry
   * {@code _doc_count}; returns the others, to be read again with a sum of {@code count}.
   */
  static List<Long> countsFromDocs(Map<Long, Steps> steps) {
    List<Long> recount = new ArrayList<>();
    steps.forEach((id, perSeries) -> {
      if (!perSeries.docsAreCounts()) {
        recount.add(id);
        return;
      }
      for (int i = 0; i < perSeries.size(); i++) {
        perSeries.set(i, Steps.COUNT, perSeries.get(i, Steps.DOCS));
      }
    });
    return recount;
  }

  /** Sets each step's {@code last} to the {@code last} of its latest window ({@code lastAtMs}). */
  private void fillLast(Part part, long periodMs, Map<Long, Steps> steps) throws IOException {
    TreeSet<Long> latest = new TreeSet<>();
    steps.values().forEach(perSeries -> {
      for (int i = 0; i < perSeries.size(); i++) {
        double lastAt = perSeries.get(i, Steps.LAST_AT);
        if (!Double.isNaN(lastAt)) {
          latest.add((long) lastAt);
        }
      }
    });
    if (latest.isEmpty()) {
      return;
    }
    List<Query> exactly = new ArrayList<>(part.filter());
    exactly.add(Query.of(x -> x.terms(t -> t.field(part.timeField()).terms(v -> v.value(latest.stream()
        .map(FieldValue::of).toList())))));
    Map<Long, Steps> windows = search(List.of(new Search(part.indices(), exactly, part.timeField(),
        periodMs, latest.size(), stats(Statistic.LAST, false, part.timeField(), false, false), false,
        List.copyOf(steps.keySet())))).get(0);
    steps.forEach((id, perSeries) -> {
      Steps own = windows.get(id);
      for (int i = 0; i < perSeries.size(); i++) {
        double lastAt = perSeries.get(i, Steps.LAST_AT);
        int window = own == null || Double.isNaN(lastAt) ? -1 : own.indexOf((long) lastAt);
        perSeries.set(i, Steps.LAST, window < 0 ? Double.NaN : own.get(window, Steps.LAST));
      }
    });
  }

  /**
   * One {@code _msearch}: each search for the series in groups, each group a terms of series over a
   * histogram of steps. Returns each search's steps, in order.
   */
  private List<Map<Long, Steps>> search(List<Search> searches) throws IOException {
    List<Map<Long, Steps>> out = new ArrayList<>();
    List<Integer> owners = new ArrayList<>(); // the search each response item answers
    StringBuilder body = new StringBuilder();
    boolean docCounts = false;
    for (int s = 0; s < searches.size(); s++) {
      out.add(new HashMap<>());
      Search search = searches.get(s);
      List<Long> ids = search.ids();
      if (search.indices().isEmpty() || ids.isEmpty()) {
        continue;
      }
      int perSearch = (int) Math.max(1, Math.min(ids.size(), maxBuckets / (search.bucketsPerSeries() + 1)));
      String header = "{\"index\":\"" + String.join(",", search.indices())
          + "\",\"ignore_unavailable\":true,\"allow_no_indices\":true}\n";
      for (int from = 0; from < ids.size(); from += perSearch) {
        List<Long> group = ids.subList(from, Math.min(ids.size(), from + perSearch));
        List<Query> narrowed = new ArrayList<>(search.filter());
        narrowed.add(Query.of(x -> x.terms(t -> t.field("seriesId").terms(v -> v.value(group.stream()
            .map(FieldValue::of).toList())))));
        String query = JsonpUtils.toJsonString(Query.of(q -> q.bool(b -> b.filter(narrowed))), mapper);
        body.append(header).append("{\"size\":0,\"track_total_hits\":false,\"query\":").append(query)
            .append(",\"aggs\":{\"series\":{\"terms\":{\"field\":\"seriesId\",\"size\":").append(group.size())
            .append("},\"aggs\":{");
        if (search.docCounts()) {
          body.append("\"counted\":{\"sum\":{\"field\":\"count\"}},");
        }
        body.append("\"steps\":{\"date_histogram\":{\"field\":\"").append(search.timeField())
            .append("\",\"fixed_interval\":\"").append(search.stepMs()).append("ms\",\"min_doc_count\":1}");
        if (!search.stats().isEmpty()) {
          body.append(",\"aggs\":{").append(search.stats()).append('}');
        }
        body.append("}}}}}\n");
        owners.add(s);
        docCounts |= search.docCounts();
      }
    }
    if (owners.isEmpty()) {
      return out;
    }
    Request request = new Request("POST", "/_msearch");
    request.addParameter("filter_path", docCounts ? FILTER_PATH_COUNTED : FILTER_PATH);
    request.setEntity(new StringEntity(body.toString(), ContentType.create("application/x-ndjson")));
    List<Map<Long, Steps>> items = LowLevelElasticsearch.searchAsSmile(rest, request, "series search",
        StepSearch::read);
    if (items.size() != owners.size()) {
      throw new IllegalStateException("Elasticsearch answered " + items.size() + " of " + owners.size()
          + " searches");
    }
    for (int i = 0; i < items.size(); i++) {
      out.get(owners.get(i)).putAll(items.get(i));
    }
    return out;
  }

  /** The sub-aggregations of a step; names are read back by {@link #read}. */
  private static String stats(Statistic stat, boolean late, String timeField, boolean severalWindows,
      boolean docCounts) {
    String sum = late ? "value" : "sum";
    String count = late ? "{\"value_count\":{\"field\":\"value\"}}" : "{\"sum\":{\"field\":\"count\"}}";
    return switch (stat) {
      case AVG -> "\"sum\":{\"sum\":{\"field\":\"" + sum + "\"}}" + (docCounts ? "" : ",\"count\":" + count);
      case SUM -> "\"sum\":{\"sum\":{\"field\":\"" + sum + "\"}}";
      case COUNT -> docCounts ? "" : "\"count\":" + count;
      case MIN -> "\"min\":{\"min\":{\"field\":\"" + (late ? "value" : "min") + "\"}}";
      case MAX -> "\"max\":{\"max\":{\"field\":\"" + (late ? "value" : "max") + "\"}}";
      case LAST -> late ? "\"count\":" + count // a late point never changes last: only its presence counts
          : severalWindows ? "\"lastAt\":{\"max\":{\"field\":\"" + timeField + "\"}}"
          : "\"last\":{\"max\":{\"field\":\"last\"}}";
    };
  }

  /**
   * Reads {@code {"responses":[{"_shards":{"failed":n},"aggregations":{"series":{"buckets":[...]}}}]}},
   * a map per response.
   */
  static List<Map<Long, Steps>> read(JsonParser p) {
    List<Map<Long, Steps>> out = new ArrayList<>();
    LowLevelElasticsearch.eachResponse(p, () -> {
      Map<Long, Steps> one = new HashMap<>();
      readResponse(p, one);
      out.add(one);
    });
    return out;
  }

  private static void readResponse(JsonParser p, Map<Long, Steps> out) {
    LowLevelElasticsearch.readSearchAnswer(p, "series search", (name, parser) -> {
      if (name.equals("aggregations")) {
        readSeries(parser, out);
      } else {
        parser.skipChildren();
      }
    });
  }

  private static void readSeries(JsonParser p, Map<Long, Steps> out) {
    // {"series":{"buckets":[{"key":id,"steps":{"buckets":[...]}}]}}
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      p.nextToken();
      if (!p.currentName().equals("series")) {
        p.skipChildren();
        continue;
      }
      eachBucket(p, (key, field) -> {
        Steps steps = out.computeIfAbsent(key, k -> new Steps());
        switch (field) {
          case "doc_count" -> {
            steps.seriesDocs(p.getDoubleValue());
            return true;
          }
          case "counted" -> {
            steps.seriesCounted(value(p));
            return true;
          }
          case "steps" -> { } // read below
          default -> {
            return false;
          }
        }
        // a histogram's buckets come in order of their keys: appended in that order
        long[] current = {Long.MIN_VALUE};
        int[] index = {-1};
        eachBucket(p, (at, stat) -> {
          int slot = slot(stat);
          if (slot < 0) {
            return false;
          }
          if (index[0] < 0 || current[0] != at) {
            current[0] = at;
            index[0] = steps.append(at);
          }
          steps.set(index[0], slot, slot == Steps.DOCS ? p.getDoubleValue() : value(p));
          return true;
        });
        return true;
      });
    }
  }

  /** Reads a field of a bucket, the parser on its value; false when it is not one it reads (it is skipped). */
  private interface BucketField {
    boolean read(long key, String field);
  }

  /**
   * Walks {@code {"buckets":[{"key":k,...},...]}}, handing every field of a bucket but its key to
   * {@code fields}. Elasticsearch writes a bucket's key first.
   */
  private static void eachBucket(JsonParser p, BucketField fields) {
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      p.nextToken();
      if (!p.currentName().equals("buckets")) {
        p.skipChildren();
        continue;
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        long key = 0;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
          String field = p.currentName();
          p.nextToken();
          if (field.equals("key")) {
            key = p.getLongValue();
          } else if (!fields.read(key, field)) {
            p.skipChildren();
          }
        }
      }
    }
  }

  /** The {@link Steps} slot of a sub-aggregation's name; -1 for one this reader does not know. */
  private static int slot(String stat) {
    return switch (stat) {
      case "sum" -> Steps.SUM;
      case "count" -> Steps.COUNT;
      case "min" -> Steps.MIN;
      case "max" -> Steps.MAX;
      case "last" -> Steps.LAST;
      case "lastAt" -> Steps.LAST_AT;
      case "doc_count" -> Steps.DOCS; // a number, not an object
      default -> -1;
    };
  }

  /** {@code {"value":x}}; null (no document had the field) is NaN. */
  private static double value(JsonParser p) {
    double v = Double.NaN;
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      if (field.equals("value")) {
        v = t == JsonToken.VALUE_NULL ? Double.NaN : p.getDoubleValue();
      } else {
        p.skipChildren();
      }
    }
    return v;
  }
}
