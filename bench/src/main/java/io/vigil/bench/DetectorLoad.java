package io.vigil.bench;

import io.vigil.common.control.ControlTables;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.kafka.Topics;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.ControlChange.EntityType;
import io.vigil.common.model.Rollup;
import io.vigil.common.points.SeriesPartitioner;
import io.vigil.common.series.SeriesId;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
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

/**
 * The detector end to end, driven by {@code bench/scripts/detector-bench.sh}:
 *
 * <ol>
 *   <li>{@code setup <jdbc-base> <database> <policies>}: a control schema of its own (common's
 *       migrations), the namespace, and the policies of shard {@code bench}: per tenant (1,000) and
 *       metric (20), one policy per instance 0..3 (Equal) and one for the whole tenant; 100,000 in all
 *       at the default size. Every rollup of instance 0..3 matches two policies, of instance 4 one.
 *   <li>{@code fill <topic-prefix> <windows>}: a backlog of 100,000 series (1,000 tenants x 5
 *       instances x 20 metrics) x {@code windows} 60 s rollups on the shard's topic; about 1 % of the
 *       windows breach (avg > 90), so alerts fire and resolve.
 *   <li>{@code drain <topic-prefix> <detector-url> <pid>}: the detector reads the backlog as a new
 *       group: rollups/s by its own consumed count, from the first counted to the last, and its peak RSS.
 *   <li>{@code live <topic-prefix> <rate> <seconds>}: rollups at a steady rate, each stamped when
 *       sent; then every alert event they caused is read back: latency from the rollup's emission to
 *       the event's publication (the record's timestamp), p50/p99/max.
 * </ol>
 */
public final class DetectorLoad {

