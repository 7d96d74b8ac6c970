package io.vigil.bench;

import com.sun.net.httpserver.HttpServer;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.NotificationRecord;
import io.vigil.common.series.AlertIds;
import io.vigil.common.series.AlertKey;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The notifier under load, against a running platform (bin/vigil up; start the notifier with caps high
 * enough for the run, e.g. {@code VIGIL_NOTIFIER_TENANT_CAP=1000000 VIGIL_NOTIFIER_POLICY_CAP=1000000}).
 * A webhook sink in this JVM receives every notification.
 *
 * <ul>
 *   <li>{@code --mode events}: alert events straight onto {@code alerts.events}, as the detector
 *       publishes them — {@code --groups} zones of {@code --per-group} alerts, FIRING then RESOLVED, on
 *       a grouped policy (group wait 1 s) and a policy notifying each alert alone (20 % of the alerts),
 *       a silence muting a tenth of the zones. Reports events/s through the pipeline (every event's
 *       record on {@code notify.records}), notifications dispatched and recorded per second, per-key
 *       order violations at the sink (the ungrouped policy's FIRING before its RESOLVED), and the
 *       notifier's own in-pipeline latency of the run, p50 and p99 (its histogram, group waits excluded).
 *       {@code --rate N} publishes N events a second instead of all at once, for the latency at a rate
 *       the notifier keeps up with. {@code --inhibition on} adds an inhibition rule (removed after the
 *       run) every alert is a target of, equal on zone, whose source never fires: it mutes nothing, and
 *       every event asks whether a firing alert of its zone inhibits it.
 *   <li>{@code --mode alertmanager}: the same alerts posted by the same client, in batches of
 *       {@code --batch} with {@code --clients} threads, through the Alertmanager v2 API to Prometheus'
 *       Alertmanager ({@code --alertmanager}, the OS package, configured by this tool: group by zone,
 *       group wait 1 s) and to Vigil's notifier, one after the other: alerts/s accepted,
 *       notifications/s delivered, first-notification latency per group p50/p99, and the ratios.
 *       {@code --runs N} makes N such rounds (new alerts each) against one Alertmanager and the same
 *       notifier; compare the last, when both clients and the notifier's intake are warm.
 * </ul>
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.vigil.bench.NotifierLoad --mode alertmanager [--groups 1000] ...
 * </pre>
 */
public final class NotifierLoad {

  static final JsonMapper JSON = JsonMapper.builder().build();

  /** What the sink saw of one system. */
  static final class Seen {
    final Map<String, Long> firstByGroup = new ConcurrentHashMap<>();
    final LongAdder deliveries = new LongAdder();
    final AtomicLong lastAtMs = new AtomicLong();
    final Map<String, List<String>> statusesByAlert = new ConcurrentHashMap<>();
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>(Map.of("notifier", "http://127.0.0.1:8085", "policy",
        "http://127.0.0.1:8086", "alertmanager", "/usr/bin/prometheus-alertmanager", "admin-key-file",
        System.getenv().getOrDefault("VIGIL_HOME", "/var/lib/vigil") + "/keys/admin.key", "groups", "1000",
        "per-group", "20", "batch", "100", "clients", "4", "kafka", "127.0.0.1:9092", "mode", "events"));
    a.putIfAbsent("topic-prefix", "vigil.");
    a.putIfAbsent("rate", "0");
    for (int i = 0; i + 1 < argv.length; i += 2) {
      a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    String adminKey = Files.readString(Path.of(a.get("admin-key-file"))).trim();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Map<String, Seen> seen = new ConcurrentHashMap<>();
    HttpServer sink = sink(seen);
    int sinkPort = sink.getAddress().getPort();
    try {
      String run = Long.toHexString(System.currentTimeMillis());
      PolicyLoad.accessConfig(http, a.get("policy"), adminKey);
      String tenant = "bench";
      String base = a.get("policy") + "/v1/tenants/" + tenant;
      String hook = create(http, base + "/webhooks", adminKey, "{\"name\": \"sink-" + run + "\", \"url\": "
          + "\"http://127.0.0.1:" + sinkPort + "/vigil\"}");
      String grouped = create(http, base + "/policies", adminKey, """
          {"name": "bench grouped %s", "namespace": "bench/vm", "conditions": [{"metric": "cpu", "period": 60,
           "operator": "GT", "threshold": 90}], "receivers": {"webhooks": ["%s"]},
           "notification": {"groupBy": ["zone"], "groupWaitSec": 1, "groupIntervalSec": 300,
                            "repeatIntervalSec": 86400}}""".formatted(run, hook));
      String single = create(http, base + "/policies", adminKey, """
          {"name": "bench single %s", "namespace": "bench/vm", "conditions": [{"metric": "cpu", "period": 60,
           "operator": "GT", "threshold": 90}], "receivers": {"webhooks": ["%s"]},
           "notification": {"repeatIntervalSec": 86400}}""".formatted(run, hook));
      long now = System.currentTimeMillis();
      PolicyLoad.post(http, base + "/silences", adminKey, """
          {"matchers": [{"Function": "Prefix", "Field": "zone", "Args": "z9-%s"}], "startsAtMs": %d,
           "endsAtMs": %d, "comment": "bench: a tenth of the zones muted"}""".formatted(run, now - 60_000,
          now + 3_600_000));
      // --inhibition on: a rule every alert of the run is a target of (equal on zone), whose source never
      // fires: nothing is muted by it, but every event asks whether a firing alert of its zone inhibits it
      String rule = !"on".equals(a.get("inhibition")) ? null : create(http, base + "/inhibition-rules", adminKey, """
          {"name": "bench %s: a zone's host down mutes the zone", "equal": ["zone"],
           "sourceMatchers": [{"Function": "Equal", "Field": "metric", "Args": "host_down"}],
           "targetMatchers": [{"Function": "Prefix", "Field": "zone", "Args": "z"}]}""".formatted(run));
      Thread.sleep(3000); // the notifier hears of the objects through control.changes
      try {
        stormsOrComparison(a, http, adminKey, tenant, grouped, single, run, seen, sinkPort);
      } finally {
        if (rule != null) {
          http.send(HttpRequest.newBuilder(URI.create(base + "/inhibition-rules/" + rule))
              .header("Authorization", "Bearer " + adminKey).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        }
      }
    } finally {
      sink.stop(0);
    }
  }

  static void stormsOrComparison(Map<String, String> a, HttpClient http, String adminKey, String tenant,
      String grouped, String single, String run, Map<String, Seen> seen, int sinkPort) throws Exception {
    int groups = Integer.parseInt(a.get("groups"));
    int perGroup = Integer.parseInt(a.get("per-group"));
    if (a.get("mode").equals("events")) {
      // --runs N: N storms one after the other in this JVM (new alerts each), so the tool's own JIT
      // settles after the first and takes less of the two cores from what it measures
      int runs = Integer.parseInt(a.getOrDefault("runs", "1"));
      for (int r = 0; r < runs; r++) {
        seen.put("vigil", new Seen());
        events(a, tenant, grouped, single, run, groups, perGroup, seen.get("vigil"));
        if (r + 1 < runs) {
          Thread.sleep(3000); // the last group flushes of this storm go out before the next
        }
      }
    } else {
      String token = token(http, a.get("policy"), adminKey, tenant, run);
      compare(a, http, token, grouped, run, groups, perGroup, seen, sinkPort);
    }
  }

  /** Alert events onto alerts.events, as the detector sends them, and what came out. */
  static void events(Map<String, String> a, String tenant, String grouped, String single, String run, int groups,
      int perGroup, Seen seen) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, a.get("kafka"));
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    MessageCodec codec = new MessageCodec();
    List<AlertEvent> firing = new ArrayList<>();
    List<AlertEvent> resolved = new ArrayList<>();
    long t = System.currentTimeMillis();
    long series = (t & 0xffffffL) << 24;
    for (int g = 0; g < groups; g++) {
      String zone = (g % 10 == 9 ? "z9-" : "z-") + run + "-" + g;
      for (int i = 0; i < perGroup; i++) {
        String policy = i % 5 == 0 ? single : grouped; // a fifth notified alone: per-key order is checked on them
        long sid = ++series;
        String key = AlertKey.ofSeries(policy, sid).toString();
        Map<String, String> dims = Map.of("appid", tenant, "instance", "ins-" + g + "-" + i, "zone", zone);
        firing.add(new AlertEvent(1, AlertIds.eventId(key, 1), key, policy, 1, tenant, "bench/vm", "local", "cpu", sid,
            null, dims, AlertEvent.AlertStatus.FIRING, AlertEvent.Severity.WARNING, 1, 97.0, 90.0, null, t, t, 60,
            t - 60_000, "bench", null));
        resolved.add(new AlertEvent(1, AlertIds.eventId(key, 2), key, policy, 1, tenant, "bench/vm", "local", "cpu", sid,
            null, dims, AlertEvent.AlertStatus.RESOLVED, AlertEvent.Severity.WARNING, 2, 40.0, 90.0, null, t, t + 1,
            60, t, "bench", null));
      }
    }
    int total = firing.size() + resolved.size();
    Set<String> eventIds = ConcurrentHashMap.newKeySet();
    LongAdder records = new LongAdder();
    LongAdder sentRecords = new LongAdder();
    AtomicLong lastRecordMs = new AtomicLong();
    // only this run's events count (a run before may still be finishing: its records are not this run's)
    Set<String> ours = new java.util.HashSet<>();
    firing.forEach(e -> ours.add(e.eventId()));
    resolved.forEach(e -> ours.add(e.eventId()));
    Set<String> ourAlerts = new java.util.HashSet<>();
    firing.forEach(e -> ourAlerts.add(e.alertKey()));
    Thread reader = new Thread(() -> readRecords(a, ours, eventIds, records, sentRecords, lastRecordMs, total));
    reader.start();
    Thread.sleep(2000);
    List<double[]> latencyBefore = scrapeLatency(a.get("notifier"));
    long t0 = System.currentTimeMillis();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
        new ByteArraySerializer())) {
      String topic = a.get("topic-prefix") + "alerts.events";
      // --rate N: N events a second, paced every millisecond's share; 0 publishes all at once (a storm)
      double rate = Double.parseDouble(a.get("rate"));
      long paceStart = System.nanoTime();
      for (int i = 0; i < firing.size(); i++) {
        if (rate > 0) {
          long due = paceStart + (long) (2 * i / rate * 1e9); // two events per step: a FIRING and a RESOLVED
          long wait;
          while ((wait = due - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(wait, 1_000_000));
          }
        }
        producer.send(new ProducerRecord<>(topic, firing.get(i).alertKey(), codec.encode(firing.get(i))));
        if (i >= 50) { // each alert's RESOLVED follows its FIRING, interleaved with other alerts'
          producer.send(new ProducerRecord<>(topic, resolved.get(i - 50).alertKey(), codec.encode(resolved.get(i - 50))));
        }
      }
      for (int i = Math.max(0, firing.size() - 50); i < firing.size(); i++) {
        producer.send(new ProducerRecord<>(topic, resolved.get(i).alertKey(), codec.encode(resolved.get(i))));
      }
      producer.flush();
    }
    long published = System.currentTimeMillis();
    reader.join(300_000);
    long t1 = lastRecordMs.get();
    double seconds = (t1 - t0) / 1e3;
    int violations = 0;
    Map<String, Integer> kinds = new java.util.TreeMap<>();
    List<String> examples = new ArrayList<>();
    int notifiedAlone = 0;
    for (Map.Entry<String, List<String>> e : seen.statusesByAlert.entrySet()) {
      if (!ourAlerts.contains(e.getKey())) {
        continue;
      }
      notifiedAlone++;
      List<String> s = e.getValue();
      if (!s.equals(List.of("FIRING", "RESOLVED"))) {
        violations++;
        kinds.merge(String.join(",", s), 1, Integer::sum);
        if (examples.size() < 3) {
          examples.add(e.getKey());
        }
      }
    }
    if (violations > 0) {
      System.out.println("what the sink saw of the alerts out of order (statuses in arrival order: alerts): " + kinds
          + ", e.g. " + examples);
    }
    List<double[]> latencyAfter = scrapeLatency(a.get("notifier"));
    System.out.printf("events: %d published in %.1f s; %d handled (a record each) in %.1f s = %.0f events/s;"
        + " %d notifications dispatched (%.0f/s), %d SENT records; per-key order violations %d of %d alerts notified"
        + " alone; notifier in-pipeline latency of this run p50 %.1f ms, p99 %.1f ms (histogram bucket bounds)%n",
        total, (published - t0) / 1e3, eventIds.size(), seconds, eventIds.size() / seconds, seen.deliveries.sum(),
        seen.deliveries.sum() / seconds, sentRecords.sum(), violations, notifiedAlone,
        quantile(latencyBefore, latencyAfter, 0.5) * 1000, quantile(latencyBefore, latencyAfter, 0.99) * 1000);
  }

  static void readRecords(Map<String, String> a, Set<String> ours, Set<String> eventIds, LongAdder records,
      LongAdder sent, AtomicLong lastMs, int total) {
    String run = Long.toString(System.nanoTime(), 36);
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, a.get("kafka"));
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-notifier-" + run);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    MessageCodec codec = new MessageCodec();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(a.get("topic-prefix") + "notify.records"));
      long idleSince = System.currentTimeMillis();
      while (eventIds.size() < total && System.currentTimeMillis() - idleSince < 15_000) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          NotificationRecord n = codec.decode(r.value(), NotificationRecord.class);
          if (!n.tenant().equals("bench") || n.eventId() == null || !ours.contains(n.eventId())) {
            continue;
          }
          records.increment();
          if (n.status() == io.vigil.common.model.NotificationStatus.SENT) {
            sent.increment();
          }
          if (n.groupKey() == null || n.status() != io.vigil.common.model.NotificationStatus.SENT) {
            eventIds.add(n.eventId()); // a group's message names one member's event: not an event handled
          }
          lastMs.set(System.currentTimeMillis());
          idleSince = System.currentTimeMillis();
        }
      }
    }
  }

  /** The same alerts through the same client to Alertmanager, then to Vigil. */
  static void compare(Map<String, String> a, HttpClient http, String token, String policy, String run, int groups,
      int perGroup, Map<String, Seen> seen, int sinkPort) throws Exception {
    Path dir = Files.createTempDirectory("bench-alertmanager");
    Files.writeString(dir.resolve("alertmanager.yml"), """
        route:
          receiver: sink
          group_by: [alertname, zone]
          group_wait: 1s
          group_interval: 5m
          repeat_interval: 24h
        receivers:
        - name: sink
          webhook_configs:
          - url: http://127.0.0.1:%d/am
            send_resolved: false
        """.formatted(sinkPort));
    Process am = new ProcessBuilder(a.get("alertmanager"), "--config.file=" + dir.resolve("alertmanager.yml"),
        "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:19093", "--cluster.listen-address=")
        .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
    try {
      waitFor(http, "http://127.0.0.1:19093/-/ready");
      // --runs N: N rounds against the same Alertmanager and notifier, new alerts each. A notifier that
      // has only run storms of events meets its Alertmanager intake cold: in a single round the C2
      // compiler took a third of its CPU. The last round is the one to compare.
      int rounds = Integer.parseInt(a.getOrDefault("runs", "1"));
      for (int round = 1; round <= rounds; round++) {
        String id = run + "r" + round;
        Result amResult = post(http, "http://127.0.0.1:19093/api/v2/alerts", null, policy, id + "am", groups,
            perGroup, a, seen.computeIfAbsent("am", k -> new Seen()));
        Result vigilResult = post(http, a.get("notifier") + "/api/v2/alerts", token, policy, id + "vg", groups,
            perGroup, a, seen.computeIfAbsent("vigil", k -> new Seen()));
        System.out.printf("%nround %d of %d. Alertmanager v2 API, %d alerts in %d groups (group wait 1 s), batches of"
            + " %s, %s clients:%n", round, rounds, groups * perGroup, groups, a.get("batch"), a.get("clients"));
        System.out.printf("| | alerts/s accepted | notifications/s delivered | first notification p50 | p99 | groups"
            + " notified |%n|---|---|---|---|---|---|%n");
        print("Alertmanager 0.25", amResult);
        print("Vigil notifier", vigilResult);
        System.out.printf("ratios Vigil / Alertmanager: accepted %.2f, delivered %.2f, first-notification p99 %.2f%n",
            vigilResult.acceptedPerSecond / amResult.acceptedPerSecond,
            vigilResult.deliveredPerSecond / amResult.deliveredPerSecond, vigilResult.p99Ms / amResult.p99Ms);
        if (round < rounds) {
          Thread.sleep(3000); // the last group flushes of this round go out before the next
        }
      }
    } finally {
      am.destroy();
      am.waitFor(10, TimeUnit.SECONDS);
    }
  }

  record Result(double acceptedPerSecond, double deliveredPerSecond, double p50Ms, double p99Ms, int groupsNotified,
      long errors) {}

  static void print(String who, Result r) {
    System.out.printf("| %s | %.0f | %.1f | %.0f ms | %.0f ms | %d |%n", who, r.acceptedPerSecond,
        r.deliveredPerSecond, r.p50Ms, r.p99Ms, r.groupsNotified);
  }

  static Result post(HttpClient http, String url, String token, String policy, String run, int groups, int perGroup,
      Map<String, String> a, Seen seen) throws Exception {
    int batch = Integer.parseInt(a.get("batch"));
    int clients = Integer.parseInt(a.get("clients"));
    Map<String, Long> firstPost = new ConcurrentHashMap<>();
    List<String> bodies = new ArrayList<>();
    List<List<String>> zonesOfBody = new ArrayList<>();
    String ends = Instant.now().plusSeconds(3600).toString();
    StringBuilder b = new StringBuilder("[");
    List<String> zones = new ArrayList<>();
    int n = 0;
    // alerts in zone order, so a group's members arrive together as they would from one rule
    for (int g = 0; g < groups; g++) {
      String zone = "z-" + run + "-" + g;
      for (int i = 0; i < perGroup; i++) {
        b.append(n % batch == 0 ? "" : ",").append("""
            {"labels": {"alertname": "BenchCpu", "zone": "%s", "instance": "ins-%d-%d", "severity": "warning",
             "vigil_policy": "%s", "vigil_namespace": "bench/vm", "appid": "bench"},
             "annotations": {"summary": "cpu above 90"}, "endsAt": "%s"}""".formatted(zone, g, i, policy, ends));
        zones.add(zone);
        n++;
        if (n % batch == 0) {
          bodies.add(b.append("]").toString());
          zonesOfBody.add(zones);
          b = new StringBuilder("[");
          zones = new ArrayList<>();
        }
      }
    }
    if (!zones.isEmpty()) {
      bodies.add(b.append("]").toString());
      zonesOfBody.add(zones);
    }
    LongAdder errors = new LongAdder();
    AtomicLong next = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long t0 = System.nanoTime();
    long startMs = System.currentTimeMillis();
    for (int c = 0; c < clients; c++) {
      pool.submit(() -> {
        for (long i = next.getAndIncrement(); i < bodies.size(); i = next.getAndIncrement()) {
          long sentAt = System.currentTimeMillis();
          for (String z : zonesOfBody.get((int) i)) {
            firstPost.putIfAbsent(z, sentAt);
          }
          HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(bodies.get((int) i)));
          if (token != null) {
            r.header("Authorization", "Bearer " + token);
          }
          try {
            HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) {
              errors.increment();
              if (errors.sum() < 3) {
                System.out.println(url + " answered " + resp.statusCode() + ": " + resp.body());
              }
            }
          } catch (Exception e) {
            errors.increment();
          }
        }
        return null;
      });
    }
    pool.shutdown();
    pool.awaitTermination(30, TimeUnit.MINUTES);
    double postSeconds = (System.nanoTime() - t0) / 1e9;
    int expected = groups;
    long deadline = System.currentTimeMillis() + 120_000;
    while (seen.firstByGroup.keySet().stream().filter(z -> z.contains(run)).count() < expected
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
    }
    List<Double> latencies = new ArrayList<>();
    firstPost.forEach((z, at) -> {
      Long first = seen.firstByGroup.get(z);
      if (first != null) {
        latencies.add((double) (first - at));
      }
    });
    latencies.sort(Double::compare);
    double deliverSeconds = Math.max(0.001, (seen.lastAtMs.get() - startMs) / 1e3);
    return new Result(n / postSeconds, latencies.size() / deliverSeconds, pct(latencies, 50), pct(latencies, 99),
        latencies.size(), errors.sum());
  }

  static double pct(List<Double> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p / 100 * sorted.size()) - 1));
  }

  /** The webhook sink: Vigil's messages at /vigil, Alertmanager's at /am; first message per group, order per alert. */
  static HttpServer sink(Map<String, Seen> seen) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4096);
    server.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      long now = System.currentTimeMillis();
      String path = exchange.getRequestURI().getPath();
      try {
        JsonNode n = JSON.readTree(new String(body, StandardCharsets.UTF_8));
        Seen s = seen.computeIfAbsent(path.equals("/am") ? "am" : "vigil", k -> new Seen());
        s.deliveries.increment();
        s.lastAtMs.set(now);
        String zone = path.equals("/am") ? n.path("groupLabels").path("zone").asString()
            : n.path("grouped").asBoolean() ? n.path("groupText").asString().replace("zone=", "")
            : n.path("dimensions").path("zone").asString();
        if (!zone.isEmpty()) {
          s.firstByGroup.putIfAbsent(zone, now);
        }
        if (!path.equals("/am") && !n.path("grouped").asBoolean()) {
          s.statusesByAlert.computeIfAbsent(n.path("alertKey").asString(), k -> java.util.Collections
              .synchronizedList(new ArrayList<>())).add(n.path("status").asString());
        }
      } catch (RuntimeException e) {
        // not JSON: counted nowhere
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    // daemon threads: HttpServer.stop does not end its executor, and the tool must exit once it has printed
    server.setExecutor(Executors.newFixedThreadPool(64, r -> {
      Thread t = new Thread(r, "sink");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return server;
  }

  static String create(HttpClient http, String url, String key, String json) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body()).path("id").asString();
  }

  static String token(HttpClient http, String policy, String adminKey, String tenant, String run) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(policy + "/v1/tokens"))
        .header("Authorization", "Bearer " + adminKey).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"bench-am-" + run + "\", \"role\": \"OPERATOR\","
            + " \"tenants\": [\"" + tenant + "\"]}")).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException("token: " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body()).path("token").asString();
  }

  static void waitFor(HttpClient http, String url) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.discarding())
            .statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(url + " did not answer");
  }

  /** The notifier's in-pipeline latency histogram: cumulative buckets (upper bound, count) since its start. */
  static List<double[]> scrapeLatency(String notifier) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String text;
    try {
      text = http.send(HttpRequest.newBuilder(URI.create(notifier + "/actuator/prometheus")).GET().build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (java.net.ConnectException e) {
      return List.of(); // no notifier to ask (NotifierFloor stands in for it): the latency is not reported
    }
    List<double[]> buckets = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("vigil_notify_pipeline_latency_seconds_bucket{")) {
        int le = line.indexOf("le=\"") + 4;
        String bound = line.substring(le, line.indexOf('"', le));
        double count = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        buckets.add(new double[] {bound.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bound), count});
      }
    }
    buckets.sort((x, y) -> Double.compare(x[0], y[0]));
    return buckets;
  }

  /**
   * A quantile in seconds (the bucket bound it falls in) of what the histogram took between two
   * scrapes: this run's events alone, not the process's history.
   */
  static double quantile(List<double[]> before, List<double[]> after, double q) {
    if (after.isEmpty()) {
      return Double.NaN;
    }
    java.util.Map<Double, Double> earlier = new java.util.HashMap<>();
    before.forEach(b -> earlier.put(b[0], b[1]));
    double total = after.get(after.size() - 1)[1] - earlier.getOrDefault(after.get(after.size() - 1)[0], 0.0);
    for (double[] bucket : after) {
      if (bucket[1] - earlier.getOrDefault(bucket[0], 0.0) >= q * total) {
        return bucket[0];
      }
    }
    return Double.NaN;
  }
}
