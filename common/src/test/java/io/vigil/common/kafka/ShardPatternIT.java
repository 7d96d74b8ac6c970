package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.model.Rollup;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.TestKafka;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/** A consumer of every shard picks up a shard created while it runs, and never its dead-letter topic. */
class ShardPatternIT extends KitIT {

  @Test
  void aShardCreatedAtRunTimeIsConsumedWithoutRestartAndItsDeadLetterTopicIsNot() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    start(kit.consumeAllShards("all-shards", StartAt.EARLIEST).ignoringProgress().records(r -> seen.add(r.topic() + "/" + r.value().shard())));

    String shard = "s" + UUID.randomUUID().toString().substring(0, 8);
    Topic<Rollup> topic = Topics.rollup(shard);
    try (var admin = admin()) {
      admin.createTopics(List.of(new NewTopic(naming.topic(topic), 2, (short) 1),
          new NewTopic(naming.topic(topic.deadLetter()), 2, (short) 1))).all().get(20, TimeUnit.SECONDS);
      TopicReadiness.awaitLeaders(admin, List.of(naming.topic(topic), naming.topic(topic.deadLetter())),
          java.time.Duration.ofSeconds(20));
    }
    Awaits.until("producer knows the new shard", () -> template.partitionsFor(naming.topic(topic)).size() == 2);
    Rollup rollup = new Rollup(1, 42L, "qce/cvm", "local", "cpu", Map.of("appid", "1"), shard, 60, 1_764_000_000_000L,
        3, 1, 3, 3, 3, 0, null);
    TestKafka.send(topic.deadLetter().base(), "dead", new MessageCodec().encode(rollup));
    publisher.publish(topic, rollup).get(10, TimeUnit.SECONDS);

