package io.vigil.bench;

import com.sun.net.httpserver.HttpServer;
import io.vigil.common.semantics.RequestSigning;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole platform under load, against the local platform ({@code bin/vigil up}): {@code --instances}
 * x {@code --metrics} series, one point each per second through the gateway (signed JSON batches of
 * {@code --batch} points from {@code --clients} threads) for {@code --seconds}; one policy per series
 * (up to {@code --policies}, made once through the batch API and reused by later runs), so every
 * rollup is checked against a policy; a known fraction of the series ({@code --firing}) breach for
 * two whole minutes, then recover, group wait 0. A webhook sink in this JVM receives the
 * notifications.
 *
 * <p>Reports ingest points/s accepted, end-to-end alert latency (from the end of the first breaching
 * window to the webhook's arrival, one clock: this machine's) p50/p99/max against the namespace's
 * grace, FIRING and RESOLVED notifications received against expected with duplicates, and each
 * process's CPU (share of one core over the run) and peak RSS, from /proc by the PID files of
 * {@code $VIGIL_HOME/run}.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.vigil.bench.EndToEndLoad --instances 5000 --metrics 20 \
 *   --seconds 300 --firing 0.01 [--policies 100000] [--clients 4] [--batch 2000]
 * </pre>
 */
public final class EndToEndLoad {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String NAMESPACE = "e2eload/vm";
  private static final String TENANT = "load";
  private static final long GRACE_MS = 5_000;

