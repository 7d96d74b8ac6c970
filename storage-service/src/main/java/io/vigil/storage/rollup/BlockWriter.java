package io.vigil.storage.rollup;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.transport.rest5_client.low_level.Request;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.kafka.BatchItemException;
import io.vigil.common.observability.InstrumentedExecutor;
import io.vigil.storage.elastic.LowLevelElasticsearch;
import io.vigil.storage.history.Bulk;
import io.vigil.storage.history.IndexFamily;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Writes a {@link MinuteBlock} for every series hour that has closed: the series query reads a
 * closed hour of minutes as one block instead of 60 histogram buckets.
 *
 * <p><b>When.</b> The aggregator closes a series' windows in one pass, its minutes before its longer
 * windows, and sends them in that order on the series' partition; so once the series' 3600 s rollup
 * of an hour is indexed, every on-time minute of that hour is indexed too (a later one would be a
 * late point, which has its own index). {@link RollupIndexer} tells this writer of each hour rollup
 * after its bulk succeeded; the block is built {@code settle} later (after Elasticsearch's refresh
 * made those minutes searchable) from the minutes found, and only when their counts add up to the
 * hour's count (the hour is folded from its minutes): otherwise it is tried again, and after {@code
 * attempts} left unwritten ({@code outcome=incomplete}). A block never written costs nothing but
 * speed: the query reads the minutes of any hour without a block.
 *
 * <p><b>Degraded.</b> What is pending lives in memory, at most {@code maxPending} hours (beyond:
 * {@code outcome=dropped}). Elasticsearch away: the due hours stay pending and are tried at the next
 * run ({@code outcome=failed}); a restart loses the pending hours (their queries read minutes), and
 * the consumer's redelivery after it brings the uncommitted ones again. Writing a block twice writes
 * the same document: the minutes of a closed hour never change (the aggregator emits each window
 * once, and a redelivered rollup carries the same values), so a block, once written, stays true.
 *
 * <p><b>Pace.</b> Every series' hour closes at once, so each hour brings a burst of blocks, and each
 * block reads its 60 minutes back. At most {@code maxRate} hours a second are built, so that burst
 * is spread over minutes instead of taking Elasticsearch from the live indexing (at the default 250,
 * an instance's 100,000 series are written in under seven minutes); the hours waiting are read from
 * their minutes meanwhile.
 */
public final class BlockWriter implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(BlockWriter.class);
  /** Series read in one search: their minutes (at most 60 each) within one answer of 10,000 hits. */
  static final int SERIES_PER_SEARCH = 150;
  /** The writer's settings: see the class comment. */
  public record Settings(Duration settle, Duration interval, int maxPending, int attempts, int maxRate) {
    public Settings {
      if (maxRate < 1) {
        throw new IllegalArgumentException("vigil.storage.blocks.max-rate must be positive: " + maxRate);
      }
      if (settle == null || settle.isNegative() || interval == null || interval.toMillis() < 10) {
        throw new IllegalArgumentException("vigil.storage.blocks.settle must be >= 0 and interval >= 10ms: "
            + settle + ", " + interval);
      }
      if (maxPending < 1 || attempts < 1) {
        throw new IllegalArgumentException("vigil.storage.blocks.max-pending and attempts must be positive: "
            + maxPending + ", " + attempts);
      }
    }

    /** The most hours one run builds: {@code maxRate} an interval's worth. */
    int perRun() {
      return (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxRate * interval.toMillis() / 1000));
    }
  }

  private record Key(long seriesId, long hourMs) {}

  private static final class Pending {
    final String tenant;
    final long count;
    long dueMs;
    int attempts;

    Pending(String tenant, long count, long dueMs) {
      this.tenant = tenant;
      this.count = count;
      this.dueMs = dueMs;
    }
  }

  private final ElasticsearchClient client;
  private final RollupIndices rollups;
  private final IndexFamily blocks;
  private final RollupTemplate.Settings indexSettings;
  private final Settings settings;
  private final Clock clock;
  private final LinkedHashMap<Key, Pending> pending = new LinkedHashMap<>(); // guarded by itself
  private int inRun; // hours taken by the run under way; guarded by pending
  private final Counter written;
  private final Counter dropped;
  private final Counter incomplete;
  private final Counter failed;
  private final ScheduledThreadPoolExecutor timer;
  private volatile boolean templateInstalled;

  /** {@code run}: on a timer of its own every {@code interval}; else the caller calls {@link #runDue} (tests). */
  public BlockWriter(ElasticsearchClient client, RollupIndices rollups, IndexFamily blocks,
      RollupTemplate.Settings indexSettings, Settings settings, Clock clock, MeterRegistry registry, boolean run) {
    this.client = client;
    this.rollups = rollups;
    this.blocks = blocks;
    this.indexSettings = indexSettings;
    this.settings = settings;
    this.clock = clock;
    String name = "vigil_storage_blocks_total";
    String what = "hours of 60 s rollups made one block document";
    this.written = Counter.builder(name).tag("outcome", "written").description(what).register(registry);
    this.dropped = Counter.builder(name).tag("outcome", "dropped").description(what).register(registry);
    this.incomplete = Counter.builder(name).tag("outcome", "incomplete").description(what).register(registry);
    this.failed = Counter.builder(name).tag("outcome", "failed").description(what).register(registry);
    Gauge.builder("vigil_storage_blocks_pending", this, BlockWriter::pending)
        .description("closed series hours waiting for their block (being written included)").register(registry);
    if (!run) {
      this.timer = null;
      return;
    }
    this.timer = InstrumentedExecutor.scheduled("storage-blocks", registry);
    timer.scheduleWithFixedDelay(this::runQuietly, settings.interval().toMillis(), settings.interval().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** The block index family these blocks go to. */
  public IndexFamily family() {
    return blocks;
  }

  /**
   * An hour rollup of this series was indexed (so were its minutes): its block is due {@code settle}
   * from now. {@code count} is the hour's count of points, which its minutes' counts must add up to.
   */
  public void hourClosed(long seriesId, long hourMs, long count, String tenant) {
    if (hourMs % MinuteBlock.HOUR_MS != 0) {
      return; // not an hour window: nothing this writer can build
    }
    Key key = new Key(seriesId, hourMs);
    synchronized (pending) {
      if (pending.size() >= settings.maxPending() && !pending.containsKey(key)) {
        dropped.increment();
        return;
      }
      pending.put(key, new Pending(tenant, count, clock.millis() + settings.settle().toMillis()));
    }
  }

  /** How many hours wait for their block, those of a run under way included. */
  public int pending() {
    synchronized (pending) {
      return pending.size() + inRun;
    }
  }

  private void runQuietly() {
    try {
      runDue(clock.millis());
    } catch (Throwable e) { // anything thrown out of a periodic task would end the timer for good
      log.warn("minute blocks not written, tried again in {}: {}", settings.interval(), e.toString());
    }
  }

  /** Builds and writes the blocks due at {@code nowMs}; returns how many were written. */
  public int runDue(long nowMs) throws IOException {
    Map<Key, Pending> due = new LinkedHashMap<>();
    synchronized (pending) {
      for (Iterator<Map.Entry<Key, Pending>> it = pending.entrySet().iterator(); it.hasNext()
          && due.size() < settings.perRun();) {
        Map.Entry<Key, Pending> e = it.next();
        if (e.getValue().dueMs <= nowMs) {
          due.put(e.getKey(), e.getValue());
          it.remove();
        }
      }
      inRun = due.size();
    }
    if (due.isEmpty()) {
      return 0;
    }
    try {
      return build(due, nowMs);
    } catch (IOException | RuntimeException | Error e) {
      // Elasticsearch away (or worse): the hours the run had not settled wait for the next one
      failed.increment(due.size());
      requeue(due, nowMs, false);
      throw e;
    } finally {
      synchronized (pending) {
        inRun = 0;
      }
    }
  }

  /**
   * Builds and writes the blocks of {@code due}, removing from it each hour it settles (written, or
   * put back with an attempt counted); what is left when it throws was not settled.
   */
  private int build(Map<Key, Pending> due, long nowMs) throws IOException {
    if (!templateInstalled) {
      RollupTemplate.install(client, templateName(blocks), RollupTemplate.body("blocks-template.json", blocks.pattern(),
          indexSettings));
      templateInstalled = true;
    }
    TreeMap<Long, List<Key>> byHour = new TreeMap<>();
    due.keySet().forEach(k -> byHour.computeIfAbsent(k.hourMs(), h -> new ArrayList<>()).add(k));
    List<Bulk.Doc> docs = new ArrayList<>();
    List<Key> docKeys = new ArrayList<>();
    Map<Key, Pending> notYet = new LinkedHashMap<>();
    for (var hour : byHour.entrySet()) {
      List<Key> keys = hour.getValue();
      for (int from = 0; from < keys.size(); from += SERIES_PER_SEARCH) {
        List<Key> chunk = keys.subList(from, Math.min(keys.size(), from + SERIES_PER_SEARCH));
        Map<Long, MinuteBlock> found;
        try {
          found = readMinutes(hour.getKey(), chunk);
        } catch (DependencyUnavailableException e) {
          throw e;
        } catch (RuntimeException e) {
          // minutes this writer cannot make a block of (an id or a window it does not know, a search
          // refused as built wrong): these hours count an attempt, the other chunks go on
          log.warn("the minutes of {} series' hour {} could not be read into blocks: {}", chunk.size(),
              hour.getKey(), e.toString());
          chunk.forEach(k -> notYet.put(k, due.remove(k)));
          continue;
        }
        for (Key k : chunk) {
          MinuteBlock block = found.get(k.seriesId());
          if (block == null || block.counted() != due.get(k).count) {
            notYet.put(k, due.remove(k)); // not all its minutes are searchable yet (or never will be)
            continue;
          }
          docs.add(new Bulk.Doc(blocks.indexFor(k.hourMs()), documentId(k.seriesId(), k.hourMs()),
              block.document(due.get(k).tenant).getBytes(StandardCharsets.UTF_8)));
          docKeys.add(k);
        }
      }
    }
    requeue(notYet, nowMs, true);
    int done = docs.size();
    try {
      Bulk.index(client, docs, "minute block");
    } catch (BatchItemException e) {
      if (e.getCause() instanceof DependencyUnavailableException) {
        throw e; // Elasticsearch away: the whole run waits (the blocks before the refused one are written again)
      }
      // a block Elasticsearch refused: those before it are written, it counts an attempt, the rest go again
      log.warn("minute block {} refused: {}", docKeys.get(e.index()), e.getCause().toString());
      done = e.index();
      Key refused = docKeys.get(e.index());
      requeue(Map.of(refused, due.remove(refused)), nowMs, true);
      Map<Key, Pending> after = new LinkedHashMap<>();
      docKeys.subList(e.index() + 1, docKeys.size()).forEach(k -> after.put(k, due.remove(k)));
      requeue(after, nowMs, false);
    }
    for (int i = 0; i < done; i++) {
      due.remove(docKeys.get(i));
    }
    written.increment(done);
    return done;
  }

  /** Puts hours back to be tried after {@code settle}; counted ones past their attempts are given up. */
  private void requeue(Map<Key, Pending> hours, long nowMs, boolean counted) {
    synchronized (pending) {
      hours.forEach((k, p) -> {
        if (counted && ++p.attempts >= settings.attempts()) {
          incomplete.increment();
          return;
        }
        p.dueMs = nowMs + settings.settle().toMillis();
        pending.putIfAbsent(k, p); // an hour closed again meanwhile keeps its newer entry
      });
    }
  }

  /** The index template's name: the pattern's prefix, so a test run's never touches a deployment's. */
  static String templateName(IndexFamily blocks) {
    String pattern = blocks.pattern();
    return pattern.substring(0, pattern.length() - 1) + "template";
  }

  /** A block's document id: its series (16 hex digits) and hour. */
  public static String documentId(long seriesId, long hourMs) {
    return io.vigil.common.series.SeriesId.hex(seriesId) + "-" + hourMs;
  }

  /** The minutes of these series in the hour, as blocks by series id. */
  private Map<Long, MinuteBlock> readMinutes(long hourMs, List<Key> chunk) throws IOException {
    StringBuilder ids = new StringBuilder();
    for (Key k : chunk) {
      ids.append(ids.isEmpty() ? "" : ",").append(k.seriesId());
    }
    String body = "{\"size\":" + chunk.size() * 60 + ",\"track_total_hits\":false,\"_source\":false,"
        + "\"docvalue_fields\":[\"sum\",\"count\",\"min\",\"max\",\"last\"],\"query\":{\"bool\":{\"filter\":["
        + "{\"terms\":{\"seriesId\":[" + ids + "]}},{\"term\":{\"periodSeconds\":60}},"
        + "{\"range\":{\"windowStartMs\":{\"gte\":" + hourMs + ",\"lt\":" + (hourMs + MinuteBlock.HOUR_MS) + "}}}]}}}";
    Request request = new Request("POST", "/" + rollups.indexFor(60, hourMs) + "/_search");
    request.addParameter("filter_path", "hits.hits._id,hits.hits.fields,_shards.failed");
    request.addParameter("ignore_unavailable", "true");
    request.setEntity(new StringEntity(body, ContentType.APPLICATION_JSON));
    Map<Long, MinuteBlock> out = new HashMap<>();
    return LowLevelElasticsearch.searchAsSmile(LowLevelElasticsearch.client(client), request, "minutes search", p -> {
      readHits(p, hourMs, out);
      return out;
    });
  }

  /** Reads {@code {"_shards":{"failed":n},"hits":{"hits":[{"_id":..,"fields":{"sum":[x],..}}]}}}. */
  static void readHits(JsonParser p, long hourMs, Map<Long, MinuteBlock> out) {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new IllegalStateException("unexpected answer from Elasticsearch");
    }
    LowLevelElasticsearch.readSearchAnswer(p, "minutes search", (name, parser) -> {
      if (name.equals("hits")) {
        LowLevelElasticsearch.eachHit(parser, () -> readHit(parser, hourMs, out));
      } else {
        parser.skipChildren();
      }
    });
  }

  private static void readHit(JsonParser p, long hourMs, Map<Long, MinuteBlock> out) {
    String id = null;
    double[] v = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      p.nextToken();
      if (name.equals("_id")) {
        id = p.getString();
      } else if (name.equals("fields")) {
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
          int slot = switch (p.currentName()) {
            case "sum" -> 0;
            case "count" -> 1;
            case "min" -> 2;
            case "max" -> 3;
            case "last" -> 4;
            default -> -1;
          };
          p.nextToken(); // the array
          if (slot >= 0 && p.nextToken() != JsonToken.END_ARRAY) {
            v[slot] = p.getDoubleValue();
            p.skipChildren();
            while (p.nextToken() != JsonToken.END_ARRAY) {
              p.skipChildren();
            }
          } else if (slot < 0) {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
    // the id is the window's identity: 16 hex digits of the series, the period, the window start
    // (a window before 1970 starts with a dash of its own: the start follows the period's dash)
    int first = id == null ? -1 : id.indexOf('-');
    int second = first < 0 ? -1 : id.indexOf('-', first + 1);
    if (first != 16 || second < 0 || second + 1 >= id.length()) {
      throw new IllegalStateException("not a rollup document id: " + id);
    }
    long series = Long.parseUnsignedLong(id, 0, 16, 16);
    long windowStart = Long.parseLong(id, second + 1, id.length(), 10);
    out.computeIfAbsent(series, s -> new MinuteBlock(s, hourMs)).put(windowStart, v[0], v[1], v[2], v[3], v[4]);
  }

  @Override
  public void destroy() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
