package io.vigil.bench;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.kafka.Topics;
import io.vigil.common.model.Rollup;
import io.vigil.common.points.SeriesPartitioner;
import io.vigil.common.series.SeriesId;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Storage's load: a pre-filled rollup topic, a stopwatch on storage's own count of the rollups it
 * indexed, and a query mix against the series API and the Prometheus-compatible one.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.vigil.bench.StorageLoad fill &lt;prefix&gt; &lt;series&gt; &lt;metrics&gt; &lt;minutes&gt;
 * java -cp bench/target/benchmarks.jar io.vigil.bench.StorageLoad wait &lt;prefix&gt; &lt;storage url&gt; &lt;es url&gt; &lt;index prefix&gt; &lt;pid&gt;...
 * java -cp bench/target/benchmarks.jar io.vigil.bench.StorageLoad query &lt;prefix&gt; &lt;storage url&gt; &lt;key&gt; &lt;queries&gt;
 * java -cp bench/target/benchmarks.jar io.vigil.bench.StorageLoad clean &lt;topic prefix&gt; &lt;es url&gt; &lt;index prefix&gt;
 * </pre>
 *
 * <p>{@code clean}: deletes the topics under the topic prefix and the indices and index templates
 * under the index prefix (by name: Elasticsearch refuses wildcard deletes).
 *
 * <p>{@code fill}: {@code series} series ({@code metrics} metrics over instances, the instances over
 * 10 tenants), each with a rollup per minute for {@code minutes} minutes and the 5-minute, 15-minute
 * and hour rollups those minutes close, as the aggregator writes them to {@code
 * <prefix>metrics.rollup.default} (keyed and placed by series), in time order, starting on the hour
 * {@code minutes} + 1 h ago. Writes {@code <topic>.fill} beside: the rollup count, the start, the
 * minutes, the series and the metrics.
 *
 * <p>{@code wait}: samples storage's count of rollups consumed ({@code vigil_kafka_consumed_total} of
 * the rollup topics, counted as a poll is decoded, one poll ahead of its bulk request) and the RSS of
 * the given processes every second until every rollup is counted, then prints the rate from the first
 * rollup counted to the last, the slowest and fastest 30 s, the consumer threads' time per rollup,
 * the peak RSS of each process, and Elasticsearch's document count once the last bulk is in (it must
 * equal the rollups written: one document per window).
 *
 * <p>{@code query}: {@code queries} series queries over the filled data (after 100 not counted), each
 * with a range of 1 h to 24 h ending anywhere in the data, a selection of 1, 10, 30, 90 or all 100
 * series of one metric, a statistic and a point budget drawn at random (seeded), one at a time;
 * then the same selections and ranges as PromQL through {@code /api/v1/query_range} with a step of
 * range / 1,000 (at least 60 s; Grafana's default for a wide panel), a quarter of them aggregated.
 * Prints the latency percentiles of each (from sending the request to the last byte of its answer)
 * and checks every answer's series count.
 */
public final class StorageLoad {

  static final int PARTITIONS = 12;
  static final String NAMESPACE = "benchload/cloud";
  static final int TENANTS = 10;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  public static void main(String[] args) throws Exception {
    String bootstrap = System.getenv().getOrDefault("VIGIL_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    switch (args[0]) {
      case "fill" -> {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
          fill(admin, bootstrap, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
              Integer.parseInt(args[4]));
        }
      }
      case "wait" -> {
        List<Long> pids = new ArrayList<>();
        for (int i = 5; i < args.length; i++) {
          pids.add(Long.parseLong(args[i]));
        }
        await(args[1], args[2], args[3], args[4], pids);
      }
      case "query" -> query(args[1], args[2], args[3], Integer.parseInt(args[4]));
      case "clean" -> {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
          clean(admin, args[1], args[2], args[3]);
        }
      }
      default -> throw new IllegalArgumentException("fill | wait | query | clean");
    }
  }

  /** What a fill wrote, read back from its file. */
  record Fill(long rollups, long startMs, int minutes, int series, int metrics) {

    static Fill read(String prefix) throws Exception {
      String[] f = Files.readString(Path.of(topic(prefix) + ".fill")).trim().split(" ");
      return new Fill(Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
          Integer.parseInt(f[4]));
    }
  }

  static String topic(String prefix) {
    return prefix + Topics.rollup("default").base();
  }

  static String metric(int s, int metrics) {
    return metrics == 1 ? "cpu_usage" : "cpu_metric_" + s % metrics;
  }

  static Map<String, String> dimensions(int s, int metrics) {
    int instance = s / metrics;
    Map<String, String> d = new TreeMap<>();
    d.put("appid", appid(instance % TENANTS));
    d.put("instance", instance(instance));
    d.put("zone", "ap-guangzhou-" + (1 + instance % 3));
    return d;
  }

  static String appid(int tenant) {
    return Integer.toString(1_250_000_000 + tenant);
  }

  static String instance(int instance) {
    return "ins-" + Integer.toHexString(0x100000 + instance);
  }

  static void fill(Admin admin, String bootstrap, String prefix, int series, int metrics, int minutes)
      throws Exception {
    String topic = topic(prefix);
    admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
    io.vigil.common.kafka.TopicReadiness.awaitLeaders(admin, List.of(topic), Duration.ofSeconds(30));
    long start = (System.currentTimeMillis() - minutes * 60_000L - 3_600_000L) / 3_600_000L * 3_600_000L;
    long[] ids = new long[series];
    String[] names = new String[series];
    List<Map<String, String>> dims = new ArrayList<>(series);
    for (int s = 0; s < series; s++) {
      names[s] = metric(s, metrics);
      dims.add(dimensions(s, metrics));
      ids[s] = SeriesId.of(NAMESPACE, "local", names[s], dims.get(s));
    }
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 << 10);
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L << 20);
    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20);
    MessageCodec codec = new MessageCodec();
    int[] longer = {300, 900, 3600};
    long rollups = 0;
    long began = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
        new ByteArraySerializer())) {
      for (int m = 0; m < minutes; m++) {
        long window = start + m * 60_000L;
        for (int s = 0; s < series; s++) {
          double v = value(s, m);
          send(producer, codec, topic, ids[s], names[s], dims.get(s), 60, window, 6, v);
          rollups++;
          for (int period : longer) {
            int minutesIn = period / 60;
            if ((m + 1) % minutesIn == 0) {
              send(producer, codec, topic, ids[s], names[s], dims.get(s), period,
                  window + 60_000L - period * 1000L, 6 * minutesIn, v);
              rollups++;
            }
          }
        }
      }
      producer.flush();
    }
    double secs = (System.nanoTime() - began) / 1e9;
    Files.writeString(Path.of(topic + ".fill"), rollups + " " + start + " " + minutes + " " + series + " " + metrics
        + "\n");
    System.out.printf("filled %s: %d rollups (%d series x %d minutes and the longer windows they close) in %.1f s%n",
        topic, rollups, series, minutes, secs);
  }

  /** A value that wanders with the series and the minute, in [0, 100). */
  static double value(int s, int m) {
    return ((s * 31L + m * 7L) % 1000) / 10.0;
  }

  static void send(KafkaProducer<String, byte[]> producer, MessageCodec codec, String topic, long id, String metric,
      Map<String, String> dims, int period, long windowStart, long count, double v) {
    Rollup r = new Rollup(Rollup.SCHEMA_VERSION, id, NAMESPACE, "local", metric, dims, "default", period, windowStart,
        v * count, count, v - 1, v + 1, v, windowStart + period * 1000L + 5_000, dims.get("appid"));
    producer.send(new ProducerRecord<>(topic, SeriesPartitioner.partition(id, PARTITIONS), SeriesId.key(id),
        codec.encode(r)));
  }

  static void await(String prefix, String storageUrl, String esUrl, String indexPrefix, List<Long> pids)
      throws Exception {
    Fill fill = Fill.read(prefix);
    HttpClient http = HttpClient.newHttpClient();
    List<long[]> samples = new ArrayList<>(); // {nanos, indexed}
    long[] peakRss = new long[pids.size()];
    long lastProgressAt = System.nanoTime();
    long last = -1;
    while (true) {
      Map<String, Double> m = scrape(http, storageUrl + "/actuator/prometheus");
      long indexed = (long) sum(m, "vigil_kafka_consumed_total{", "topic=\"metrics.rollup.");
      long now = System.nanoTime();
      samples.add(new long[] {now, indexed});
      for (int i = 0; i < pids.size(); i++) {
        peakRss[i] = Math.max(peakRss[i], rssKb(pids.get(i)));
      }
      if (indexed > last) {
        last = indexed;
        lastProgressAt = now;
      }
      if (indexed >= fill.rollups()) {
        break;
      }
      if (now - lastProgressAt > TimeUnit.MINUTES.toNanos(3)) {
        throw new IllegalStateException("no progress for 3 minutes at " + indexed + " of " + fill.rollups());
      }
      Thread.sleep(1_000);
    }
    long[] first = samples.stream().filter(s -> s[1] > 0).findFirst().orElseThrow();
    long[] done = samples.get(samples.size() - 1);
    // the first sample that counted anything may have caught a part of a second: rate from the one before
    int firstIndex = samples.indexOf(first);
    long[] from = firstIndex > 0 ? samples.get(firstIndex - 1) : first;
    double secs = (done[0] - from[0]) / 1e9;
    System.out.printf("indexed %d rollups in %.1f s: %.0f rollups/s (from the first counted to the last)%n",
        done[1] - from[1], secs, (done[1] - from[1]) / secs);
    List<Double> windows = new ArrayList<>();
    for (int i = firstIndex; i < samples.size(); i++) {
      for (int j = i; j < samples.size(); j++) {
        if (samples.get(j)[0] - samples.get(i)[0] >= TimeUnit.SECONDS.toNanos(30)) {
          // only whole 30 s windows before the backlog ran out
          if (samples.get(j)[1] < fill.rollups()) {
            windows.add((samples.get(j)[1] - samples.get(i)[1]) / ((samples.get(j)[0] - samples.get(i)[0]) / 1e9));
          }
          break;
        }
      }
    }
    if (!windows.isEmpty()) {
      windows.sort(null);
      System.out.printf("30 s windows: slowest %.0f, median %.0f, fastest %.0f rollups/s (%d windows)%n",
          windows.get(0), windows.get(windows.size() / 2), windows.get(windows.size() - 1), windows.size());
    }
    Map<String, Double> m = scrape(http, storageUrl + "/actuator/prometheus");
    double handled = sum(m, "vigil_kafka_processing_seconds_count{", "topic=\"metrics.rollup.");
    double handlerSecs = sum(m, "vigil_kafka_processing_seconds_sum{", "topic=\"metrics.rollup.");
    if (handled > 0) {
      System.out.printf("consumer threads' time in the handler (bulk request included): %.1f us per rollup%n",
          handlerSecs * 1e6 / handled);
    }
    for (int i = 0; i < pids.size(); i++) {
      System.out.printf("peak RSS of pid %d (%s): %d MB%n", pids.get(i), command(pids.get(i)), peakRss[i] / 1024);
    }
    long docs = 0;
    for (int attempt = 0; attempt < 60 && docs < fill.rollups(); attempt++) {
      if (attempt > 0) {
        Thread.sleep(1_000); // the last poll's bulk request may still be under way
      }
      send(http, "POST", esUrl + "/" + indexPrefix + "rollups-*/_refresh", null);
      docs = JSON.readTree(send(http, "GET", esUrl + "/" + indexPrefix + "rollups-*/_count", null)).path("count")
          .asLong();
    }
    System.out.printf("Elasticsearch holds %d rollup documents of %d written%s%n", docs, fill.rollups(),
        docs == fill.rollups() ? "" : "  <-- MISMATCH");
    // hour blocks are written a settle time (30 s) after their hour rollup, at most 250 hours a second:
    // wait until none is pending, at most BLOCKS_WAIT_SECONDS (300; the index phase: 0)
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(
        System.getenv().getOrDefault("BLOCKS_WAIT_SECONDS", "300")));
    Map<String, Double> b = scrape(http, storageUrl + "/actuator/prometheus");
    while (sum(b, "vigil_storage_blocks_pending", "") > 0 && System.nanoTime() < deadline) {
      Thread.sleep(1_000);
      b = scrape(http, storageUrl + "/actuator/prometheus");
    }
    send(http, "POST", esUrl + "/" + indexPrefix + "minute-blocks-*/_refresh", null);
    System.out.printf("minute blocks: %.0f written, %.0f incomplete, %.0f dropped, %.0f failed, %.0f pending; "
        + "Elasticsearch holds %d%n", sum(b, "vigil_storage_blocks_total{", "outcome=\"written\""),
        sum(b, "vigil_storage_blocks_total{", "outcome=\"incomplete\""),
        sum(b, "vigil_storage_blocks_total{", "outcome=\"dropped\""),
        sum(b, "vigil_storage_blocks_total{", "outcome=\"failed\""), sum(b, "vigil_storage_blocks_pending", ""),
        JSON.readTree(send(http, "GET", esUrl + "/" + indexPrefix + "minute-blocks-*/_count", null)).path("count")
            .asLong());
    JsonNode stats = JSON.readTree(send(http, "GET", esUrl + "/" + indexPrefix + "rollups-*/_stats/store,docs", null));
    System.out.printf("on disk: %.1f MB%n", stats.path("_all").path("primaries").path("store")
        .path("size_in_bytes").asLong() / 1e6);
  }

  /** Latencies of one kind of query. */
  static final class Latencies {
    final String name;
    final List<Long> micros = new ArrayList<>();

    Latencies(String name) {
      this.name = name;
    }

    void print() {
      List<Long> sorted = new ArrayList<>(micros);
      sorted.sort(null);
      double mean = sorted.stream().mapToLong(Long::longValue).average().orElse(0);
      System.out.printf("%-34s n=%d  p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms  mean %.1f ms%n", name,
          sorted.size(), RollupLoad.pct(sorted, 50) / 1000.0, RollupLoad.pct(sorted, 90) / 1000.0,
          RollupLoad.pct(sorted, 99) / 1000.0,
          sorted.get(sorted.size() - 1) / 1000.0, mean / 1000.0);
    }
  }

  /** One drawn query: its range, its selection and how many series that selects. */
  record Drawn(long fromMs, long toMs, String statistic, int maxPoints, String selection, int expected,
      List<Map<String, Object>> filters, String matchers, boolean aggregate) {}

  static Drawn draw(Random random, Fill fill) {
    long[] ranges = {1, 3, 6, 12, 24};
    long range = ranges[random.nextInt(ranges.length)] * 3_600_000L;
    long dataEnd = fill.startMs() + fill.minutes() * 60_000L;
    long latestStart = dataEnd - range;
    long from = latestStart <= fill.startMs() ? fill.startMs()
        : fill.startMs() + (long) (random.nextDouble() * (latestStart - fill.startMs())) / 60_000L * 60_000L;
    long to = Math.min(from + range, dataEnd);
    String[] stats = {"avg", "avg", "max", "min", "sum", "count", "last"};
    String stat = stats[random.nextInt(stats.length)];
    int[] budgets = {100, 300, 1000, 1440};
    int maxPoints = budgets[random.nextInt(budgets.length)];
    int instances = fill.series() / fill.metrics();
    int tenant = random.nextInt(TENANTS);
    boolean aggregate = random.nextInt(4) == 0;
    switch (random.nextInt(5)) {
      case 0 -> {
        return new Drawn(from, to, stat, maxPoints, "all", instances, List.of(), "", aggregate);
      }
      case 1 -> {
        return new Drawn(from, to, stat, maxPoints, "one tenant", instances / TENANTS,
            List.of(filter("Equal", "appid", appid(tenant))), ",appid=\"" + appid(tenant) + "\"", aggregate);
      }
      case 2 -> {
        String three = appid(tenant) + "," + appid((tenant + 1) % TENANTS) + "," + appid((tenant + 2) % TENANTS);
        return new Drawn(from, to, stat, maxPoints, "three tenants", 3 * instances / TENANTS,
            List.of(filter("In", "appid", List.of(three.split(",")))), ",appid=~\"" + three.replace(',', '|') + "\"", aggregate);
      }
      case 3 -> {
        return new Drawn(from, to, stat, maxPoints, "all but one tenant", instances - instances / TENANTS,
            List.of(filter("NotEqual", "appid", appid(tenant))), ",appid!=\"" + appid(tenant) + "\"", aggregate);
      }
      default -> {
        String one = instance(random.nextInt(instances));
        return new Drawn(from, to, stat, maxPoints, "one instance", 1, List.of(filter("Equal", "instance", one)),
            ",instance=\"" + one + "\"", aggregate);
      }
    }
  }

  static Map<String, Object> filter(String function, String field, Object args) {
    Map<String, Object> f = new TreeMap<>();
    f.put("Function", function);
    f.put("Field", field);
    f.put("Args", args);
    return f;
  }

  static void query(String prefix, String storageUrl, String key, int queries) throws Exception {
    Fill fill = Fill.read(prefix);
    if (fill.metrics() != 1) {
      throw new IllegalArgumentException("the query mix reads one metric: fill with 1 metric");
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Latencies api = new Latencies("POST /v1/series/query");
    Latencies prom = new Latencies("GET /api/v1/query_range");
    Map<String, Latencies> bySelection = new TreeMap<>();
    Map<Long, Latencies> byRange = new TreeMap<>();
    Map<Integer, Latencies> byPoints = new TreeMap<>();
    Random random = new Random(42);
    long points = 0;
    for (int i = -100; i < queries; i++) {
      Drawn d = draw(random, fill);
      Map<String, Object> body = new TreeMap<>();
      body.put("namespace", NAMESPACE);
      body.put("metric", "cpu_usage");
      body.put("period", 60);
      body.put("statistic", d.statistic());
      body.put("fromMs", d.fromMs());
      body.put("toMs", d.toMs());
      body.put("filters", d.filters());
      body.put("maxPoints", d.maxPoints());
      long t0 = System.nanoTime();
      byte[] bytes = call(http, HttpRequest.newBuilder(URI.create(storageUrl + "/v1/series/query"))
          .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
      long micros = (System.nanoTime() - t0) / 1000; // to the answer's last byte; read after
      JsonNode answer = JSON.readTree(bytes);
      int got = answer.path("series").size();
      if (got != d.expected()) {
        throw new IllegalStateException(d + ": " + got + " series, expected " + d.expected());
      }
      for (JsonNode s : answer.path("series")) {
        points += s.path("points").size();
      }
      if (i >= 0) {
        api.micros.add(micros);
        bySelection.computeIfAbsent(d.selection(), Latencies::new).micros.add(micros);
        byRange.computeIfAbsent((d.toMs() - d.fromMs()) / 3_600_000L, h -> new Latencies(h + " h")).micros.add(micros);
        long windows = (d.toMs() - d.fromMs()) / 60_000L;
        long perStep = (windows + d.maxPoints() - 1) / d.maxPoints();
        long asked = d.expected() * ((windows + perStep - 1) / perStep);
        int size = asked <= 10_000 ? 0 : asked <= 50_000 ? 1 : asked <= 100_000 ? 2 : 3;
        byPoints.computeIfAbsent(size, k -> new Latencies(new String[] {"up to 10,000 points", "10,001-50,000 points",
            "50,001-100,000 points", "over 100,000 points"}[k])).micros.add(micros);
      }
    }
    random = new Random(42);
    for (int i = -100; i < queries; i++) {
      Drawn d = draw(random, fill);
      String stat = "count".equals(d.statistic()) ? "count" : d.statistic();
      String selector = "cpu_usage:" + stat + "_60s{namespace=\"" + NAMESPACE + "\"" + d.matchers() + "}";
      String promql = d.aggregate() ? "sum by (appid) (" + selector + ")" : selector;
      long step = Math.max(60, (d.toMs() - d.fromMs()) / 1000 / 1000);
      String url = storageUrl + "/api/v1/query_range?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
          + "&start=" + d.fromMs() / 1000 + "&end=" + (d.toMs() / 1000 - 60) + "&step=" + step;
      long t0 = System.nanoTime();
      byte[] bytes = call(http, HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
          .GET().build());
      long micros = (System.nanoTime() - t0) / 1000;
      JsonNode answer = JSON.readTree(bytes);
      int got = answer.path("data").path("result").size();
      int expected = !d.aggregate() ? d.expected() : switch (d.selection()) {
        case "all" -> TENANTS;
        case "one tenant", "one instance" -> 1;
        case "three tenants" -> 3;
        default -> TENANTS - 1;
      };
      if (got != expected) {
        throw new IllegalStateException(promql + ": " + got + " series, expected " + expected);
      }
      if (i >= 0) {
        prom.micros.add(micros);
      }
    }
    System.out.printf("%d queries of each kind over %d series x %d minutes of 60 s rollups (%d points returned by"
        + " the series API)%n", queries, fill.series(), fill.minutes(), points);
    api.print();
    bySelection.values().forEach(l -> {
      System.out.print("  ");
      l.print();
    });
    byRange.values().forEach(l -> {
      System.out.print("  ");
      l.print();
    });
    byPoints.values().forEach(l -> {
      System.out.print("  ");
      l.print();
    });
    prom.print();
  }

  /** The answer's bytes, all of them received (what a latency is measured to). */
  static byte[] call(HttpClient http, HttpRequest request) throws Exception {
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": "
          + new String(response.body(), StandardCharsets.UTF_8));
    }
    return response.body();
  }

  static String send(HttpClient http, String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + url + " answered " + response.statusCode() + ": "
          + response.body());
    }
    return response.body();
  }

  /** Prometheus text: every sample line by its name and labels. Empty while the service is not up. */
  static Map<String, Double> scrape(HttpClient http, String url) {
    Map<String, Double> out = new HashMap<>();
    try {
      String body = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      for (String line : body.split("\n")) {
        if (!line.startsWith("#") && line.indexOf(' ') > 0) {
          int space = line.lastIndexOf(' ');
          try {
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
          } catch (NumberFormatException e) {
            // not a sample
          }
        }
      }
    } catch (Exception e) {
      // not up yet
    }
    return out;
  }

  static double sum(Map<String, Double> samples, String name, String having) {
    return samples.entrySet().stream().filter(e -> e.getKey().startsWith(name) && e.getKey().contains(having))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (Exception e) {
      // gone
    }
    return 0;
  }

  static String command(long pid) {
    try {
      String cmd = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
      return cmd.contains("storage-service") ? "storage-service" : cmd.contains("org.elasticsearch")
          ? "Elasticsearch" : cmd.length() > 40 ? cmd.substring(0, 40) : cmd;
    } catch (Exception e) {
      return "?";
    }
  }

  static void clean(Admin admin, String topicPrefix, String esUrl, String indexPrefix) throws Exception {
    if (topicPrefix.length() < 6 || indexPrefix.length() < 6) {
      throw new IllegalArgumentException("refusing to clean under a prefix that short");
    }
    List<String> topics = admin.listTopics().names().get().stream().filter(t -> t.startsWith(topicPrefix)).toList();
    if (!topics.isEmpty()) {
      admin.deleteTopics(topics).all().get(60, TimeUnit.SECONDS);
    }
    HttpClient http = HttpClient.newHttpClient();
    List<String> indices = new ArrayList<>();
    for (JsonNode i : JSON.readTree(send(http, "GET", esUrl + "/_cat/indices/" + indexPrefix + "*?format=json&h=index",
        null))) {
      indices.add(i.path("index").asString());
    }
    for (int from = 0; from < indices.size(); from += 50) {
      send(http, "DELETE", esUrl + "/" + String.join(",", indices.subList(from, Math.min(indices.size(), from + 50))),
          null);
    }
    List<String> templates = new ArrayList<>();
    HttpResponse<String> listed = http.send(HttpRequest.newBuilder(URI.create(esUrl + "/_index_template/" + indexPrefix
        + "*")).build(), HttpResponse.BodyHandlers.ofString());
    if (listed.statusCode() == 200) { // 404: none
      for (JsonNode t : JSON.readTree(listed.body()).path("index_templates")) {
        templates.add(t.path("name").asString());
      }
    }
    for (String t : templates) {
      send(http, "DELETE", esUrl + "/_index_template/" + t, null);
    }
    System.out.printf("removed %d topics, %d indices and %d templates%n", topics.size(), indices.size(),
        templates.size());
  }
}
