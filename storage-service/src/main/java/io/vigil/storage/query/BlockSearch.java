package io.vigil.storage.query;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.transport.rest5_client.low_level.Request;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import io.vigil.storage.elastic.LowLevelElasticsearch;
import io.vigil.storage.history.IndexFamily;
import io.vigil.storage.rollup.MinuteBlock;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The closed hours of series' 60 s rollups read as {@link MinuteBlock}s: one stored field per hour
 * and series (the one the statistic needs) instead of 60 histogram buckets. Each series is covered
 * by its first run of hours with blocks in the range, from its first block up to the next hour
 * without one (its {@code frontier}); the minutes before and after the run are read as before, and
 * the steps the run's ends cut through get both halves. An hour without a block (not closed yet,
 * written before blocks existed, or never written: see {@code BlockWriter}) is simply read from its
 * minutes, so a missing block costs speed, never a point. (The sums may differ from the minutes'
 * in the last bits: Elasticsearch adds in its own order.)
 */
final class BlockSearch {

  /** Hits one search may return (Elasticsearch's {@code index.max_result_window}). */
  static final int HITS_PER_SEARCH = 10_000;

  private final Rest5Client rest;
  private final IndexFamily blocks;

  BlockSearch(ElasticsearchClient client, IndexFamily blocks) {
    this.rest = LowLevelElasticsearch.client(client);
    this.blocks = blocks;
  }

  /**
   * A series' steps from its blocks: a run of hours from its first block in the range ({@code
   * startMs}, or the range's start when that hour is the range's first) to its first hour without
   * one after it ({@code frontierMs}, at most the range's end).
   */
  record Covered(Steps steps, long startMs, long frontierMs) {}

  /** The field a statistic reads. */
  static MinuteBlock.Field field(Statistic stat) {
    return switch (stat) {
      case AVG, SUM, COUNT -> MinuteBlock.Field.SUM_COUNT;
      case MIN -> MinuteBlock.Field.MIN;
      case MAX -> MinuteBlock.Field.MAX;
      case LAST -> MinuteBlock.Field.LAST;
    };
  }

  /**
   * The series {@code ids}' blocks over [fromMs, toMs) in steps of {@code stepMs}: per series with a
   * block in the range, the steps of its first run of hours with blocks. Series without are left out.
   */
  Map<Long, Covered> read(List<Long> ids, Statistic stat, long fromMs, long toMs, long stepMs,
      Optional<Set<String>> tenants) throws IOException {
    long firstHour = MinuteBlock.hourOf(fromMs);
    int hours = (int) ((toMs - firstHour + MinuteBlock.HOUR_MS - 1) / MinuteBlock.HOUR_MS);
    MinuteBlock.Field field = field(stat);
    int perSearch = Math.max(1, HITS_PER_SEARCH / hours);
    StringBuilder body = new StringBuilder();
    String header = "{\"index\":\"" + String.join(",", blocks.indicesFor(firstHour, toMs))
        + "\",\"ignore_unavailable\":true,\"allow_no_indices\":true}\n";
    String tenantFilter = tenants.map(set -> ",{\"terms\":{\"tenant\":" + jsonStrings(set) + "}}").orElse("");
    for (int from = 0; from < ids.size(); from += perSearch) {
      List<Long> group = ids.subList(from, Math.min(ids.size(), from + perSearch));
      StringBuilder terms = new StringBuilder();
      group.forEach(id -> terms.append(terms.isEmpty() ? "" : ",").append(id));
      body.append(header).append("{\"size\":").append(group.size() * hours)
          .append(",\"track_total_hits\":false,\"stored_fields\":[\"").append(field.fieldName())
          .append("\"],\"query\":{\"bool\":{\"filter\":[{\"terms\":{\"seriesId\":[").append(terms)
          .append("]}},{\"range\":{\"hourMs\":{\"gte\":").append(firstHour).append(",\"lt\":").append(toMs)
          .append("}}}").append(tenantFilter).append("]}}}\n");
    }
    Request request = new Request("POST", "/_msearch");
    request.addParameter("filter_path", "responses.status,responses.error.type,responses.error.reason,"
        + "responses._shards.failed,responses.hits.hits.fields");
    request.setEntity(new StringEntity(body.toString(), ContentType.create("application/x-ndjson")));
    Map<Long, TreeMap<Long, byte[]>> found = new HashMap<>();
    LowLevelElasticsearch.searchAsSmile(rest, request, "block search", p -> {
      readResponses(p, field, found);
      return found;
    });
    Map<Long, Covered> out = new HashMap<>();
    found.forEach((id, byHour) -> {
      Covered c = cover(byHour, field, fromMs, toMs, stepMs);
      if (c != null) {
        out.put(id, c);
      }
    });
    return out;
  }