  static final String NAMESPACE = "bench/vm";
  static final String SHARD = "bench";
  static final int TENANTS = 1000;
  static final int INSTANCES = 5;
  static final int METRICS = 20;
  static final int SERIES = TENANTS * INSTANCES * METRICS;

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "setup" -> setup(args[1], args[2], Integer.parseInt(args[3]));
      case "fill" -> fill(args[1], Integer.parseInt(args[2]));
      case "drain" -> drain(args[1], args[2], Long.parseLong(args[3]));
      case "live" -> live(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      case "clean" -> clean(args[1], args[2], args[3]);
      default -> throw new IllegalArgumentException("setup | fill | drain | live | clean");
    }
  }

  static String metric(int m) {
    return "m" + m;
  }

  static Map<String, String> dims(int tenant, int instance) {
    return Map.of("appid", "t" + tenant, "instance", "i-" + instance);
  }

  static void setup(String jdbcBase, String database, int policies) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcBase + "/?useSSL=false&allowPublicKeyRetrieval=true"
        + "&rewriteBatchedStatements=true", "root", "")) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE `" + database + "`");
        s.execute("USE `" + database + "`");
        for (String file : List.of("V1__control_baseline.sql", "V2__control_objects.sql",
            "V3__control_credentials.sql")) {
          try (InputStream in = DetectorLoad.class.getResourceAsStream("/db/control/" + file)) {
            String sql = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^--.*$", "");
            for (String statement : sql.split(";")) {
              if (!statement.isBlank()) {
                s.execute(statement);
              }
            }
          }
        }
      }
      long now = System.currentTimeMillis();
      StringBuilder metrics = new StringBuilder();
      for (int m = 0; m < METRICS; m++) {
        metrics.append(m == 0 ? "" : ",").append("{\"name\":\"").append(metric(m)).append("\",\"unit\":\"percent\"}");
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + ControlTables.table(EntityType.NAMESPACE)
          + " (id, tenant, name, namespace, shard, enabled, version, deleted, live, body, created_at_ms,"
          + " updated_at_ms, updated_by) VALUES (?, '', ?, ?, ?, 1, 1, 0, 1, ?, ?, ?, 'bench')")) {
        ps.setString(1, NAMESPACE);
        ps.setString(2, NAMESPACE);
        ps.setString(3, NAMESPACE);
        ps.setString(4, SHARD);
        ps.setString(5, "{\"name\":\"" + NAMESPACE + "\",\"tenantDimension\":\"appid\",\"requiredDimensions\":"
            + "[\"appid\",\"instance\"],\"metrics\":[" + metrics + "],\"periods\":[60,300],\"shard\":\"" + SHARD + "\"}");
        ps.setLong(6, now);
        ps.setLong(7, now);
        ps.executeUpdate();
      }
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + ControlTables.table(EntityType.POLICY)
          + " (id, tenant, name, namespace, shard, enabled, version, deleted, live, body, created_at_ms,"
          + " updated_at_ms, updated_by) VALUES (?, ?, ?, ?, ?, 1, 1, 0, 1, ?, ?, ?, 'bench')")) {
        for (int i = 0; i < policies; i++) {
          int tenant = i % TENANTS;
          int metric = i / TENANTS % METRICS;
          int kind = i / (TENANTS * METRICS) % INSTANCES; // 0..3: one instance; 4: the whole tenant
          String filters = kind < 4 ? "[{\"Function\":\"Equal\",\"Field\":\"instance\",\"Args\":\"i-" + kind + "\"}]"
              : "[]";
          ps.setString(1, String.format("bp%07d", i));
          ps.setString(2, "t" + tenant);
          ps.setString(3, "bench " + i);
          ps.setString(4, NAMESPACE);
          ps.setString(5, SHARD);
          ps.setString(6, "{\"name\":\"bench " + i + "\",\"namespace\":\"" + NAMESPACE + "\",\"filters\":" + filters
              + ",\"conditions\":[{\"metric\":\"" + metric(metric) + "\",\"period\":60,\"statistic\":\"AVG\","
              + "\"operator\":\"GT\",\"threshold\":90,\"forPeriods\":1,\"recoverPeriods\":1}]}");
          ps.setLong(7, now);
          ps.setLong(8, now);
          ps.addBatch();
          if (i % 5000 == 4999) {
            ps.executeBatch();
            c.commit();
          }
        }
        ps.executeBatch();
        c.commit();
      }
    }
    System.out.printf("set up %s: %d policies of shard %s%n", database, policies, SHARD);
  }

  static Map<String, Object> producerConfig() {
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 << 10);
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L << 20);
    return config;
  }

  static String bootstrap() {
    return System.getenv().getOrDefault("VIGIL_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
  }

  static String rollupTopic(String prefix) {
    return prefix + Topics.rollup(SHARD).base();
  }

  /** The value of a series in a window: breaching (95) in about 1 % of the windows, else 10..89. */
  static double value(int s, long windowIndex) {
    long h = (s * 0x9E3779B97F4A7C15L) ^ (windowIndex * 0xC2B2AE3D27D4EB4FL);
    h ^= h >>> 29;
    return Math.floorMod(h, 100) == 0 ? 95 : 10 + Math.floorMod(h >>> 8, 80);
  }

  /** Where the aggregator places a rollup: by its series' object. */
  static long object(Rollup r) {
    return SeriesId.objectOf(r.namespace(), r.region(), r.dimensions());
  }

  static Rollup rollup(int s, long window, double v, long emittedAtMs) {
    int tenant = s % TENANTS;
    int instance = s / TENANTS % INSTANCES;
    int metric = s / (TENANTS * INSTANCES);
    Map<String, String> d = dims(tenant, instance);
    long id = SeriesId.of(NAMESPACE, "local", metric(metric), d);
    return new Rollup(Rollup.SCHEMA_VERSION, id, NAMESPACE, "local", metric(metric), d, SHARD, 60, window, v, 1, v, v, v,
        emittedAtMs, "t" + tenant);
  }

  static void createTopics(String prefix) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
      List<NewTopic> topics = new ArrayList<>();
      topics.add(new NewTopic(rollupTopic(prefix), Topics.rollup(SHARD).partitions(), (short) 1));
      for (var t : List.of(Topics.ALERTS_EVENTS, Topics.EVENTS_RAW, Topics.CONTROL_CHANGES)) {
        topics.add(new NewTopic(prefix + t.base(), t.partitions(), (short) 1));
      }
      admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
    }
  }

  static void fill(String prefix, int windows) throws Exception {
    createTopics(prefix);
    String topic = rollupTopic(prefix);
    int partitions = Topics.rollup(SHARD).partitions();
    MessageCodec codec = new MessageCodec();
    long start = (System.currentTimeMillis() / 60_000 - windows - 5) * 60_000;
    long began = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(), new StringSerializer(),
        new ByteArraySerializer())) {
      for (int w = 0; w < windows; w++) {
        long window = start + w * 60_000L;
        for (int s = 0; s < SERIES; s++) {
          Rollup r = rollup(s, window, value(s, window / 60_000), window + 65_000);
          producer.send(new ProducerRecord<>(topic, SeriesPartitioner.partition(object(r), partitions),
              SeriesId.key(r.seriesId()), codec.encode(r)));
        }
      }
      producer.flush();
    }
    long total = (long) SERIES * windows;
    Files.writeString(Path.of(prefix + "fill"), Long.toString(total));
    System.out.printf("filled %s: %d rollups (%d series x %d windows) in %.1f s%n", topic, total, SERIES, windows,
        (System.nanoTime() - began) / 1e9);
  }

  static void drain(String prefix, String detectorUrl, long pid) throws Exception {
    long total = Long.parseLong(Files.readString(Path.of(prefix + "fill")).trim());
    HttpClient http = HttpClient.newHttpClient();
    List<long[]> samples = new ArrayList<>();
    long peakRss = 0;
    long last = -1;
    long lastProgressAt = System.nanoTime();
    while (true) {
      long consumed = (long) StorageLoad.sum(StorageLoad.scrape(http, detectorUrl + "/actuator/prometheus"),
          "vigil_kafka_consumed_total{", "topic=\"metrics.rollup.bench\"");
      long now = System.nanoTime();
      samples.add(new long[] {now, consumed});
      peakRss = Math.max(peakRss, StorageLoad.rssKb(pid));
      if (consumed > last) {
        last = consumed;
        lastProgressAt = now;
      }
      if (consumed >= total) {
        break;
      }
      if (now - lastProgressAt > TimeUnit.MINUTES.toNanos(2)) {
        throw new IllegalStateException("no progress for 2 minutes at " + consumed + " of " + total);
      }
      Thread.sleep(500);
    }
    int firstIndex = 0;
    while (samples.get(firstIndex)[1] == 0) {
      firstIndex++;
    }
    long[] from = samples.get(Math.max(0, firstIndex - 1));
    long[] done = samples.get(samples.size() - 1);
    double secs = (done[0] - from[0]) / 1e9;
    var m = StorageLoad.scrape(http, detectorUrl + "/actuator/prometheus");
    System.out.printf("judged %d rollups in %.1f s: %.0f rollups/s (the detector's consumed count, first to last)%n",
        done[1] - from[1], secs, (done[1] - from[1]) / secs);
    System.out.printf("alert transitions published: FIRING %.0f, RESOLVED %.0f; policies loaded %.0f%n",
        StorageLoad.sum(m, "vigil_alerts_total{", "status=\"FIRING\""),
        StorageLoad.sum(m, "vigil_alerts_total{", "status=\"RESOLVED\""),
        StorageLoad.sum(m, "vigil_policies_loaded{", "shard=\"bench\""));
    System.out.printf("peak RSS of the detector: %d MB%n", peakRss / 1024);
  }

  static void live(String prefix, int rate, int seconds) throws Exception {
    String topic = rollupTopic(prefix);
    int partitions = Topics.rollup(SHARD).partitions();
    MessageCodec codec = new MessageCodec();
    Map<String, Long> emitted = new HashMap<>(); // seriesId:window -> emittedAtMs, for breaching rollups
    long total = (long) rate * seconds;
    long firstWindow = (System.currentTimeMillis() / 60_000 + 1) * 60_000; // after every filled window
    long began = System.nanoTime();
    long sent = 0;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(), new StringSerializer(),
        new ByteArraySerializer())) {
      while (sent < total) {
        long due = (long) ((System.nanoTime() - began) / 1e9 * rate);
        for (; sent < Math.min(due, total); sent++) {
          int s = (int) (sent % SERIES);
          long window = firstWindow + sent / SERIES * 60_000L;
          double v = value(s, window / 60_000);
          long now = System.currentTimeMillis();
          Rollup r = rollup(s, window, v, now);
          if (v > 90) {
            emitted.put(SeriesId.hex(r.seriesId()) + ":" + window, now);
          }
          producer.send(new ProducerRecord<>(topic, SeriesPartitioner.partition(object(r), partitions),
              SeriesId.key(r.seriesId()), codec.encode(r)));
        }
        Thread.sleep(1);
      }
      producer.flush();
    }
    double secs = (System.nanoTime() - began) / 1e9;
    System.out.printf("sent %d rollups in %.1f s (%.0f/s), %d of them breaching%n", total, secs, total / secs,
        emitted.size());
    Thread.sleep(5_000);
    List<Long> latencies = new ArrayList<>();
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, prefix + "bench-reader-" + System.nanoTime());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(prefix + Topics.ALERTS_EVENTS.base()));
      long quietSince = System.nanoTime();
      while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(5)) {
        var records = consumer.poll(Duration.ofMillis(500));
        if (!records.isEmpty()) {
          quietSince = System.nanoTime();
        }
        for (ConsumerRecord<String, byte[]> rec : records) {
          AlertEvent e = codec.decode(rec.value(), AlertEvent.class);
          Long at = e.status() == AlertEvent.AlertStatus.FIRING
              ? emitted.get(SeriesId.hex(e.seriesId()) + ":" + e.windowStartMs()) : null;
          if (at != null) {
            latencies.add(rec.timestamp() - at);
          }
        }
      }
    }
    if (latencies.isEmpty()) {
      System.out.println("no alert event of the live phase was read");
      return;
    }
    long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf("rollup emitted -> alert published, %d firings: p50 %d ms, p99 %d ms, max %d ms%n", l.length,
        l[l.length / 2], l[(int) Math.min(l.length - 1, Math.ceil(l.length * 0.99) - 1)], l[l.length - 1]);
  }

  static void clean(String prefix, String jdbcBase, String database) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
      List<String> mine = admin.listTopics().names().get().stream().filter(t -> t.startsWith(prefix)).toList();
      admin.deleteTopics(mine).all().get(60, TimeUnit.SECONDS);
    }
    try (Connection c = DriverManager.getConnection(jdbcBase + "/?useSSL=false&allowPublicKeyRetrieval=true", "root",
        ""); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS `" + database + "`");
    }
    Files.deleteIfExists(Path.of(prefix + "fill"));
    System.out.println("cleaned " + prefix + "* and " + database);
  }
}
