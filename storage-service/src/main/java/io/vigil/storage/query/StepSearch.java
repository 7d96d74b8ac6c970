package io.vigil.storage.query;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.json.JsonpMapper;
import co.elastic.clients.json.JsonpUtils;
import co.elastic.clients.transport.rest5_client.low_level.Request;
import co.elastic.clients.transport.rest5_client.low_level.RequestOptions;
import co.elastic.clients.transport.rest5_client.low_level.Response;
import co.elastic.clients.transport.rest5_client.low_level.ResponseException;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.storage.elastic.LowLevelElasticsearch;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.TreeSet;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.dataformat.smile.SmileFactory;

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
 * <p>Per step the answer is {@code [Σsum, Σcount, min, max, last, lastAtMs]} (NaN where the
 * statistic does not need it). {@code last} is the latest window's own last: when a step is one
 * window, the maximum of its one {@code last}; when it spans several, a first search finds each
 * step's latest window ({@code lastAtMs}) and a second reads exactly those windows. (A {@code
 * top_hits} per step fetched a document per bucket: 4 s for a day of minutes over 100 series; a
 * one-bucket {@code terms} per step was as slow; {@code top_metrics} is not in every distribution.)
 */
final class StepSearch {


  /** The answer comes as Smile, Elasticsearch's binary JSON: faster to write and to read for numbers. */
  private static final SmileFactory SMILE = new SmileFactory();
  private static final RequestOptions ANSWER_AS_SMILE = RequestOptions.DEFAULT.toBuilder()
      .addHeader("Accept", "application/smile").build();
  private static final String FILTER_PATH = String.join(",", "responses.status", "responses.error.type",
      "responses.error.reason", "responses._shards.failed",
      "responses.aggregations.series.buckets.key",
      "responses.aggregations.series.buckets.steps.buckets.key",
      "responses.aggregations.series.buckets.steps.buckets.*.value");
  private static final Set<String> STATS = Set.of("sum", "count", "min", "max", "last", "lastAt");

  private final Rest5Client rest;
  private final JsonpMapper mapper;
  private final int maxBuckets;

  /** {@code maxBuckets}: the most buckets one search asks for ({@code vigil.storage.query.max-buckets}). */
  StepSearch(ElasticsearchClient client, int maxBuckets) {
    this.rest = LowLevelElasticsearch.client(client);
    this.mapper = client._jsonpMapper();
    this.maxBuckets = maxBuckets;
  }

  /**
   * What one part of a query reads: rollups or late points ({@code late}: field {@code value}, one
   * point per document) in {@code indices} matching {@code filter}, bucketed by {@code timeField}.
   */
  record Part(List<String> indices, List<Query> filter, String timeField, boolean late) {}

  /**
   * The steps of the series {@code ids} in each part, per series and step start, all in one {@code
   * _msearch} (and, for {@code last} over steps of several windows, a second one).
   */
  List<Map<Long, Map<Long, double[]>>> run(List<Part> parts, Statistic stat, long fromMs, long toMs, long stepMs,
      long periodMs, List<Long> ids) throws IOException {
    long stepCount = (toMs - fromMs + stepMs - 1) / stepMs + 1;
    boolean severalWindows = stepMs > periodMs;
    List<Search> searches = new ArrayList<>();
    for (Part part : parts) {
      searches.add(new Search(part.indices(), part.filter(), part.timeField(), stepMs, stepCount,
          stats(stat, part.late(), part.timeField(), severalWindows)));
    }
    List<Map<Long, Map<Long, double[]>>> out = search(searches, ids);
    if (stat == Statistic.LAST && severalWindows) {
      for (int i = 0; i < parts.size(); i++) {
        if (!parts.get(i).late()) {
          fillLast(parts.get(i), periodMs, out.get(i));
        }
      }
    }
    return out;
  }

  /** One search over every series: its buckets per series and the sub-aggregations of a bucket. */
  private record Search(List<String> indices, List<Query> filter, String timeField, long stepMs,
      long bucketsPerSeries, String stats) {}

