package io.vigil.storage;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.vigil.common.kafka.DeadLetterHeaders;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.Rollup;
import io.vigil.common.series.SeriesId;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.storage.rollup.RollupIndices;
import java.io.StringReader;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Rollups from Kafka into Elasticsearch through the running service (the context StorageServiceIT
 * shares): each window one document however often it is delivered, and a rollup Elasticsearch
 * refuses dead-lettered with its reason while the rest of its batch is indexed.
 */
@VigilServiceTest
@TestPropertySource(properties = "vigil.kafka.shards=default,big-product")
class RollupIndexingIT {

  static final String TOPIC = "metrics.rollup.default";

  @Autowired
  ElasticsearchClient client;

  @Autowired
  RollupIndices indices;

  final MessageCodec codec = new MessageCodec();

  static Rollup rollup(long series, long windowStartMs, double sum) {
    return new Rollup(Rollup.SCHEMA_VERSION, series, "idx/vm", "local", "cpu", Map.of("appid", "7", "host", "h" + series),
        "default", 60, windowStartMs, sum, 3, 1, sum, 2, windowStartMs + 65_000, "7");
  }

  void send(Rollup r) {
    TestKafka.send(TOPIC, SeriesId.key(r.seriesId()), codec.encode(r));
  }

  long count(String index, long series) {
    try {
      if (!client.indices().exists(e -> e.index(index)).value()) {
        return 0;
      }
      client.indices().refresh(r -> r.index(index));
      return client.count(c -> c.index(index).query(q -> q.term(t -> t.field("seriesId").value(series)))).count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  double sum(String index, String id) {
    try {
      var doc = client.get(g -> g.index(index).id(id), Map.class);
      return doc.found() ? ((Number) doc.source().get("sum")).doubleValue() : Double.NaN;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aRollupDeliveredThreeTimesIsOneDocumentWithTheLastValue() throws Exception {
    long series = 0x5eed0001L;
    long start = 1_764_892_800_000L; // 2025-12-05T00:00:00Z
    String index = indices.indexFor(60, start);
    send(rollup(series, start, 1));
    send(rollup(series, start + 60_000, 2));
    send(rollup(series, start, 1));
    send(rollup(series, start, 5)); // the same window again (a replay after a restore): the same document
    Awaits.until("both windows indexed", Duration.ofSeconds(30), () -> count(index, series) == 2);
    Awaits.until("the last delivery's value", Duration.ofSeconds(30),
        () -> sum(index, RollupIndices.documentId(series, 60, start)) == 5.0);
    Thread.sleep(500);
    assertThat(count(index, series)).isEqualTo(2);
  }

  @Test
  void aRollupElasticsearchRefusesIsDeadLetteredWithItsReasonAndTheOthersAreIndexed() throws Exception {
    long series = 0x5eed0002L;
    long good = 1_764_979_200_000L; // 2025-12-06
    long refused = 1_765_065_600_000L; // 2025-12-07: its index exists already with a mapping the rollup breaks
    String refusedIndex = indices.indexFor(60, refused);
    client.indices().create(c -> c.index(refusedIndex).withJson(new StringReader(
        "{\"mappings\":{\"properties\":{\"sum\":{\"type\":\"boolean\"}}}}")));
    send(rollup(series, good, 1));
    Rollup bad = rollup(series, refused, 2);
    TestKafka.send(TOPIC, "refused-" + series, codec.encode(bad));
    send(rollup(series, good + 60_000, 3));
    ConsumerRecord<String, byte[]> dead = TestKafka.awaitRecord(TOPIC + ".dlt", "refused-" + series,
        Duration.ofSeconds(60));
    assertThat(dead).as("the refused rollup on the dead-letter topic").isNotNull();
    assertThat(TestKafka.header(dead, DeadLetterHeaders.REASON)).isEqualTo(DeadLetterHeaders.REASON_FAILED);
    assertThat(TestKafka.header(dead, DeadLetterHeaders.DETAIL)).contains("Elasticsearch refused rollup")
        .contains("400");
    assertThat(codec.decode(dead.value(), Rollup.class)).isEqualTo(bad);
    String goodIndex = indices.indexFor(60, good);
    Awaits.until("the rollups around it indexed", Duration.ofSeconds(30), () -> count(goodIndex, series) == 2);
  }
}