  /** A notification the sink received. */
  record Seen(String status, String instance, String metric, long atMs) {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>(Map.of("policy", "http://127.0.0.1:8086", "gateway",
        "http://127.0.0.1:8081", "instances", "5000", "metrics", "20", "seconds", "300", "firing", "0.01",
        "clients", "4", "batch", "2000", "home", System.getenv().getOrDefault("VIGIL_HOME", "/var/lib/vigil")));
    for (int i = 0; i + 1 < argv.length; i += 2) {
      a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    int instances = Integer.parseInt(a.get("instances"));
    int metrics = Integer.parseInt(a.get("metrics"));
    int policies = Integer.parseInt(a.getOrDefault("policies", Integer.toString(instances * metrics)));
    int seconds = Integer.parseInt(a.get("seconds"));
    double firing = Double.parseDouble(a.get("firing"));
    if (seconds < 240) {
      throw new IllegalArgumentException("--seconds: at least 240 (two breaching minutes and the recovery)");
    }
    String adminKey = Files.readString(Path.of(a.get("home"), "keys", "admin.key")).trim();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(3)).build();
    Map<String, List<Seen>> seen = new ConcurrentHashMap<>();
    HttpServer sink = sink(seen);
    try {
      Control control = new Control(http, a.get("policy"), adminKey);
      control.ensure("/v1/products", "{\"name\": \"e2eload\", \"owners\": [\"bench\"]}");
      StringBuilder metricList = new StringBuilder();
      for (int m = 0; m < metrics; m++) {
        metricList.append(m == 0 ? "" : ", ").append("{\"name\": \"m").append(m).append("\"}");
      }
      control.ensure("/v1/namespaces", "{\"name\": \"" + NAMESPACE + "\", \"requiredDimensions\": [\"instance\"],"
          + " \"metrics\": [" + metricList + "], \"graceMs\": " + GRACE_MS + ", \"maxSeries\": 10000000}");
      JsonNode credential = JSON.readTree(control.call("POST", "/v1/products/e2eload/credentials", "", 201));
      String hook = control.webhook("http://127.0.0.1:" + sink.getAddress().getPort() + "/hook");
      long t0 = System.nanoTime();
      int made = control.policies(policies, metrics, hook);
      System.out.printf("setup: %d policies present, %d made in %.1f s; every one's receiver is this run's sink%n",
          policies, made, (System.nanoTime() - t0) / 1e9);
      // a run begun while the services still digest a bulk import measures the import, not the run
      settle(http, a.getOrDefault("detector", "http://127.0.0.1:8084"), policies,
          Duration.ofSeconds(Long.parseLong(a.getOrDefault("settle-seconds", "1200"))));

      Map<String, long[]> before = processes(Path.of(a.get("home"), "run"));
      Map<String, double[]> stagesBefore = stages(http, a);
      long start = System.currentTimeMillis();
      // the breach covers the second and third whole minutes of the run, so both are complete windows
      long breachFrom = (start / 60_000 + 2) * 60_000;
      long breachTo = breachFrom + 120_000;
      int every = (int) Math.max(1, Math.round(1 / firing));
      int series = instances * metrics;
      // a breaching series pages only when a policy watches it: the first --policies series have one
      int watched = Math.min(series, policies);
      int firingSeries = (watched + every - 1) / every;
      System.out.printf("run: %d series, %d watched by a policy, %d of those breach (one in %d) from %s to %s; %d s%n",
          series, watched, firingSeries, every, Instant.ofEpochMilli(breachFrom), Instant.ofEpochMilli(breachTo),
          seconds);
      Pusher pusher = new Pusher(http, a.get("gateway"), credential.path("keyId").asString(),
          credential.path("secret").asString(), instances, metrics, every, Integer.parseInt(a.get("batch")),
          Integer.parseInt(a.get("clients")));
      pusher.run(start, seconds, breachFrom, breachTo);
      long pushedUntil = System.currentTimeMillis();
      // the last breaching windows' RESOLVED need the window after the breach closed
      long waitUntil = Math.max(pushedUntil, breachTo + 60_000 + GRACE_MS + 30_000);
      while (System.currentTimeMillis() < waitUntil) {
        Thread.sleep(1000);
      }
      Map<String, long[]> after = processes(Path.of(a.get("home"), "run"));
      Map<String, double[]> stagesAfter = stages(http, a);
      report(pusher, seen, firingSeries, breachFrom, (pushedUntil - start) / 1000.0, before, after,
          (System.currentTimeMillis() - start) / 1000.0);
      System.out.printf("%n| stage, this run only (the difference of two scrapes) | mean |%n|---|---|%n");
      stagesAfter.forEach((stage, end) -> {
        double[] begin = stagesBefore.get(stage);
        double n = end[1] - begin[1];
        System.out.printf("| %s | %s |%n", stage, n > 0 ? "%.2f s".formatted((end[0] - begin[0]) / n) : "none");
      });
    } finally {
      sink.stop(0);
    }
  }

  static void report(Pusher p, Map<String, List<Seen>> seen, int expected, long breachFrom, double pushSeconds,
      Map<String, long[]> before, Map<String, long[]> after, double wallSeconds) {
    System.out.printf("%n| measure | value |%n|---|---|%n");
    System.out.printf("| points accepted / s (target %d) | %,.0f |%n", p.target(), p.accepted.get() / pushSeconds);
    System.out.printf("| batches refused or failed | %d of %d |%n", p.failed.get(), p.batches.get());
    System.out.printf("| seconds the pushers fell behind the clock | %d |%n", p.late.get());
    List<Long> latencies = new ArrayList<>();
    int firings = 0;
    int resolveds = 0;
    int duplicates = 0;
    for (List<Seen> list : seen.values()) {
      long f = list.stream().filter(s -> s.status().equals("FIRING")).count();
      long r = list.stream().filter(s -> s.status().equals("RESOLVED")).count();
      firings += (int) Math.min(f, 1);
      resolveds += (int) Math.min(r, 1);
      duplicates += (int) (Math.max(0, f - 1) + Math.max(0, r - 1));
      list.stream().filter(s -> s.status().equals("FIRING")).findFirst()
          .ifPresent(s -> latencies.add(s.atMs() - (breachFrom + 60_000)));
    }
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf("| FIRING notifications (expected %d) | %d |%n", expected, firings);
    System.out.printf("| RESOLVED notifications (expected %d) | %d |%n", expected, resolveds);
    System.out.printf("| duplicates (a second FIRING or RESOLVED of one alert) | %d |%n", duplicates);
    if (sorted.length > 0) {
      System.out.printf("| alert latency after window close, p50 / p99 / max (grace %d ms) | %d / %d / %d ms |%n",
          GRACE_MS, pct(sorted, 0.5), pct(sorted, 0.99), sorted[sorted.length - 1]);
    }
    System.out.printf("%n| process | CPU (cores, mean over %.0f s) | peak RSS |%n|---|---|---|%n", wallSeconds);
    after.forEach((name, end) -> {
      long[] begin = before.get(name);
      if (begin != null) {
        double cores = (end[0] - begin[0]) / 100.0 / wallSeconds; // clock ticks of 10 ms
        System.out.printf("| %s | %.2f | %d MB |%n", name, cores, end[1] / 1024);
      }
    });
  }

