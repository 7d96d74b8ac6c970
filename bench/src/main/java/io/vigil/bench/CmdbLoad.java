package io.vigil.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The cmdb under load, against a running cmdb-service and policy-service (bin/vigil up):
 *
 * <ol>
 *   <li>makes sure product {@code bench} and namespace {@code bench/vm} exist (through policy-service)
 *       and waits until the cmdb has them;
 *   <li>writes realistic instances in batches of {@code --batch} with {@code --writers} clients for
 *       {@code --write-seconds}, over a key space of {@code --instances}: instances written per second,
 *       and the latency of a batch;
 *   <li>looks up {@code --lookup} random written instances per call (the notifier's enrichment) with
 *       {@code --readers} clients for {@code --read-seconds} (after {@code --read-warmup-seconds}, 5, not
 *       counted), the cache warm: p50/p99/p99.9 of a call as the client sees it, and the cmdb's own
 *       from its {@code http_server_requests} histogram;
 *   <li>waits until the knowledge index holds the last instance written, then searches it with
 *       {@code --searchers} clients for {@code --search-seconds} per mode (auto: vector; keyword),
 *       queries drawn from words of the instances: p50/p99 of a call.
 * </ol>
 *
 * <pre>
 * java -Xmx256m -cp bench/target/benchmarks.jar io.vigil.bench.CmdbLoad [--writers 4] [--batch 100] ...
 * </pre>
 */
public final class CmdbLoad {

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>(Map.of("cmdb", "http://127.0.0.1:8087", "policy", "http://127.0.0.1:8086",
        "admin-key-file", System.getenv().getOrDefault("VIGIL_HOME", "/var/lib/vigil") + "/keys/admin.key",
        "writers", "4", "batch", "100", "write-seconds", "20", "instances", "100000", "readers", "4",
        "read-seconds", "20", "lookup", "100"));
    a.putIfAbsent("searchers", "2");
    a.putIfAbsent("search-seconds", "20");
    for (int i = 0; i + 1 < argv.length; i += 2) {
      a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    String base = a.get("cmdb");
    String key = Files.readString(Path.of(a.get("admin-key-file"))).trim();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    PolicyLoad.accessConfig(http, a.get("policy"), key);
    long deadline = System.currentTimeMillis() + 60_000;
    while (send(http, base, key, "PUT", "/v1/instances/bench/vm/local/warmup",
        instanceJson("warmup", System.currentTimeMillis(), false)).statusCode() != 200) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("the cmdb does not know namespace bench/vm");
      }
      Thread.sleep(500);
    }

    int writers = Integer.parseInt(a.get("writers"));
    int batch = Integer.parseInt(a.get("batch"));
    int instances = Integer.parseInt(a.get("instances"));
    double writeSeconds = Double.parseDouble(a.get("write-seconds"));
    AtomicLong next = new AtomicLong();
    AtomicLong version = new AtomicLong(System.currentTimeMillis() * 1000);
    LongAdder written = new LongAdder();
    LongAdder writeErrors = new LongAdder();
    List<long[]> writeLatency = run(writers, writeSeconds, lat -> {
      StringBuilder body = new StringBuilder("{\"items\": [");
      for (int i = 0; i < batch; i++) {
        int n = (int) (next.getAndIncrement() % instances);
        body.append(i == 0 ? "" : ",").append(instanceJson("ins-" + n, version.incrementAndGet(), true));
      }
      body.append("]}");
      long t0 = System.nanoTime();
      HttpResponse<String> r = send(http, base, key, "POST", "/v1/instances/batch", body.toString());
      lat.add((System.nanoTime() - t0) / 1000);
      if (r.statusCode() == 200) {
        written.add(batch);
      } else {
        writeErrors.increment();
        if (writeErrors.sum() <= 3) {
          System.out.println("write refused: " + r.statusCode() + " " + r.body().substring(0, Math.min(300, r.body().length())));
        }
      }
    });
    long[] wl = PolicyLoad.merge(writeLatency);
    System.out.printf("%nwrites: %d instances in %.1f s = %.0f/s, %d clients, batches of %d, %d errors;"
        + " batch latency p50 %.1f ms, p99 %.1f ms%n", written.sum(), writeSeconds, written.sum() / writeSeconds,
        writers, batch, writeErrors.sum(), PolicyLoad.pct(wl, 50), PolicyLoad.pct(wl, 99));

    int readers = Integer.parseInt(a.get("readers"));
    int lookup = Integer.parseInt(a.get("lookup"));
    double readSeconds = Double.parseDouble(a.get("read-seconds"));
    // with no writes this run, the instances of an earlier run (--instances of them) are looked up
    int known = writeSeconds == 0 ? instances : (int) Math.min(instances, next.get());
    LongAdder readErrors = new LongAdder();
    LongAdder found = new LongAdder();
    Call lookups = lat -> {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      StringBuilder body = new StringBuilder("{\"keys\": [");
      for (int i = 0; i < lookup; i++) {
        body.append(i == 0 ? "" : ",").append("{\"namespace\": \"bench/vm\", \"region\": \"local\", \"instanceId\": \"ins-")
            .append(random.nextInt(known)).append("\"}");
      }
      body.append("]}");
      long t0 = System.nanoTime();
      HttpResponse<String> r = send(http, base, key, "POST", "/v1/instances/lookup", body.toString());
      lat.add((System.nanoTime() - t0) / 1000);
      if (r.statusCode() != 200) {
        readErrors.increment();
      } else if (r.body().startsWith("{\"instances\":[{")) {
        found.increment();
      }
    };
    // not counted: this JVM's JIT and HTTP client warming up, and keys not yet cached being read
    run(readers, Double.parseDouble(a.getOrDefault("read-warmup-seconds", "5")), lookups);
    readErrors.reset();
    found.reset();
    Map<String, Double> before = StorageLoad.scrape(http, base + "/actuator/prometheus");
    List<long[]> readLatency = run(readers, readSeconds, lookups);
    Map<String, Double> after = StorageLoad.scrape(http, base + "/actuator/prometheus");
    long[] rl = PolicyLoad.merge(readLatency);
    System.out.printf("look-ups of %d: %d in %.1f s = %.0f/s, %d clients, %d errors, %d answered with instances;"
        + " latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms%n", lookup, rl.length, readSeconds, rl.length / readSeconds,
        readers, readErrors.sum(), found.sum(), PolicyLoad.pct(rl, 50), PolicyLoad.pct(rl, 99), PolicyLoad.pct(rl, 99.9));
    System.out.println("  the cmdb's own time for them (http_server_requests, at most the bucket's bound): "
        + serverQuantiles(before, after, "/v1/instances/lookup", 50, 99, 99.9));
    if (Double.parseDouble(a.get("search-seconds")) > 0) {
      searches(http, base, key, a, known);
    }
  }

  /**
   * Quantiles of a route's {@code http_server_requests} histogram between two scrapes, each as the
   * upper bound of the bucket it falls in (the service's own time: from its first filter to the
   * answer written).
   */
  static String serverQuantiles(Map<String, Double> before, Map<String, Double> after, String uri, double... ps) {
    java.util.TreeMap<Double, Double> counts = new java.util.TreeMap<>();
    for (Map.Entry<String, Double> e : after.entrySet()) {
      String k = e.getKey();
      if (k.startsWith("http_server_requests_seconds_bucket{") && k.contains("uri=\"" + uri + "\"")
          && k.contains("status=\"200\"")) {
        String le = k.replaceAll(".*le=\"([^\"]+)\".*", "$1");
        double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
        counts.merge(bound, e.getValue() - before.getOrDefault(k, 0.0), Double::sum);
      }
    }
    if (counts.isEmpty()) {
      return "no histogram";
    }
    double total = counts.lastEntry().getValue();
    StringBuilder out = new StringBuilder();
    for (double p : ps) {
      for (Map.Entry<Double, Double> c : counts.entrySet()) {
        if (c.getValue() >= total * p / 100) {
          out.append(String.format("p%s <= %.2f ms, ", p == Math.rint(p) ? String.valueOf((int) p) : String.valueOf(p),
              c.getKey() * 1000));
          break;
        }
      }
    }
    return out.append(String.format("%.0f requests", total)).toString();
  }

  static void searches(HttpClient http, String base, String key, Map<String, String> a, int known) throws Exception {
    String last = "ins-" + (known - 1);
    long deadline = System.currentTimeMillis() + 1_800_000;
    long t0 = System.currentTimeMillis();
    while (!send(http, base, key, "GET", "/v1/knowledge/search?mode=keyword&kind=instance&q=" + last, "").body()
        .contains("\"" + "bench/vm/local/" + last + "\"")) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("the knowledge index did not catch up in 30 minutes");
      }
      Thread.sleep(2000);
    }
    System.out.printf("knowledge index caught up %.0f s after the look-ups%n", (System.currentTimeMillis() - t0) / 1e3);
    String[] words = {"checkout", "web", "prod", "TencentOS", "PREPAID", "vpc", "subnet", "image", "zone", "memory",
        "web server in the checkout service", "machines of team t7", "prepaid instances with 32 GB", "结账服务的机器",
        "生产环境的服务器"};
    int searchers = Integer.parseInt(a.get("searchers"));
    double seconds = Double.parseDouble(a.get("search-seconds"));
    for (String mode : new String[] {"auto", "keyword"}) {
      LongAdder errors = new LongAdder();
      List<long[]> lat = run(searchers, seconds, l -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String q = random.nextInt(3) == 0 ? "ins-" + random.nextInt(known) : words[random.nextInt(words.length)];
        long s0 = System.nanoTime();
        HttpResponse<String> r = send(http, base, key, "GET", "/v1/knowledge/search?limit=10&mode=" + mode + "&q="
            + java.net.URLEncoder.encode(q, java.nio.charset.StandardCharsets.UTF_8), "");
        l.add((System.nanoTime() - s0) / 1000);
        if (r.statusCode() != 200) {
          errors.increment();
        }
      });
      long[] all = PolicyLoad.merge(lat);
      System.out.printf("search %s: %d in %.1f s = %.0f/s, %d clients, %d errors; p50 %.2f ms, p99 %.2f ms,"
          + " p99.9 %.2f ms%n", mode, all.length, seconds, all.length / seconds, searchers, errors.sum(),
          PolicyLoad.pct(all, 50), PolicyLoad.pct(all, 99), PolicyLoad.pct(all, 99.9));
    }
  }

  /** Latencies in microseconds, one list per client. */
  interface Call {
    void run(LatencyList lat) throws Exception;
  }

  static final class LatencyList {
    long[] values = new long[1 << 12];
    int size;

    void add(long v) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }
  }

  static List<long[]> run(int clients, double seconds, Call call) throws InterruptedException {
    List<long[]> out = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    for (int c = 0; c < clients; c++) {
      Thread t = new Thread(() -> {
        LatencyList lat = new LatencyList();
        try {
          while (System.nanoTime() < end) {
            call.run(lat);
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        out.add(java.util.Arrays.copyOf(lat.values, lat.size));
      }, "client-" + c);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    return out;
  }

  static HttpResponse<String> send(HttpClient http, String base, String key, String method, String path, String body)
      throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A cloud VM as a sync job reports it: a dozen attributes, a few tags. */
  static String instanceJson(String id, long version, boolean keyed) {
    int n = Math.abs(id.hashCode());
    return (keyed ? "{\"namespace\": \"bench/vm\", \"region\": \"local\", \"instanceId\": \"" + id + "\", " : "{")
        + """
        "version": %d, "attributes": {"appid": "b%d", "instance": "%s", "zone": "z%d", "name": "web-%s",
         "vpc": "vpc-%08x", "subnet": "subnet-%08x", "private_ip": "10.%d.%d.%d", "os": "TencentOS Server 3.1",
         "cpu": "8", "memory_gb": "32", "image": "img-%08x", "charge_type": "PREPAID"},
         "tags": {"team": "t%d", "env": "prod", "service": "checkout-%d"}}""".formatted(version, n % 1000, id, n % 3, id,
            n, n * 31, n % 250, (n >> 8) % 250, (n >> 16) % 250, n * 7, n % 40, n % 200);
  }
}