    Awaits.until("the new shard's rollup consumed", () -> seen.contains(topic.base() + "/" + shard));
    Thread.sleep(1000);
    assertThat(seen).containsOnlyOnce(topic.base() + "/" + shard);
    assertThat(count("vigil.kafka.consumed", "topic", topic.deadLetter().base())).isZero();
  }

  /** Every metric of an object goes to one partition of a shard topic: its object id's, as the aggregator places it. */
  @Test
  void aPublishedRollupIsPlacedByItsObjectNotItsKey() throws Exception {
    Topic<Rollup> topic = Topics.rollup("default");
    int partitions = template.partitionsFor(naming.topic(topic)).size();
    java.util.Set<Integer> used = new java.util.HashSet<>();
    for (int object = 0; object < 12; object++) {
      Map<String, String> dims = Map.of("appid", "1", "instance", "place-" + object);
      int expected = io.vigil.common.points.SeriesPartitioner.partition(
          io.vigil.common.series.SeriesId.objectOf("qce/cvm", "local", dims), partitions);
      for (String metric : List.of("cpu", "mem", "disk")) {
        long id = io.vigil.common.series.SeriesId.of("qce/cvm", "local", metric, dims);
        Rollup rollup = new Rollup(1, id, "qce/cvm", "local", metric, dims, "default", 60, 1_764_000_000_000L,
            3, 1, 3, 3, 3, 0, null);
        var sent = publisher.publish(topic, rollup).get(10, TimeUnit.SECONDS);
        assertThat(sent.getRecordMetadata().partition()).as("%s of object %d", metric, object).isEqualTo(expected);
        assertThat(sent.getProducerRecord().key()).isEqualTo(io.vigil.common.series.SeriesId.key(id));
      }
      used.add(expected);
    }
    assertThat(used).as("objects spread over the partitions").hasSizeGreaterThan(1);
  }

  /**
   * A rollup of a window an hour old, emitted a moment ago, counts a moment of consume delay, not
   * the window's age, whatever timestamp its record carries: the self-alert on consume delay must
   * not fire forever for 300 s and longer periods.
   */
  @Test
  void consumeDelayOfARollupCountsFromItsEmissionNotItsWindow() throws Exception {
    Topic<Rollup> topic = Topics.rollup("default");
    List<String> seen = new CopyOnWriteArrayList<>();
    start(kit.consume(topic, "delay", StartAt.EARLIEST).ignoringProgress().records(r -> seen.add(String.valueOf(r.value().seriesId()))));
    long now = System.currentTimeMillis();
    long windowStart = (now / 3_600_000L - 1) * 3_600_000L;
    Rollup rollup = new Rollup(1, 4242L, "qce/cvm", "local", "cpu", Map.of("appid", "1"), "default", 3600, windowStart,
        3, 1, 3, 3, 3, now, null);
    try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(Map.of(
        "bootstrap.servers", io.vigil.common.testing.TestServers.kafkaBootstrap(),
        "key.serializer", org.apache.kafka.common.serialization.StringSerializer.class,
        "value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
      // the record's own timestamp is the window's start, an hour and more ago
      producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(naming.topic(topic), null, windowStart,
          "4242", new MessageCodec().encode(rollup))).get(10, TimeUnit.SECONDS);
    }
    Awaits.until("consumed", () -> seen.contains("4242"));
    double maxDelaySeconds = registry.get("vigil.kafka.consume.delay").tag("topic", topic.base()).timer()
        .max(TimeUnit.SECONDS);
    assertThat(maxDelaySeconds).isLessThan(60).isGreaterThanOrEqualTo(0);
  }

  /**
   * The aggregator's progress markers share the rollup topics: they reach the progress handler after
   * the rollups sent before them, never the rollup handler, and are never dead-lettered as bad
   * rollups; a rollup consumer that says nothing about them is refused when built.
   */
  @Test
  void progressMarkersGoToTheProgressHandlerAfterTheRollupsBeforeThemAndNeverToTheRollupHandler() throws Exception {
    Topic<Rollup> topic = Topics.rollup("default");
    List<String> seen = new CopyOnWriteArrayList<>();
    String run = UUID.randomUUID().toString().substring(0, 6);
    start(kit.consume(topic, "progress-" + run, StartAt.EARLIEST)
        .progress((t, partition, offset, marker) -> seen.add("progress:" + marker.watermarkMs()))
        .records(r -> seen.add("rollup:" + r.value().seriesId())));
    long now = System.currentTimeMillis();
    long seriesId = now; // unique to the run
    int partition = io.vigil.common.points.SeriesPartitioner.partition(seriesId, topic.partitions());
    Rollup rollup = new Rollup(1, seriesId, "qce/cvm", "local", "cpu", Map.of("appid", "1"), "default", 60,
        now / 60_000 * 60_000 - 60_000, 3, 1, 3, 3, 3, now, null);
    io.vigil.common.model.RollupProgress marker = io.vigil.common.model.RollupProgress.of("default", partition,
        topic.partitions(), now, 20_000, 20_000, List.of(60, 300), now);
    try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(Map.of(
        "bootstrap.servers", io.vigil.common.testing.TestServers.kafkaBootstrap(),
        "key.serializer", org.apache.kafka.common.serialization.StringSerializer.class,
        "value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
      MessageCodec codec = new MessageCodec();
      producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(naming.topic(topic), partition,
          io.vigil.common.series.SeriesId.key(seriesId), codec.encode(rollup))).get(10, TimeUnit.SECONDS);
      var record = new org.apache.kafka.clients.producer.ProducerRecord<>(naming.topic(topic), partition,
          io.vigil.common.model.RollupProgress.key(partition), codec.encode(marker));
      record.headers().add(io.vigil.common.model.RollupProgress.HEADER,
          io.vigil.common.model.RollupProgress.TYPE.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      producer.send(record).get(10, TimeUnit.SECONDS);
    }
    Awaits.until("both handled", () -> seen.contains("progress:" + now));
    assertThat(seen).containsSubsequence("rollup:" + seriesId, "progress:" + now);
    assertThat(seen.stream().filter(s -> s.startsWith("rollup:"))).doesNotContain("rollup:0");
    assertThat(count("vigil.kafka.dead.lettered", "topic", topic.base())).isZero();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> kit.consume(topic, "silent-" + run, StartAt.EARLIEST)
        .records(r -> { })).isInstanceOf(IllegalStateException.class).hasMessageContaining("ignoringProgress");
  }
}
