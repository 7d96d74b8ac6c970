package io.vigil.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.kafka.KafkaNaming;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.kafka.Topics;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.model.Rollup;
import io.vigil.common.points.PointBatch;
import io.vigil.common.points.PointBatchCodec;
import io.vigil.common.points.SeriesPartitioner;
import io.vigil.common.series.SeriesId;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.fault.ChildJvm;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Exactly once, against the real broker, with the aggregator in child JVMs: instance A works alone,
 * instance B joins (a rebalance moves half the partitions), then A is SIGKILLed in the middle of its
 * transactions (commit interval 2 s, points flowing) and B takes A's partitions over. Every window is
 * emitted exactly once to read_committed readers, with the values a plain computation over the points
 * gives; a read_uncommitted reader sees more rollup records than that, the aborted ones: proof the kill
 * hit open transactions (A is frozen with SIGSTOP while the test finds one, then killed). An in-JVM close would be graceful and prove nothing.
 *
 * <p>The points are a backlog, accepted by the gateway three hours ago (so windows close as the
 * backlog's own progress passes them, however fast or slow the instances read it).
 */
class RollupExactlyOnceIT {

  static final int SERIES = 24;
  static final int STEPS = 120; // one point per series every 10 s: 20 minutes
  static final long GRACE = 2_000;
  static final Set<Integer> PERIODS = Set.of(60, 300, 900, 3600, 86400);

  final MessageCodec codec = new MessageCodec();

  @Test
  void killedMidTransactionAndRebalancedEveryWindowIsEmittedOnceWithTheRightValues() throws Exception {
    String prefix = TestRun.topicPrefix() + "eo" + UUID.randomUUID().toString().substring(0, 6) + ".";
    KafkaNaming naming = new KafkaNaming(prefix, "aggregator");
    String raw = naming.topic(Topics.METRICS_RAW);
    String rollups = naming.topic(Topics.rollup("default"));
    long t0 = (System.currentTimeMillis() - 3 * 3_600_000L) / 3_600_000L * 3_600_000L;
    List<MetricPoint> all = new ArrayList<>();
    List<Map<Integer, PointBatch>> steps = new ArrayList<>();
    for (int step = 0; step < STEPS; step++) {
      long ts = t0 + step * 10_000L;
      Map<Integer, List<MetricPoint>> byPartition = new TreeMap<>();
      for (int s = 0; s < SERIES; s++) {
        Map<String, String> dims = Map.of("appid", "7", "instance", "i-" + s);
        long id = SeriesId.of("eo/vm", "local", "cpu", dims);
        MetricPoint p = new MetricPoint(MetricPoint.SCHEMA_VERSION, id, "eo/vm", "local", "cpu", dims,
            ts + s * 37L, (step * 7 + s * 13) % 101 / 4.0, "percent", "default", ts, PERIODS, GRACE, "7");
        all.add(p);
        byPartition.computeIfAbsent(SeriesPartitioner.partition(SeriesId.objectOf("eo/vm", "local", dims), 12),
            k -> new ArrayList<>()).add(p);
      }
      Map<Integer, PointBatch> batches = new TreeMap<>();
      byPartition.forEach((partition, points) -> batches.put(partition, new PointBatch(ts + 500, "eo/vm", "local",
          "default", PERIODS, GRACE, points)));
      steps.add(batches);
    }

    String group = naming.group("rollups");
    try (KafkaProducer<String, byte[]> producer = producer();
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap()));
        ChildJvm.Service a = start(prefix)) {
      awaitReady(a);
      send(producer, raw, steps, 0, 40, 0);
      Awaits.until("A committed rollups", Duration.ofSeconds(60), () -> read(rollups, true).size() > 0);
      Set<String> aClients = new HashSet<>();
      Awaits.until("A's consumer in the group", Duration.ofSeconds(30), () -> {
        aClients.addAll(members(admin, group).keySet());
        return !aClients.isEmpty();
      });
      try (ChildJvm.Service b = start(prefix)) {
        awaitReady(b);
        send(producer, raw, steps, 40, 80, 25);
        // the last third flows while A is killed in a moment one of its transactions holds rollups
        Thread killer = new Thread(() -> killWithOpenRollups(a.jvm(), admin, group, aClients, rollups));
        killer.start();
        send(producer, raw, steps, 80, STEPS, 40);
        killer.join();
        closeEverything(producer, raw);
        Map<String, Rollup> expected = expected(all);
        Awaits.until("B rolled up everything, A's partitions included", Duration.ofSeconds(120),
            () -> read(rollups, true).stream().filter(r -> r.namespace().equals("eo/vm")).count() >= expected.size());
        Thread.sleep(3000); // anything more would be a duplicate: give it the time to show
        List<Rollup> committed = read(rollups, true).stream().filter(r -> r.namespace().equals("eo/vm")).toList();
        Map<String, Rollup> seen = new HashMap<>();
        for (Rollup r : committed) {
          assertThat(seen.put(key(r), r)).as("exactly once: %s", key(r)).isNull();
        }
        assertThat(seen.keySet()).isEqualTo(expected.keySet());
        for (Rollup r : committed) {
          Rollup want = expected.get(key(r));
          assertThat(List.of(r.count(), r.sum(), r.min(), r.max(), r.last()))
              .as(key(r)).isEqualTo(List.of(want.count(), want.sum(), want.min(), want.max(), want.last()));
        }
        long uncommitted = read(rollups, false).stream().filter(r -> r.namespace().equals("eo/vm")).count();
        System.out.printf("exactly once: %d windows, %d rollups read committed, %d read uncommitted%n",
            expected.size(), committed.size(), uncommitted);
        assertThat(uncommitted).as("aborted rollups of A's open transactions are in the log")
            .isGreaterThan(committed.size());
      }
    }
  }

  /**
   * A point accepted now on every partition (another namespace): each partition's progress jumps to
   * now, so every window of the backlog closes. (Idleness is off in this test: a partition the test
   * stops feeding for a few seconds would otherwise follow the clock, and the rest of a backlog the
   * test sends later would be late; a real backlog is in Kafka before it is read.)
   */
  static void closeEverything(KafkaProducer<String, byte[]> producer, String topic) {
    long now = System.currentTimeMillis();
    for (int partition = 0; partition < 12; partition++) {
      Map<String, String> dims = Map.of("appid", "7", "instance", "closer-" + partition);
      long id = SeriesId.of("eo/closer", "local", "cpu", dims);
      MetricPoint p = new MetricPoint(MetricPoint.SCHEMA_VERSION, id, "eo/closer", "local", "cpu", dims, now, 1, null,
          "default", now, PERIODS, GRACE, "7");
      producer.send(new ProducerRecord<>(topic, partition, null, PointBatchCodec.encode(new PointBatch(now,
          "eo/closer", "local", "default", PERIODS, GRACE, List.of(p)))));
    }
    producer.flush();
  }

  static String key(Rollup r) {
    return r.seriesId() + "/" + r.periodSeconds() + "/" + r.windowStartMs();
  }

  /** Every window that closes (end + grace well before now) of every series, computed plainly. */
  static Map<String, Rollup> expected(List<MetricPoint> points) {
    Map<String, List<MetricPoint>> windows = new TreeMap<>();
    long closedBy = System.currentTimeMillis() - 60_000;
    for (MetricPoint p : points) {
      for (int period : PERIODS) {
        long start = Math.floorDiv(p.timestampMs(), period * 1000L) * period * 1000L;
        if (start + period * 1000L + GRACE <= closedBy) {
          windows.computeIfAbsent(p.seriesId() + "/" + period + "/" + start, k -> new ArrayList<>()).add(p);
        }
      }
    }
    Map<String, Rollup> out = new HashMap<>();
    windows.forEach((key, ps) -> {
      String[] parts = key.split("/");
      BigDecimal sum = BigDecimal.ZERO;
      double min = Double.MAX_VALUE;
      double max = -Double.MAX_VALUE;
      MetricPoint last = ps.get(0);
      for (MetricPoint p : ps) {
        sum = sum.add(new BigDecimal(p.value()));
        min = Math.min(min, p.value());
        max = Math.max(max, p.value());
        if (p.timestampMs() >= last.timestampMs()) {
          last = p;
        }
      }
      MetricPoint any = ps.get(0);
      out.put(key, new Rollup(Rollup.SCHEMA_VERSION, any.seriesId(), any.namespace(), any.region(), any.metric(),
          any.dimensions(), "default", Integer.parseInt(parts[1]), Long.parseLong(parts[2]), sum.doubleValue(),
          ps.size(), min, max, last.value(), 0, any.tenant()));
    });
    return out;
  }

  static ChildJvm.Service start(String prefix) {
    return ChildJvm.startService("aggregator", "io.vigil.aggregator.AggregatorApplication", List.of(
        "--vigil.kafka.topic-prefix=" + prefix,
        "--spring.kafka.streams.properties.commit.interval.ms=2000",
        "--spring.kafka.streams.properties.consumer.session.timeout.ms=6000",
        "--spring.kafka.streams.properties.consumer.heartbeat.interval.ms=1000",
        "--spring.kafka.streams.properties.consumer.auto.offset.reset=earliest",
        "--vigil.aggregator.idle-after=10m"));
  }

  static void awaitReady(ChildJvm.Service s) {
    Http http = new Http(s.port());
    Awaits.until("the aggregator is ready (its streams running)", Duration.ofSeconds(90),
        () -> http.get("/actuator/health/readiness").statusCode() == 200);
  }

  static KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap(),
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all"),
        new StringSerializer(), new ByteArraySerializer());
  }

  /** Steps [from, to) of the backlog, each step's batches on their partitions, {@code pauseMs} between steps. */
  static void send(KafkaProducer<String, byte[]> producer, String topic, List<Map<Integer, PointBatch>> steps,
      int from, int to, long pauseMs) throws Exception {
    for (int i = from; i < to; i++) {
      for (var e : steps.get(i).entrySet()) {
        producer.send(new ProducerRecord<>(topic, e.getKey(), null, PointBatchCodec.encode(e.getValue())));
      }
      producer.flush();
      sleep(pauseMs);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The group's members by client id, each with the partitions of {@code metrics.raw} it has. */
  static Map<String, Set<Integer>> members(Admin admin, String group) {
    try {
      Map<String, Set<Integer>> out = new HashMap<>();
      for (MemberDescription m : admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get()
          .members()) {
        Set<Integer> partitions = new TreeSet<>();
        m.assignment().topicPartitions().stream().filter(tp -> tp.topic().endsWith(Topics.METRICS_RAW.base()))
            .forEach(tp -> partitions.add(tp.partition()));
        out.put(m.clientId(), partitions);
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Kills A at a moment a rollup (not a progress marker) sits in one of its open transactions: between
   * the last stable offset and the end of a partition of A's. A is frozen (SIGSTOP) while the test
   * looks, so the transaction seen open is still open when SIGKILL comes; when none is, A goes on and
   * the test looks again. A series' rollups go to the partition of the same number as its raw
   * partition, so A's raw partitions name its rollup partitions.
   */
  static void killWithOpenRollups(ChildJvm a, Admin admin, String group, Set<String> aClients, String rollups) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        List<TopicPartition> mine = members(admin, group).entrySet().stream()
            .filter(e -> aClients.contains(e.getKey())).flatMap(e -> e.getValue().stream())
            .map(p -> new TopicPartition(rollups, p)).toList();
        if (mine.isEmpty()) {
          sleep(50);
          continue;
        }
        a.pause();
        if (openRollup(admin, consumer, mine)) {
          a.kill();
          return;
        }
        a.resume();
        sleep(100);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    throw new AssertionError("no transaction of A's held a rollup for 30 s");
  }

  /** Whether a rollup sits between the last stable offset and the end of one of the partitions. */
  static boolean openRollup(Admin admin, KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions)
      throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
    consumer.assign(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    partitions.forEach(tp -> consumer.seek(tp, stable.get(tp).offset()));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < until && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
        if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && !Topics.isProgressMarker(r.headers())) {
          return true;
        }
      }
    }
    return false;
  }

  /** Every rollup on the topic (progress markers aside), read committed or not. */
  List<Rollup> read(String topic, boolean committed) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap());
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
    List<Rollup> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (!Topics.isProgressMarker(r.headers())) {
            out.add(codec.decode(r.value(), Rollup.class));
          }
        }
      }
    }
    return out;
  }
}
