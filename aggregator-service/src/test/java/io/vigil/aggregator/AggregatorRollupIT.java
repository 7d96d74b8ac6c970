package io.vigil.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.kafka.Topics;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.model.Rollup;
import io.vigil.common.model.RollupProgress;
import io.vigil.common.points.PointBatch;
import io.vigil.common.points.PointBatchCodec;
import io.vigil.common.points.SeriesPartitioner;
import io.vigil.common.series.SeriesId;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.VigilServiceTest;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The aggregator as it runs (the module's shared context, the real broker): a backlog accepted an hour
 * ago is rolled up, a point beyond its grace lands on {@code metrics.late} with its reason, and every
 * partition of the shard topic gets progress markers that follow the clock while it is idle (the
 * consumer's own lag says it is caught up).
 */
@VigilServiceTest
class AggregatorRollupIT {

  static final Set<Integer> PERIODS = Set.of(60, 300);

  @LocalServerPort
  int port;

  final MessageCodec codec = new MessageCodec();

  @Test
  void aBacklogIsRolledUpALatePointIsKeptWithItsReasonAndIdlePartitionsReportProgress() {
    String run = UUID.randomUUID().toString().substring(0, 6);
    Map<String, String> dims = Map.of("appid", "3", "instance", "it-" + run);
    long id = SeriesId.of("it/vm", "local", "cpu", dims);
    int partition = SeriesPartitioner.partition(SeriesId.objectOf("it/vm", "local", dims), 12); // as the gateway places it
    long hourAgo = (System.currentTimeMillis() - 3_600_000) / 300_000 * 300_000;
    // five minutes of a backlog (a point every 15 s, accepted as it happened), then a point accepted now
    List<byte[]> batches = new java.util.ArrayList<>();
    for (long t = hourAgo; t < hourAgo + 300_000; t += 15_000) {
      batches.add(batch(t, point(id, dims, t, (t - hourAgo) / 15_000.0)));
    }
    long now = System.currentTimeMillis();
    batches.add(batch(now, point(id, dims, now, 100)));
    // and a point of the backlog's first minute, accepted now: its minute closed long ago
    batches.add(batch(now, point(id, dims, hourAgo + 1_000, 99)));
    TestKafka.sendTo("metrics.raw", partition, batches);

    List<ConsumerRecord<String, byte[]>> rollups = TestKafka.awaitMatching(Topics.rollup("default").base(),
        r -> SeriesId.key(id).equals(r.key()), 6, Duration.ofSeconds(30));
    assertThat(rollups).extracting(ConsumerRecord::partition).as("the object's partition, as its points had")
        .containsOnly(partition);
    List<Rollup> mine = rollups.stream().map(r -> codec.decode(r.value(), Rollup.class)).toList();
    assertThat(mine).filteredOn(r -> r.periodSeconds() == 60).hasSize(5)
        .allSatisfy(r -> assertThat(r.count()).isEqualTo(4));
    Rollup five = mine.stream().filter(r -> r.periodSeconds() == 300).findFirst().orElseThrow();
    assertThat(five.windowStartMs()).isEqualTo(hourAgo);
    assertThat(five.count()).isEqualTo(20);
    assertThat(five.sum()).isEqualTo(190); // 0 + 1 + ... + 19
    assertThat(five.last()).isEqualTo(19);

    ConsumerRecord<String, byte[]> late = TestKafka.awaitRecord("metrics.late", SeriesId.key(id), Duration.ofSeconds(20));
    assertThat(late).isNotNull();
    assertThat(codec.decode(late.value(), MetricPoint.class).value()).isEqualTo(99);
    assertThat(new String(late.headers().lastHeader("vigil-late-reason").value())).startsWith("window_closed");

    // progress markers on every partition of the shard's topic, following the clock on idle ones
    long since = System.currentTimeMillis();
    Set<Integer> partitions = new HashSet<>();
    for (ConsumerRecord<String, byte[]> r : TestKafka.awaitMatching(Topics.rollup("default").base(),
        r -> Topics.isProgressMarker(r.headers()) && r.timestamp() >= since, 12 * 3, Duration.ofSeconds(30))) {
      RollupProgress p = codec.decode(r.value(), RollupProgress.class);
      assertThat(r.partition()).as("a marker goes to its source partition").isEqualTo(p.sourcePartition());
      if (p.watermarkMs() >= since - 10_000) {
        partitions.add(p.sourcePartition());
      }
    }
    assertThat(partitions).as("every partition, idle ones included, is at most seconds behind the clock")
        .hasSize(12);
    String metrics = new Http(port).get("/actuator/prometheus").body();
    assertThat(Http.sample(metrics, "vigil_points_late_total", "namespace=\"it/vm\"")).isGreaterThanOrEqualTo(1);
    assertThat(Http.sample(metrics, "vigil_rollups_emitted_total", "period=\"300\"")).isGreaterThanOrEqualTo(1);
    assertThat(metrics).contains("vigil_rollup_close_delay_seconds_bucket").contains("kafka_stream_");
  }

  static MetricPoint point(long id, Map<String, String> dims, long ts, double value) {
    return new MetricPoint(MetricPoint.SCHEMA_VERSION, id, "it/vm", "local", "cpu", dims, ts, value, null, "default", 0,
        PERIODS, 5_000, "3");
  }

  static byte[] batch(long receivedAt, MetricPoint p) {
    return PointBatchCodec.encode(new PointBatch(receivedAt, "it/vm", "local", "default", PERIODS, 5_000, List.of(p)));
  }
}