  /** Sets each step's {@code last} to the {@code last} of its latest window ({@code lastAtMs}). */
  private void fillLast(Part part, long periodMs, Map<Long, Map<Long, double[]>> steps) throws IOException {
    TreeSet<Long> latest = new TreeSet<>();
    steps.values().forEach(perStep -> perStep.values().forEach(acc -> {
      if (!Double.isNaN(acc[5])) {
        latest.add((long) acc[5]);
      }
    }));
    if (latest.isEmpty()) {
      return;
    }
    List<Query> exactly = new ArrayList<>(part.filter());
    exactly.add(Query.of(x -> x.terms(t -> t.field(part.timeField()).terms(v -> v.value(latest.stream()
        .map(FieldValue::of).toList())))));
    Map<Long, Map<Long, double[]>> windows = search(List.of(new Search(part.indices(), exactly, part.timeField(),
        periodMs, latest.size(), stats(Statistic.LAST, false, part.timeField(), false))),
        List.copyOf(steps.keySet())).get(0);
    steps.forEach((id, perStep) -> {
      Map<Long, double[]> own = windows.getOrDefault(id, Map.of());
      for (double[] acc : perStep.values()) {
        double[] window = Double.isNaN(acc[5]) ? null : own.get((long) acc[5]);
        acc[4] = window == null ? Double.NaN : window[4];
      }
    });
  }

  /**
   * One {@code _msearch}: each search for the series in groups, each group a terms of series over a
   * histogram of steps. Returns each search's steps, in order.
   */
  private List<Map<Long, Map<Long, double[]>>> search(List<Search> searches, List<Long> ids) throws IOException {
    List<Map<Long, Map<Long, double[]>>> out = new ArrayList<>();
    List<Integer> owners = new ArrayList<>(); // the search each response item answers
    StringBuilder body = new StringBuilder();
    for (int s = 0; s < searches.size(); s++) {
      out.add(new HashMap<>());
      Search search = searches.get(s);
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
            .append("},\"aggs\":{\"steps\":{\"date_histogram\":{\"field\":\"").append(search.timeField())
            .append("\",\"fixed_interval\":\"").append(search.stepMs())
            .append("ms\",\"min_doc_count\":1},\"aggs\":{").append(search.stats()).append("}}}}}}\n");
        owners.add(s);
      }
    }
    if (owners.isEmpty()) {
      return out;
    }
    Request request = new Request("POST", "/_msearch");
    request.addParameter("filter_path", FILTER_PATH);
    request.setOptions(ANSWER_AS_SMILE);
    request.setEntity(new StringEntity(body.toString(), ContentType.create("application/x-ndjson")));
    Response response;
    try {
      response = rest.performRequest(request);
    } catch (ResponseException e) {
      // the answer is Smile, so the exception's own message carries it as binary: read it instead
      throw refused(e.getResponse().getStatusCode(), refusal(e.getResponse()));
    }
    List<Map<Long, Map<Long, double[]>>> items;
    try (InputStream in = response.getEntity().getContent();
        JsonParser p = SMILE.createParser(ObjectReadContext.empty(), in)) {
      items = read(p);
    }
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
  private static String stats(Statistic stat, boolean late, String timeField, boolean severalWindows) {
    String sum = late ? "value" : "sum";
    String count = late ? "{\"value_count\":{\"field\":\"value\"}}" : "{\"sum\":{\"field\":\"count\"}}";
    return switch (stat) {
      case AVG -> "\"sum\":{\"sum\":{\"field\":\"" + sum + "\"}},\"count\":" + count;
      case SUM -> "\"sum\":{\"sum\":{\"field\":\"" + sum + "\"}}";
      case COUNT -> "\"count\":" + count;
      case MIN -> "\"min\":{\"min\":{\"field\":\"" + (late ? "value" : "min") + "\"}}";
      case MAX -> "\"max\":{\"max\":{\"field\":\"" + (late ? "value" : "max") + "\"}}";
      case LAST -> late ? "\"count\":" + count // a late point never changes last: only its presence counts
          : severalWindows ? "\"lastAt\":{\"max\":{\"field\":\"" + timeField + "\"}}"
          : "\"last\":{\"max\":{\"field\":\"last\"}}";
    };
  }