  static long pct(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  /**
   * Waits until the detector holds at least {@code policies} policies with no change waiting, and every
   * consumer group that commits on {@code control.changes} has read it to its end (cmdb's knowledge
   * index embeds each policy, the slowest reader of a bulk import); says how far each is meanwhile.
   */
  static void settle(HttpClient http, String detector, int policies, Duration timeout) throws Exception {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    long said = 0;
    try (org.apache.kafka.clients.admin.Admin kafka = org.apache.kafka.clients.admin.Admin.create(Map.of(
        org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, DetectorLoad.bootstrap()))) {
      while (true) {
        String text = http.send(HttpRequest.newBuilder(URI.create(detector + "/actuator/prometheus")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        double held = sum(text, "vigil_policies_loaded");
        double pending = sum(text, "vigil_detector_policies_pending");
        Map<String, Long> lag = controlChangesLag(kafka);
        long behind = lag.values().stream().mapToLong(Long::longValue).sum();
        if (held >= policies && pending == 0 && behind == 0) {
          System.out.printf("settle: the detector holds %.0f policies and control.changes is read to its end, after"
              + " %.0f s%n", held, (System.nanoTime() - t0) / 1e9);
          return;
        }
        if (System.nanoTime() > deadline) {
          System.out.printf("settle: gave up after %s: the detector holds %.0f (%.0f pending), behind on"
              + " control.changes: %s; the run below shares the machine with that%n", timeout, held, pending, lag);
          return;
        }
        if (System.nanoTime() - said > 30_000_000_000L) {
          said = System.nanoTime();
          System.out.printf("settle: the detector holds %.0f of %d policies (%.0f pending); behind on"
              + " control.changes: %s%n", held, policies, pending, lag);
        }
        Thread.sleep(1000);
      }
    }
  }

  /** Per consumer group with offsets on {@code control.changes}: records not yet read. */
  static Map<String, Long> controlChangesLag(org.apache.kafka.clients.admin.Admin kafka) throws Exception {
    Map<String, Long> lag = new java.util.TreeMap<>();
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> ends = new HashMap<>();
    Map<String, Map<org.apache.kafka.common.TopicPartition, Long>> committed = new HashMap<>();
    for (var g : kafka.listConsumerGroups().all().get()) {
      kafka.listConsumerGroupOffsets(g.groupId()).partitionsToOffsetAndMetadata().get().forEach((tp, om) -> {
        if (tp.topic().equals("control.changes") && om != null) {
          committed.computeIfAbsent(g.groupId(), k -> new HashMap<>()).put(tp, om.offset());
          ends.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
      });
    }
    if (ends.isEmpty()) {
      return lag;
    }
    var latest = kafka.listOffsets(ends).all().get();
    committed.forEach((group, offsets) -> lag.put(group, offsets.entrySet().stream()
        .mapToLong(e -> Math.max(0, latest.get(e.getKey()).offset() - e.getValue())).sum()));
    return lag;
  }

  /** The sum of a family's samples in Prometheus text whose labels contain every fragment (0 when none). */
  static double sum(String text, String family, String... fragments) {
    double sum = 0;
    for (String line : text.split("\n")) {
      if ((line.startsWith(family + "{") || line.startsWith(family + " "))
          && Arrays.stream(fragments).allMatch(line::contains)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /**
   * The stages' own meters, each a sum and a count: where the time between a point and its page goes.
   * A service that does not answer gives zeros.
   */
  static Map<String, double[]> stages(HttpClient http, Map<String, String> a) {
    String[][] meters = {
        {"aggregator: consume delay of metrics.raw", "aggregator", "vigil_kafka_consume_delay_seconds",
            "topic=\"metrics.raw\""},
        {"aggregator: close delay of 60 s windows (grace included)", "aggregator", "vigil_rollup_close_delay_seconds",
            "period=\"60\""},
        {"detector: consume delay of metrics.rollup.default", "detector", "vigil_kafka_consume_delay_seconds",
            "topic=\"metrics.rollup.default\""},
        {"notifier: consume delay of alerts.events", "notifier", "vigil_kafka_consume_delay_seconds",
            "topic=\"alerts.events\""}};
    Map<String, String> urls = Map.of("aggregator", a.getOrDefault("aggregator", "http://127.0.0.1:8082"),
        "detector", a.getOrDefault("detector", "http://127.0.0.1:8084"),
        "notifier", a.getOrDefault("notifier", "http://127.0.0.1:8085"));
    Map<String, String> texts = new HashMap<>();
    Map<String, double[]> out = new LinkedHashMap<>();
    for (String[] m : meters) {
      String text = texts.computeIfAbsent(m[1], service -> {
        try {
          return http.send(HttpRequest.newBuilder(URI.create(urls.get(service) + "/actuator/prometheus")).build(),
              HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
          return "";
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return "";
        }
      });
      out.put(m[0], new double[] {sum(text, m[2] + "_sum", m[3]), sum(text, m[2] + "_count", m[3])});
    }
    return out;
  }

  /** CPU ticks (user + system) and peak RSS (kB) of every process with a PID file. */
  static Map<String, long[]> processes(Path run) throws IOException {
    Map<String, long[]> out = new LinkedHashMap<>();
    List<Path> files = new ArrayList<>();
    try (var list = Files.list(run)) {
      list.filter(f -> f.toString().endsWith(".pid")).sorted().forEach(files::add);
    }
    Path es = run.resolve("es/elasticsearch.pid");
    if (Files.exists(es)) {
      files.add(es);
    }
    Map<String, String> pids = new LinkedHashMap<>();
    for (Path f : files) {
      pids.put(f.getFileName().toString().replace(".pid", ""), Files.readString(f).trim());
    }
    // this load generator shares the machine: its part of the CPU is part of the picture
    pids.put("(this load generator)", Long.toString(ProcessHandle.current().pid()));
    for (Map.Entry<String, String> e : pids.entrySet()) {
      String pid = e.getValue();
      Path proc = Path.of("/proc", pid);
      if (!Files.exists(proc)) {
        continue;
      }
      String stat = Files.readString(proc.resolve("stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      long hwm = 0;
      for (String line : Files.readAllLines(proc.resolve("status"))) {
        if (line.startsWith("VmHWM:")) {
          hwm = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      out.put(e.getKey(), new long[] {ticks, hwm});
    }
    return out;
  }

  /** One point per series per second, signed batches from a few threads, on the clock. */
  static final class Pusher {
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong batches = new AtomicLong();
    final AtomicLong late = new AtomicLong();
    private final HttpClient http;
    private final String gateway;
    private final String keyId;
    private final String secret;
    private final int instances;
    private final int metrics;
    private final int every;
    private final int batch;
    private final ExecutorService pool;

    Pusher(HttpClient http, String gateway, String keyId, String secret, int instances, int metrics, int every,
        int batch, int clients) {
      this.http = http;
      this.gateway = gateway;
      this.keyId = keyId;
      this.secret = secret;
      this.instances = instances;
      this.metrics = metrics;
      this.every = every;
      this.batch = batch;
      this.pool = Executors.newFixedThreadPool(clients);
    }

    int target() {
      return instances * metrics;
    }

    void run(long start, int seconds, long breachFrom, long breachTo) throws Exception {
      for (int s = 0; s < seconds; s++) {
        long due = start + s * 1000L;
        long now = System.currentTimeMillis();
        if (now < due) {
          Thread.sleep(due - now);
        } else if (now - due > 1000) {
          late.incrementAndGet();
        }
        long t = System.currentTimeMillis();
        boolean breach = t >= breachFrom && t < breachTo;
        List<Future<?>> sends = new ArrayList<>();
        int series = instances * metrics;
        for (int from = 0; from < series; from += batch) {
          int lo = from;
          int hi = Math.min(series, from + batch);
          sends.add(pool.submit(() -> send(lo, hi, t, breach)));
        }
        for (Future<?> f : sends) {
          f.get();
        }
        if (s % 30 == 0) {
          System.out.printf("%s: %d s, %,d points accepted, %d batches failed%n", Instant.now(), s, accepted.get(),
              failed.get());
        }
      }
      pool.shutdown();
    }

    private void send(int lo, int hi, long t, boolean breach) {
      StringBuilder body = new StringBuilder(64 * (hi - lo) + 64);
      body.append("{\"namespace\": \"").append(NAMESPACE).append("\", \"points\": [");
      for (int i = lo; i < hi; i++) {
        int instance = i / metrics;
        int metric = i % metrics;
        double value = breach && i % every == 0 ? 95 : 10 + (i % 50);
        if (i > lo) {
          body.append(',');
        }
        body.append("{\"metric\":\"m").append(metric).append("\",\"dimensions\":{\"appid\":\"").append(TENANT)
            .append("\",\"instance\":\"i").append(instance).append("\"},\"timestampMs\":").append(t)
            .append(",\"value\":").append(value).append('}');
      }
      body.append("]}");
      byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
      long ts = System.currentTimeMillis();
      String nonce = UUID.randomUUID().toString();
      String signature = RequestSigning.sign(secret, new RequestSigning.Request("POST", "/v1/metrics", Map.of(), ts,
          nonce, bytes));
      batches.incrementAndGet();
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/metrics"))
            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
            .header("Authorization", RequestSigning.authorization(keyId, signature))
            .header(RequestSigning.TIMESTAMP_HEADER, Long.toString(ts)).header(RequestSigning.NONCE_HEADER, nonce)
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          accepted.addAndGet(JSON.readTree(r.body()).path("accepted").asLong());
        } else {
          failed.incrementAndGet();
          if (failed.get() <= 5) {
            System.out.println("refused: " + r.statusCode() + " " + r.body().substring(0, Math.min(300,
                r.body().length())));
          }
        }
      } catch (IOException | InterruptedException e) {
        failed.incrementAndGet();
      }
    }
  }

  /** The control plane, as the admin. */
  record Control(HttpClient http, String base, String key) {

    void ensure(String path, String json) throws Exception {
      call("POST", path, json, 201, 409);
    }

    /**
     * The webhook every policy of the tenant sends to, made once and pointed at this run's sink (the
     * policies keep its id, so they are made once too).
     */
    String webhook(String url) throws Exception {
      JsonNode list = JSON.readTree(call("GET", "/v1/tenants/" + TENANT + "/webhooks?name=load-sink&limit=10", null,
          200));
      for (JsonNode w : list.path("items")) {
        if (w.path("spec").path("name").asString().equals("load-sink")) {
          String id = w.path("id").asString();
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/tenants/" + TENANT
              + "/webhooks/" + id)).header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
              .header("If-Match", "\"" + w.path("version").asLong() + "\"")
              .PUT(HttpRequest.BodyPublishers.ofString("{\"name\": \"load-sink\", \"url\": \"" + url + "\"}")).build(),
              HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 200) {
            throw new IllegalStateException("PUT webhook answered " + r.statusCode() + ": " + r.body());
          }
          return id;
        }
      }
      return JSON.readTree(call("POST", "/v1/tenants/" + TENANT + "/webhooks", "{\"name\": \"load-sink\", \"url\": \""
          + url + "\"}", 201)).path("id").asString();
    }

    /** One policy per series i: m(i % metrics) of instance i / metrics, made where missing; the count made. */
    int policies(int count, int metrics, String hook) throws Exception {
      java.util.Set<String> existing = new java.util.HashSet<>();
      String cursor = null;
      do {
        JsonNode page = JSON.readTree(call("GET", "/v1/tenants/" + TENANT + "/policies?namespace="
            + NAMESPACE.replace("/", "%2F") + "&limit=1000" + (cursor == null ? "" : "&cursor=" + cursor), null, 200));
        page.path("items").forEach(p -> existing.add(p.path("spec").path("name").asString()));
        cursor = page.path("nextCursor").isString() ? page.path("nextCursor").asString() : null;
      } while (cursor != null);
      List<String> items = new ArrayList<>();
      int made = 0;
      for (int i = 0; i < count; i++) {
        String name = "s" + i;
        if (!existing.contains(name)) {
          items.add("{\"object\": {\"name\": \"" + name + "\", \"namespace\": \"" + NAMESPACE + "\", \"conditions\":"
              + " [{\"metric\": \"m" + (i % metrics) + "\", \"period\": 60, \"statistic\": \"AVG\", \"operator\": \"GT\","
              + " \"threshold\": 90}], \"filters\": [{\"Function\": \"Equal\", \"Field\": \"instance\", \"Args\": \"i"
              + (i / metrics) + "\"}], \"receivers\": {\"webhooks\": [\"" + hook + "\"]}, \"notification\":"
              + " {\"groupWaitSec\": 0, \"repeatIntervalSec\": 86400}}}");
          made++;
        }
        if (items.size() == 1000 || (i == count - 1 && !items.isEmpty())) {
          call("POST", "/v1/tenants/" + TENANT + "/policies/batch", "{\"items\": [" + String.join(",", items) + "]}",
              200);
          items.clear();
        }
      }
      return made;
    }

    String call(String method, String path, String json, int... ok) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
          .header("Authorization", "Bearer " + key);
      if (json != null) {
        b.header("Content-Type", "application/json");
      }
      HttpResponse<String> r = http.send(b.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
      if (Arrays.stream(ok).noneMatch(c -> c == r.statusCode())) {
        throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": "
            + r.body().substring(0, Math.min(500, r.body().length())));
      }
      return r.body();
    }
  }

  static HttpServer sink(Map<String, List<Seen>> seen) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // daemon threads: the sink must not keep the JVM alive once the report is out
    server.setExecutor(Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "e2e-load-sink");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", exchange -> {
      long at = System.currentTimeMillis();
      try (InputStream in = exchange.getRequestBody()) {
        JsonNode n = JSON.readTree(in.readAllBytes());
        String key = n.path("alertKey").asString();
        seen.computeIfAbsent(key, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(new Seen(
            n.path("status").asString(), n.path("dimensions").path("instance").asString(), n.path("metric").asString(),
            at));
        exchange.sendResponseHeaders(200, -1);
      } catch (RuntimeException e) {
        exchange.sendResponseHeaders(400, -1);
      } finally {
        exchange.close();
      }
    });
    server.start();
    return server;
  }
}
