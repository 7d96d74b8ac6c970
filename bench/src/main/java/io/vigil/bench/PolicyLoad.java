package io.vigil.bench;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ControlJson;
import io.vigil.common.control.ControlReader;
import io.vigil.common.model.ControlChange.EntityType;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The control plane under load, against a running policy-service (bin/vigil up) and its database:
 *
 * <ol>
 *   <li>seeds the table to {@code --seed} policies (default 1,000,000) on shard {@code bench},
 *       straight into MySQL;
 *   <li>creates policies through the API for {@code --write-seconds} with {@code --writers}
 *       concurrent clients (outbox on), then waits for the outbox to drain and reports how long;
 *   <li>reads random seeded policies through the API with {@code --readers} clients: p50/p99/p99.9;
 *   <li>streams the whole shard as a reader does ({@link ControlReader}): time and peak heap.
 * </ol>
 *
 * <pre>
 * java -Xmx512m -cp bench/target/benchmarks.jar io.vigil.bench.PolicyLoad [--seed 1000000] ...
 * </pre>
 */
public final class PolicyLoad {

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>(Map.of("policy", "http://127.0.0.1:8086",
        "admin-key-file", System.getenv().getOrDefault("VIGIL_HOME", "/var/lib/vigil") + "/keys/admin.key",
        "jdbc", "jdbc:mysql://127.0.0.1:3306/vigil_control?useSSL=false&allowPublicKeyRetrieval=true"
            + "&rewriteBatchedStatements=true",
        "user", "root", "password", "", "seed", "1000000", "writers", "64", "write-seconds", "30",
        "readers", "16", "read-seconds", "30"));
    for (int i = 0; i + 1 < argv.length; i += 2) {
      a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    String base = a.get("policy");
    String key = Files.readString(Path.of(a.get("admin-key-file"))).trim();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    accessConfig(http, base, key);
    int seed = Integer.parseInt(a.get("seed"));
    seed(a, seed);

    // --- writes through the API
    int writers = Integer.parseInt(a.get("writers"));
    long writeNanos = Duration.ofSeconds(Long.parseLong(a.get("write-seconds"))).toNanos();
    LongAdder errors = new LongAdder();
    List<long[]> writeLatencies = new ArrayList<>();
    AtomicLong writes = new AtomicLong();
    long writeStart = System.nanoTime();
    runClients(writers, writeNanos, writeLatencies, () -> {
      String tenant = "b" + ThreadLocalRandom.current().nextInt(1000);
      String body = policyJson("bench write " + ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current()
          .nextInt(100));
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/tenants/" + tenant
          + "/policies")).header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 201) {
        errors.increment();
        if (errors.sum() < 5) {
          System.err.println("write answered " + r.statusCode() + ": " + r.body());
        }
      } else {
        writes.incrementAndGet();
      }
    });
    double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
    long drainStart = System.nanoTime();
    long pendingAtEnd = outboxPending(a);
    while (outboxPending(a) > 0) {
      Thread.sleep(50);
    }
    double drainSeconds = (System.nanoTime() - drainStart) / 1e9;

    // --- reads through the API
    int readers = Integer.parseInt(a.get("readers"));
    List<long[]> readLatencies = new ArrayList<>();
    LongAdder readErrors = new LongAdder();
    long readStart = System.nanoTime();
    runClients(readers, Duration.ofSeconds(Long.parseLong(a.get("read-seconds"))).toNanos(), readLatencies, () -> {
      int i = ThreadLocalRandom.current().nextInt(seed);
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/tenants/b" + (i % 1000)
          + "/policies/" + seedId(i))).header("Authorization", "Bearer " + key).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        readErrors.increment();
      }
    });
    double readSeconds = (System.nanoTime() - readStart) / 1e9;

    // --- a reader's full streamed load of the shard
    long loadStart = System.nanoTime();
    long[] conditions = {0};
    long loaded = new ControlReader(new DriverManagerDataSource(a.get("jdbc"), a.get("user"), a.get("password")))
        .forEach(EntityType.POLICY, "bench", AlertPolicy.class, p -> conditions[0] += p.body().conditions().size());
    double loadSeconds = (System.nanoTime() - loadStart) / 1e9;

    long[] w = merge(writeLatencies);
    long[] rd = merge(readLatencies);
    System.out.printf("%nwrites: %d in %.1f s = %.0f/s with %d clients, %d errors; latency p50 %.1f ms, p99 %.1f ms%n",
        writes.get(), writeSeconds, writes.get() / writeSeconds, writers, errors.sum(), pct(w, 50), pct(w, 99));
    System.out.printf("outbox: %d changes waiting when the writes stopped, drained %.2f s later%n", pendingAtEnd,
        drainSeconds);
    System.out.printf("reads: %d in %.1f s = %.0f/s with %d clients, %d errors; latency p50 %.2f ms, p99 %.2f ms,"
        + " p99.9 %.2f ms%n", rd.length, readSeconds, rd.length / readSeconds, readers, readErrors.sum(), pct(rd, 50),
        pct(rd, 99), pct(rd, 99.9));
    System.out.printf("streamed load of shard bench: %d policies (%d conditions) in %.2f s, peak heap %d MB of %d MB%n",
        loaded, conditions[0], loadSeconds, peakHeapMb(), Runtime.getRuntime().maxMemory() >> 20);
  }

  interface Call {
    void run() throws Exception;
  }

  /** {@code clients} threads calling in a loop for {@code nanos}; each latency in microseconds. */
  static void runClients(int clients, long nanos, List<long[]> latencies, Call call) throws InterruptedException {
    long end = System.nanoTime() + nanos;
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      long[][] mine = {new long[1 << 16]};
      int[] n = {0};
      Thread thread = new Thread(() -> {
        while (System.nanoTime() < end) {
          long t0 = System.nanoTime();
          try {
            call.run();
          } catch (Exception e) {
            System.err.println("call failed: " + e);
          }
          if (n[0] == mine[0].length) {
            mine[0] = Arrays.copyOf(mine[0], n[0] * 2);
          }
          mine[0][n[0]++] = (System.nanoTime() - t0) / 1000;
        }
        synchronized (latencies) {
          latencies.add(Arrays.copyOf(mine[0], n[0]));
        }
      }, "client-" + c);
      thread.start();
      threads.add(thread);
    }
    for (Thread t : threads) {
      t.join();
    }
  }

  static long[] merge(List<long[]> parts) {
    long[] all = parts.stream().flatMapToLong(Arrays::stream).toArray();
    Arrays.sort(all);
    return all;
  }

  static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)] / 1000.0;
  }

  static long peakHeapMb() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak >> 20;
  }

  static String seedId(int i) {
    return "pol_BENCH%016d".formatted(i);
  }

  /** A policy as operators write them: two conditions, three filters, labels, routing settings. */
  static String policyJson(String name, int i) {
    return """
        {"name": "%s", "namespace": "bench/vm", "combine": "ANY",
         "conditions": [{"metric": "cpu", "period": 60, "statistic": "AVG", "operator": "GT", "threshold": 90,
                         "forPeriods": 3, "recoverPeriods": 2, "recoveryThreshold": 85},
                        {"metric": "mem", "period": 300, "statistic": "MAX", "operator": "GT", "threshold": 95}],
         "filters": [{"Function": "In", "Field": "zone", "Args": ["z1", "z2", "z%d"]},
                     {"Function": "Regex", "Field": "instance", "Args": "ins-[a-z0-9]{8}"},
                     {"Function": "NotEqual", "Field": "instance", "Args": "ins-canary"}],
         "severity": "WARNING", "labels": {"team": "compute", "tier": "gold"},
         "annotations": {"summary": "CPU of {{instance}} above 90%%", "runbookUrl": "https://runbooks.example.com/cpu"},
         "notification": {"repeatIntervalSec": 3600, "groupBy": ["instance"]}}""".formatted(name, i);
  }

  static void accessConfig(HttpClient http, String base, String key) throws Exception {
    post(http, base + "/v1/products", key, "{\"name\": \"bench\", \"description\": \"load generator\"}");
    post(http, base + "/v1/namespaces", key, """
        {"name": "bench/vm", "requiredDimensions": ["instance"], "optionalDimensions": ["zone"],
         "metrics": [{"name": "cpu"}, {"name": "mem"}], "periods": [60, 300], "shard": "bench"}""");
  }

  static void post(HttpClient http, String url, String key, String json) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201 && r.statusCode() != 409) {
      throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  /** Tops the table up to {@code n} seeded policies of shard {@code bench} (ids known, so reads can pick). */
  static void seed(Map<String, String> a, int n) throws Exception {
    try (Connection c = DriverManager.getConnection(a.get("jdbc"), a.get("user"), a.get("password"))) {
      int have;
      try (ResultSet rs = c.createStatement().executeQuery(
          "SELECT COUNT(*) FROM ctl_policies WHERE id LIKE 'pol\\_BENCH%'")) {
        rs.next();
        have = rs.getInt(1);
      }
      if (have >= n) {
        System.out.printf("seed: %d policies already there%n", have);
        return;
      }
      long t0 = System.nanoTime();
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT IGNORE INTO ctl_policies (id, tenant, name, namespace,"
          + " shard, enabled, version, deleted, live, body, created_at_ms, updated_at_ms, updated_by)"
          + " VALUES (?, ?, ?, 'bench/vm', 'bench', 1, 1, 0, 1, ?, 1, 1, 'seed')")) {
        for (int i = have; i < n; i++) {
          String name = "seeded " + i;
          ps.setString(1, seedId(i));
          ps.setString(2, "b" + (i % 1000));
          ps.setString(3, name);
          ps.setString(4, ControlJson.write(ControlJson.read(policyJson(name, i % 100), AlertPolicy.class)
              .withDefaults()));
          ps.addBatch();
          if (i % 5000 == 4999) {
            ps.executeBatch();
            c.commit();
          }
        }
        ps.executeBatch();
        c.commit();
      }
      System.out.printf("seed: %d policies inserted in %.0f s%n", n - have, (System.nanoTime() - t0) / 1e9);
    }
  }

  static long outboxPending(Map<String, String> a) throws Exception {
    try (Connection c = DriverManager.getConnection(a.get("jdbc"), a.get("user"), a.get("password"));
        ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM ctl_outbox")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