  /** A refusal: Elasticsearch overloaded or away waits like any dependency; else it is a search built wrong. */
  private static RuntimeException refused(int status, String text) {
    if (status == 429 || status >= 502) {
      return new DependencyUnavailableException("elasticsearch", "a series search was refused with " + status
          + ": " + text);
    }
    // a search this service built wrong: answered 500, with Elasticsearch's reason in the log
    return new IllegalStateException("Elasticsearch refused a series search with " + status + ": " + text);
  }

  /**
   * Reads {@code {"responses":[{"_shards":{"failed":n},"aggregations":{"series":{"buckets":[...]}}}]}},
   * a map per response.
   */
  static List<Map<Long, Map<Long, double[]>>> read(JsonParser p) {
    List<Map<Long, Map<Long, double[]>>> out = new ArrayList<>();
    expect(p.nextToken(), JsonToken.START_OBJECT);
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      if (p.nextToken() != JsonToken.START_ARRAY || !name.equals("responses")) {
        p.skipChildren();
        continue;
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        Map<Long, Map<Long, double[]>> one = new HashMap<>();
        readResponse(p, one);
        out.add(one);
      }
    }
    return out;
  }

  private static void readResponse(JsonParser p, Map<Long, Map<Long, double[]>> out) {
    int status = 200;
    String error = null;
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "status" -> status = p.getIntValue();
        case "error" -> error = LowLevelElasticsearch.errorText(p);
        case "_shards" -> {
          while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("failed") && p.getIntValue() > 0) {
              // a partial answer would chart gaps that are not there
              throw new DependencyUnavailableException("elasticsearch", p.getIntValue()
                  + " shards failed to answer a series search");
            }
            p.skipChildren();
          }
        }
        case "aggregations" -> readSeries(p, out);
        default -> p.skipChildren();
      }
    }
    if (error != null) {
      throw refused(status, error);
    }
  }

  /** The "type: reason" of a refused request's answer, or its status line when it has none we can read. */
  private static String refusal(Response response) {
    String type = response.getHeader("Content-Type");
    try (InputStream in = response.getEntity().getContent()) {
      return refusalOf(type != null && type.startsWith("application/json")
          ? new tools.jackson.core.json.JsonFactory().createParser(ObjectReadContext.empty(), in)
          : SMILE.createParser(ObjectReadContext.empty(), in));
    } catch (IOException | RuntimeException e) {
      return response.getRequestLine() + " answered " + response.getStatusCode();
    }
  }

  /** Reads {@code {"error":{"type":...,"reason":...},"status":n}}. */
  static String refusalOf(JsonParser p) {
    try (p) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return "an answer without an error";
      }
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals("error")) {
          return LowLevelElasticsearch.errorText(p);
        }
        p.skipChildren();
      }
      return "an answer without an error";
    }
  }

  private static void readSeries(JsonParser p, Map<Long, Map<Long, double[]>> out) {
    // {"series":{"buckets":[{"key":id,"steps":{"buckets":[...]}}]}}
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      p.nextToken();
      if (!p.currentName().equals("series")) {
        p.skipChildren();
        continue;
      }
      eachBucket(p, (key, field) -> {
        if (!field.equals("steps")) {
          return false;
        }
        // a histogram's buckets come in order of their keys: kept in that order (a sorted map cost a
        // third of reading a day of minutes over 100 series)
        Map<Long, double[]> steps = out.computeIfAbsent(key, k -> new LinkedHashMap<>());
        long[] current = {Long.MIN_VALUE};
        double[][] acc = {null};
        eachBucket(p, (at, stat) -> {
          if (!STATS.contains(stat)) {
            return false;
          }
          if (acc[0] == null || current[0] != at) {
            current[0] = at;
            acc[0] = new double[] {0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
            steps.put(at, acc[0]);
          }
          acc[0][slot(stat)] = value(p);
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

  private static int slot(String stat) {
    return switch (stat) {
      case "sum" -> 0;
      case "count" -> 1;
      case "min" -> 2;
      case "max" -> 3;
      case "last" -> 4;
      default -> 5; // lastAt
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

  private static void expect(JsonToken got, JsonToken wanted) {
    if (got != wanted) {
      throw new IllegalStateException("unexpected answer from Elasticsearch: " + got + " where " + wanted
          + " belongs");
    }
  }
}