  /**
   * A series' steps from its blocks, hour by hour from its first block in the range up to the first
   * hour without one; null when it has none in the range. (The minutes before the run, if any,
   * and after it are read from the rollups: a series that began within the range, or an hour
   * written before blocks existed.)
   */
  static Covered cover(TreeMap<Long, byte[]> byHour, MinuteBlock.Field field, long fromMs, long toMs, long stepMs) {
    Long first = byHour.ceilingKey(MinuteBlock.hourOf(fromMs));
    if (first == null || first >= toMs) {
      return null;
    }
    long hour = first;
    Steps steps = new Steps();
    long[] current = {Long.MIN_VALUE};
    int[] index = {-1};
    MinuteBlock.MinuteValues into = (at, a, b) -> {
      if (at < fromMs || at >= toMs) {
        return;
      }
      long key = Math.floorDiv(at, stepMs) * stepMs; // as Elasticsearch's histogram keys its buckets
      if (key != current[0]) {
        current[0] = key;
        index[0] = steps.append(key);
      }
      int i = index[0];
      switch (field) {
        case SUM_COUNT -> {
          steps.set(i, Steps.SUM, steps.get(i, Steps.SUM) + a);
          steps.set(i, Steps.COUNT, steps.get(i, Steps.COUNT) + b);
        }
        case MIN -> steps.set(i, Steps.MIN, minOf(steps.get(i, Steps.MIN), a));
        case MAX -> steps.set(i, Steps.MAX, maxOf(steps.get(i, Steps.MAX), a));
        case LAST -> {
          steps.set(i, Steps.LAST, a); // minutes come in time order: the latest stays
          steps.set(i, Steps.LAST_AT, at);
        }
      }
    };
    for (byte[] block; hour < toMs && (block = byHour.get(hour)) != null; hour += MinuteBlock.HOUR_MS) {
      MinuteBlock.decode(block, field, into);
    }
    return new Covered(steps, Math.max(first, fromMs), Math.min(hour, toMs));
  }

  /**
   * Steps of one series in two halves, {@code early} before {@code late} with at most the step at
   * their junction in both: that step's aggregates are combined ({@code last} is the later half's).
   */
  static Steps join(Steps early, Steps late) {
    if (early == null) {
      return late;
    }
    if (late == null || late.size() == 0) {
      return early;
    }
    int n = early.size();
    early.reserve(n + late.size());
    int from = 0;
    if (n > 0 && early.at(n - 1) == late.at(0)) {
      int i = n - 1;
      early.set(i, Steps.SUM, early.get(i, Steps.SUM) + late.get(0, Steps.SUM));
      early.set(i, Steps.COUNT, early.get(i, Steps.COUNT) + late.get(0, Steps.COUNT));
      early.set(i, Steps.MIN, minOf(early.get(i, Steps.MIN), late.get(0, Steps.MIN)));
      early.set(i, Steps.MAX, maxOf(early.get(i, Steps.MAX), late.get(0, Steps.MAX)));
      // the step's latest window is in the later half: its last stands, even when it has none
      early.set(i, Steps.LAST, late.get(0, Steps.LAST));
      early.set(i, Steps.LAST_AT, late.get(0, Steps.LAST_AT));
      from = 1;
    }
    for (int j = from; j < late.size(); j++) {
      int i = early.append(late.at(j));
      for (int slot = 0; slot < Steps.WIDTH; slot++) {
        early.set(i, slot, late.get(j, slot));
      }
    }
    return early;
  }

  /** The smaller of two aggregates, NaN standing for none (as in {@link SeriesQueries}' merge of late points). */
  static double minOf(double a, double b) {
    return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.min(a, b);
  }

  /** The larger of two aggregates, NaN standing for none. */
  static double maxOf(double a, double b) {
    return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
  }

  private static String jsonStrings(Set<String> values) {
    StringBuilder out = new StringBuilder("[");
    for (String v : values) {
      out.append(out.length() == 1 ? "\"" : ",\"");
      tools.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(v, out);
      out.append('"');
    }
    return out.append(']').toString();
  }

  /** Reads {@code {"responses":[{"hits":{"hits":[{"fields":{"sc":[bytes]}}]}}]}} into blocks by series and hour. */
  static void readResponses(JsonParser p, MinuteBlock.Field field, Map<Long, TreeMap<Long, byte[]>> out) {
    LowLevelElasticsearch.eachResponse(p, () -> readResponse(p, field, out));
  }

  private static void readResponse(JsonParser p, MinuteBlock.Field field, Map<Long, TreeMap<Long, byte[]>> out) {
    LowLevelElasticsearch.readSearchAnswer(p, "block search", (name, parser) -> {
      if (name.equals("hits")) {
        LowLevelElasticsearch.eachHit(parser, () -> readHit(parser, field, out));
      } else {
        parser.skipChildren();
      }
    });
  }

  private static void readHit(JsonParser p, MinuteBlock.Field field, Map<Long, TreeMap<Long, byte[]>> out) {
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      p.nextToken();
      if (!name.equals("fields")) {
        p.skipChildren();
        continue;
      }
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        boolean ours = p.currentName().equals(field.fieldName());
        p.nextToken(); // the array of the field's values
        while (p.nextToken() != JsonToken.END_ARRAY) {
          if (ours) {
            byte[] bytes = p.getBinaryValue();
            MinuteBlock.Header h = MinuteBlock.header(bytes);
            out.computeIfAbsent(h.seriesId(), id -> new TreeMap<>()).put(h.hourMs(), bytes);
          } else {
            p.skipChildren();
          }
        }
      }
    }
  }
}
