package io.vigil.bench;

import io.vigil.common.kafka.Topics;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.points.PointBatch;
import io.vigil.common.points.PointBatchCodec;
import io.vigil.common.points.SeriesPartitioner;
import io.vigil.common.series.SeriesId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The aggregator's load: a pre-filled {@code metrics.raw} and a stopwatch on the rollup application's
 * committed offsets.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.vigil.bench.RollupLoad fill &lt;prefix&gt; &lt;series&gt; &lt;steps&gt;
 * java -cp bench/target/benchmarks.jar io.vigil.bench.RollupLoad wait &lt;prefix&gt; &lt;group&gt; [metrics url]
 * java -cp bench/target/benchmarks.jar io.vigil.bench.RollupLoad sizes &lt;topic prefix to sum&gt;
 * java -cp bench/target/benchmarks.jar io.vigil.bench.RollupLoad live &lt;prefix&gt; &lt;series&gt; &lt;seconds&gt; &lt;grace ms&gt;
 * </pre>
 *
 * <p>{@code live}: points stamped now, as the gateway would hand them over, each series every 10 s
 * spread evenly over the 10 s (in 100 steps), for {@code seconds}; meanwhile a read-committed reader
 * of the shard topic measures, per rollup, its emission time and its arrival at the reader less its
 * window's end, and prints the percentiles per period once the run is over, and each window's latest
 * rollup. Counted: windows that opened after the run began and were due to close while points still
 * flowed (one due after the feed stopped closes by idleness instead, a bound of its own).
 *
 * {@code fill}: {@code series} series shaped like cloud metrics (20 metrics over instances and 100
 * tenants), each with one point every 10 s for {@code steps} steps, as the gateway writes them: one
 * {@link PointBatch} of at most 500 points per (step, partition), placed by {@link SeriesPartitioner},
 * accepted when they happened, starting {@code steps} × 10 s + 1 h ago (a backlog: windows close as
 * it is read, not by the clock). Writes {@code <prefix>metrics.raw.fill} beside the topic's offsets.
 *
 * <p>{@code wait}: samples the group's committed offsets every 250 ms until they reach the end of the
 * topic, then prints points/s between the first and the last commit (start-up and the first rebalance
 * are not counted). That rate is only as fine as the commit interval: with commits 5 s apart the last
 * one may come seconds after the last record was done. Given the aggregator's Prometheus endpoint, it
 * also samples the aggregator's own count of records read ({@code vigil_kafka_consumed_total} of
 * {@code metrics.raw}) and prints points/s from the first record counted to the last, which is what
 * compares configurations with different commit intervals.
 */
public final class RollupLoad {

  static final int PER_RECORD = 500;

  public static void main(String[] args) throws Exception {
    String bootstrap = System.getenv().getOrDefault("VIGIL_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      switch (args[0]) {
        case "fill" -> fill(admin, bootstrap, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        case "wait" -> await(admin, args[1], args[2], args.length > 3 ? args[3] : null);
        case "sizes" -> sizes(admin, args[1]);
        case "live" -> live(bootstrap, args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
            Long.parseLong(args[4]));
        default -> throw new IllegalArgumentException("fill | wait | sizes | live");
      }
    }
  }

  /**
   * {@code series} series shaped like cloud metrics: 20 metrics over instances, the instances over 100
   * tenants ({@code appid}), in region {@code local} of {@code namespace}, with {@code extra} dimensions.
   */
  record Fleet(long[] ids, long[] objects, String[] metrics, List<Map<String, String>> dims) {

    static Fleet of(String namespace, int series, Map<String, String> extra) {
      long[] ids = new long[series];
      long[] objects = new long[series];
      String[] metrics = new String[series];
      List<Map<String, String>> dims = new ArrayList<>(series);
      for (int s = 0; s < series; s++) {
        int instance = s / 20;
        metrics[s] = "cpu_metric_" + s % 20;
        Map<String, String> d = new TreeMap<>(extra);
        d.put("appid", Integer.toString(1_250_000_000 + instance % 100));
        d.put("instance", "ins-" + Integer.toHexString(0x100000 + instance));
        dims.add(d);
        ids[s] = SeriesId.of(namespace, "local", metrics[s], d);
        objects[s] = SeriesId.objectOf(namespace, "local", d); // placed as the gateway places them
      }
      return new Fleet(ids, objects, metrics, dims);
    }
  }

