package io.vigil.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.Rollup;
import io.vigil.common.observability.MetricNames;
import io.vigil.common.series.SeriesId;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.DeadDependencySupport;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.TestRun;
import io.vigil.storage.rollup.BlockWriter;
import io.vigil.storage.rollup.MinuteBlock;
import io.vigil.storage.rollup.RollupIndices;
import java.time.Duration;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.fault.FaultProxy;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Elasticsearch taken away through a proxy: storage lives, is not ready and says why, the client's
 * error is an unavailable dependency (so its consumers pause instead of dead-lettering), and
 * readiness returns with Elasticsearch; rollups that arrive meanwhile wait, with backoff, and are all
 * indexed when it returns; an hour's block waits and is written then too.
 */
@VigilServiceTest
class StorageDeadElasticsearchIT {

  static final URI ES = URI.create(TestServers.elasticsearchUrl());
  static final FaultProxy proxy = FaultProxy.to(ES.getHost(), ES.getPort());

  @DynamicPropertySource
  static void throughTheProxy(DynamicPropertyRegistry registry) {
    registry.add("spring.elasticsearch.uris", () -> "http://127.0.0.1:" + proxy.port());
    // indices of its own: only this context's consumers can make the documents this test waits for
    registry.add("vigil.elasticsearch.index-prefix", () -> TestRun.indexPrefix() + "dead-");
  }

  @AfterAll
  static void close() {
    proxy.close();
  }

  @LocalServerPort
  int port;

  @Autowired
  ElasticsearchClient client;

  @Autowired
  RollupIndices indices;

  @Autowired
  MeterRegistry registry;

  @Autowired
  BlockWriter blocks;

  final MessageCodec codec = new MessageCodec();

  @Test
  void readinessIsDownNamingElasticsearchAndComesBack() {
    proxy.refuse();
    try {
      DeadDependencySupport.assertNotReadyBecauseOf(port, "elasticsearch", "elasticsearch");
      DeadDependencySupport.assertClassedUnavailable(catchThrowable(() -> client.cluster().health()), "elasticsearch");
    } finally {
      proxy.pass();
    }
    DeadDependencySupport.assertReadyAgain(port);
  }

  @Test
  void rollupsWaitWhileElasticsearchIsAwayAndAreIndexedWhenItReturns() throws Exception {
    long series = 0x5eed0301L;
    long start = 1_765_152_000_000L; // 2025-12-08
    String index = indices.indexFor(60, start);
    proxy.refuse();
    double waitsBefore;
    try {
      for (int i = 0; i < 5; i++) {
        Rollup r = RollupIndexingIT.rollup(series, start + i * 60_000L, i + 1);
        TestKafka.send(RollupIndexingIT.TOPIC, SeriesId.key(series), codec.encode(r));
      }
      Awaits.until("the rollup consumer waits for Elasticsearch", Duration.ofSeconds(30),
          () -> waits() > 0 && registry.find(MetricNames.KAFKA_CONSUMER_WAITING).gauges().stream()
              .anyMatch(g -> g.value() == 1));
      waitsBefore = waits();
      Thread.sleep(5_000);
      // doubling pauses from 100 ms: a handful of attempts in 5 s, where a busy loop makes thousands
      assertThat(waits() - waitsBefore).as("retries back off: no busy loop").isLessThan(25);
      assertThat(TestKafka.readAll(RollupIndexingIT.TOPIC + ".dlt", Duration.ofSeconds(1)).stream()
          .filter(r -> SeriesId.key(series).equals(r.key())).toList()).as("nothing dead-lettered").isEmpty();
    } finally {
      proxy.pass();
    }
    Awaits.until("all five windows indexed once Elasticsearch is back", Duration.ofSeconds(60), () -> {
      try {
        if (!client.indices().exists(e -> e.index(index)).value()) {
          return false;
        }
        client.indices().refresh(r -> r.index(index));
        return client.count(c -> c.index(index).query(q -> q.term(t -> t.field("seriesId").value(series))))
            .count() == 5;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @Test
  void anHoursBlockWaitsWhileElasticsearchIsAwayAndIsWrittenWhenItReturns() throws Exception {
    long series = 0x5eed0302L;
    long hour = 1_765_152_000_000L + 3 * MinuteBlock.HOUR_MS;
    Counter failed = registry.get("vigil_storage_blocks_total").tag("outcome", "failed").counter();
    double failedBefore = failed.count();
    for (int m = 0; m < 60; m++) {
      TestKafka.send(RollupIndexingIT.TOPIC, SeriesId.key(series), codec.encode(RollupIndexingIT.rollup(series,
          hour + m * 60_000L, m + 1)));
    }
    Rollup minute = RollupIndexingIT.rollup(series, hour, 1);
    TestKafka.send(RollupIndexingIT.TOPIC, SeriesId.key(series), codec.encode(new Rollup(minute.schemaVersion(), series,
        minute.namespace(), minute.region(), minute.metric(), minute.dimensions(), minute.shard(), 3600, hour,
        1830, 180, 1, 60, 2, hour + MinuteBlock.HOUR_MS + 65_000, minute.tenant())));
    // the block is due 6 s (vigil.storage.blocks.settle in the tests) after its hour rollup is indexed
    Awaits.until("the hour waits for its block", Duration.ofSeconds(30), () -> blocks.pending() > 0);
    proxy.refuse();
    try {
      Awaits.until("the block's run failed on Elasticsearch", Duration.ofSeconds(30),
          () -> failed.count() > failedBefore);
      assertThat(blocks.pending()).as("the hour is still pending").isGreaterThan(0);
    } finally {
      proxy.pass();
    }
    String index = blocks.family().indexFor(hour);
    Awaits.until("the block written once Elasticsearch is back", Duration.ofSeconds(60), () -> {
      try {
        if (!client.indices().exists(e -> e.index(index)).value()) {
          return false;
        }
        client.indices().refresh(r -> r.index(index));
        return client.count(c -> c.index(index).query(q -> q.term(t -> t.field("seriesId").value(series))))
            .count() == 1;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  double waits() {
    return registry.find(MetricNames.KAFKA_DEPENDENCY_WAITS).tag(MetricNames.TAG_DEPENDENCY, "elasticsearch")
        .tag(MetricNames.TAG_CONSUMER, "storage-rollups").counters().stream().mapToDouble(c -> c.count()).sum();
  }
}