  static void fill(Admin admin, String bootstrap, String prefix, int series, int steps) throws Exception {
    String topic = prefix + Topics.METRICS_RAW.base();
    admin.createTopics(List.of(new NewTopic(topic, 12, (short) 1))).all().get(30, TimeUnit.SECONDS);
    io.vigil.common.kafka.TopicReadiness.awaitLeaders(admin, List.of(topic), java.time.Duration.ofSeconds(30));
    Set<Integer> periods = Set.of(60, 300, 900, 3600, 86400);
    long start = (System.currentTimeMillis() - steps * 10_000L - 3_600_000L) / 86_400_000L * 86_400_000L;
    Fleet fleet = Fleet.of("benchload/cloud", series, Map.of("region", "ap-guangzhou"));
    long[] ids = fleet.ids();
    List<Map<String, String>> dims = fleet.dims();
    String[] metrics = fleet.metrics();
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    config.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
    config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 256L << 20);
    config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20);
    long points = 0;
    long records = 0;
    long began = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
        new ByteArraySerializer())) {
      for (int step = 0; step < steps; step++) {
        long ts = start + step * 10_000L;
        List<List<MetricPoint>> byPartition = new ArrayList<>();
        for (int p = 0; p < 12; p++) {
          byPartition.add(new ArrayList<>());
        }
        for (int s = 0; s < series; s++) {
          MetricPoint point = new MetricPoint(MetricPoint.SCHEMA_VERSION, ids[s], "benchload/cloud", "local",
              metrics[s], dims.get(s), ts + s % 1000, (s * 31L + step) % 1000 / 10.0, null, "default", ts, periods,
              30_000, dims.get(s).get("appid"));
          int partition = SeriesPartitioner.partition(fleet.objects()[s], 12);
          List<MetricPoint> pending = byPartition.get(partition);
          pending.add(point);
          if (pending.size() == PER_RECORD) {
            records += send(producer, topic, partition, ts + 1_000, periods, pending);
            points += pending.size();
            pending.clear();
          }
        }
        for (int p = 0; p < 12; p++) {
          if (!byPartition.get(p).isEmpty()) {
            records += send(producer, topic, p, ts + 1_000, periods, byPartition.get(p));
            points += byPartition.get(p).size();
          }
        }
      }
      producer.flush();
    }
    double secs = (System.nanoTime() - began) / 1e9;
    Files.writeString(Path.of(topic + ".fill"), points + " " + records + "\n");
    System.out.printf("filled %s: %d points in %d records (%d series x %d steps) in %.1f s%n", topic, points, records,
        series, steps, secs);
  }

  static void live(String bootstrap, String prefix, int series, int seconds, long grace) throws Exception {
    String raw = prefix + Topics.METRICS_RAW.base();
    String rollups = prefix + Topics.rollup("default").base();
    Set<Integer> periods = Set.of(60, 300);
    Fleet fleet = Fleet.of("benchlive/cloud", series, Map.of());
    long[] ids = fleet.ids();
    List<Map<String, String>> dims = fleet.dims();
    String[] metrics = fleet.metrics();
    Map<Integer, List<Long>> emitDelay = new java.util.concurrent.ConcurrentHashMap<>();
    Map<Integer, List<Long>> seenDelay = new java.util.concurrent.ConcurrentHashMap<>();
    Map<String, Long> windowMax = new java.util.concurrent.ConcurrentSkipListMap<>();
    long started = System.currentTimeMillis();
    long end = started + seconds * 1000L;
    Thread reader = new Thread(() -> {
      Map<String, Object> c = new HashMap<>();
      c.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      c.put(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      io.vigil.common.kafka.MessageCodec codec = new io.vigil.common.kafka.MessageCodec();
      try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, byte[]>(c,
          new org.apache.kafka.common.serialization.StringDeserializer(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
        List<TopicPartition> parts = new ArrayList<>();
        consumer.partitionsFor(rollups).forEach(i -> parts.add(new TopicPartition(rollups, i.partition())));
        consumer.assign(parts);
        consumer.seekToEnd(parts);
        while (System.currentTimeMillis() < end + 90_000) {
          for (var r : consumer.poll(java.time.Duration.ofMillis(100))) {
            if (Topics.isProgressMarker(r.headers())) {
              continue;
            }
            long now = System.currentTimeMillis();
            io.vigil.common.model.Rollup rollup = codec.decode(r.value(), io.vigil.common.model.Rollup.class);
            // only windows that opened after the run began (whole windows of live points) and were due to close
            // while points still flowed (a window due after the feed stopped closes by idleness, grace + idle-after
            // + a tick: RollupTopologyTest's case, not this one's)
            if (!rollup.namespace().equals("benchlive/cloud") || rollup.windowStartMs() < started
                || rollup.windowEndMs() + grace + 1_000 > end) {
              continue;
            }
            windowMax.merge(rollup.periodSeconds() + "s from " + java.time.Instant.ofEpochMilli(rollup.windowStartMs()),
                rollup.emittedAtMs() - rollup.windowEndMs(), Math::max);
            emitDelay.computeIfAbsent(rollup.periodSeconds(), k -> new ArrayList<>())
                .add(rollup.emittedAtMs() - rollup.windowEndMs());
            seenDelay.computeIfAbsent(rollup.periodSeconds(), k -> new ArrayList<>()).add(now - rollup.windowEndMs());
          }
        }
      }
    });
    reader.start();
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    long points = 0;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
        new ByteArraySerializer())) {
      int slice = (series + 99) / 100;
      for (long tick = 0; System.currentTimeMillis() < end; tick++) {
        long due = started + tick * 100;
        long wait = due - System.currentTimeMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        long now = System.currentTimeMillis();
        int from = (int) (tick % 100) * slice;
        List<List<MetricPoint>> byPartition = new ArrayList<>();
        for (int p = 0; p < 12; p++) {
          byPartition.add(new ArrayList<>());
        }
        for (int s = from; s < Math.min(series, from + slice); s++) {
          byPartition.get(SeriesPartitioner.partition(fleet.objects()[s], 12)).add(new MetricPoint(MetricPoint.SCHEMA_VERSION,
              ids[s], "benchlive/cloud", "local", metrics[s], dims.get(s), now, s % 100, null, "default", now, periods,
              grace, dims.get(s).get("appid")));
        }
        for (int p = 0; p < 12; p++) {
          if (!byPartition.get(p).isEmpty()) {
            producer.send(new ProducerRecord<>(raw, p, null, PointBatchCodec.encode(new PointBatch(now,
                "benchlive/cloud", "local", "default", periods, grace, byPartition.get(p)))));
            points += byPartition.get(p).size();
          }
        }
      }
    }
    reader.join();
    System.out.printf("live: %d points in %d s (%d points/s), %d series, grace %d ms%n", points, seconds,
        points / seconds, series, grace);
    for (int period : new TreeMap<>(emitDelay).keySet()) {
      System.out.printf("period %4d s: %7d rollups; emitted after window end p50 %5d ms p99 %5d ms max %5d ms;"
          + " seen by a read-committed reader p50 %5d ms p99 %5d ms max %5d ms%n", period, emitDelay.get(period).size(),
          pct(emitDelay.get(period), 50), pct(emitDelay.get(period), 99), pct(emitDelay.get(period), 100),
          pct(seenDelay.get(period), 50), pct(seenDelay.get(period), 99), pct(seenDelay.get(period), 100));
    }
    // the first window after the aggregator started carries its warm-up (JIT): each window's last rollup shows it
    windowMax.forEach((window, max) -> System.out.printf("  window %s: last rollup emitted %d ms after its end%n",
        window, max));
  }

  static long pct(List<Long> values, int p) {
    List<Long> sorted = new ArrayList<>(values);
    java.util.Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  static int send(KafkaProducer<String, byte[]> producer, String topic, int partition, long receivedAt,
      Set<Integer> periods, List<MetricPoint> points) {
    PointBatch batch = new PointBatch(receivedAt, "benchload/cloud", "local", "default", periods, 30_000, points);
    producer.send(new ProducerRecord<>(topic, partition, null, PointBatchCodec.encode(batch)));
    return 1;
  }

  static void await(Admin admin, String prefix, String group, String metricsUrl) throws Exception {
    String topic = prefix + Topics.METRICS_RAW.base();
    String[] fill = Files.readString(Path.of(topic + ".fill")).trim().split(" ");
    long points = Long.parseLong(fill[0]);
    long records = Long.parseLong(fill[1]);
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < 12; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
    long end = ends.values().stream().mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
    long firstAt = 0;
    long firstDone = 0;
    long lastDone = 0;
    long lastAt = 0;
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    long countedFrom = -1;
    long countedFromAt = 0;
    long countedAll = -1;
    long countedAllAt = 0;
    while (System.nanoTime() < deadline) {
      if (metricsUrl != null && countedAll < 0) {
        long counted = consumed(http, metricsUrl);
        long at = System.nanoTime();
        if (counted > 0 && countedFrom < 0) {
          countedFrom = counted;
          countedFromAt = at;
        }
        if (counted >= records) {
          countedAll = counted;
          countedAllAt = at;
        }
      }
      long done = 0;
      for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get().entrySet()) {
        if (e.getKey().topic().equals(topic) && e.getValue() != null) {
          done += e.getValue().offset();
        }
      }
      long now = System.nanoTime();
      if (done > 0 && firstAt == 0) {
        firstAt = now;
        firstDone = done;
      }
      if (done > lastDone) {
        lastDone = done;
        lastAt = now;
      }
      if (done >= end) {
        break;
      }
      Thread.sleep(250);
    }
    double secs = (lastAt - firstAt) / 1e9;
    double perRecord = (double) points / records;
    System.out.printf("%s: %d of %d records committed; %.0f points/s over %.1f s (first commit to last)%n", group,
        lastDone, end, (lastDone - firstDone) * perRecord / secs, secs);
    if (countedAll > 0 && countedAllAt > countedFromAt) {
      double counted = (countedAllAt - countedFromAt) / 1e9;
      System.out.printf("%s: %.0f points/s over %.1f s (first record read to last, by the aggregator's own count)%n",
          group, (countedAll - countedFrom) * perRecord / counted, counted);
    }
  }

  /** The aggregator's count of metrics.raw records read, from its Prometheus endpoint; 0 before it answers. */
  static long consumed(java.net.http.HttpClient http, String url) {
    try {
      String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      long sum = 0;
      for (String line : body.split("\n")) {
        if (line.startsWith("vigil_kafka_consumed_total{") && line.contains("metrics.raw\"")) {
          sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return sum;
    } catch (Exception e) {
      return 0; // not up yet
    }
  }

  /** Bytes on the broker of every topic whose name starts with {@code prefix} (changelogs, rollups). */
  static void sizes(Admin admin, String prefix) throws Exception {
    Map<String, Long> bytes = new TreeMap<>();
    var nodes = admin.describeCluster().nodes().get().stream().map(n -> n.id()).toList();
    for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(nodes).allDescriptions().get().values()) {
      for (LogDirDescription dir : dirs.values()) {
        for (Map.Entry<TopicPartition, ReplicaInfo> r : dir.replicaInfos().entrySet()) {
          if (r.getKey().topic().startsWith(prefix)) {
            bytes.merge(r.getKey().topic(), r.getValue().size(), Long::sum);
          }
        }
      }
    }
    bytes.forEach((t, b) -> System.out.printf("%-90s %10.1f MB%n", t, b / 1e6));
  }
}
