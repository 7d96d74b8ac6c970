package io.vigil.storage.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.indices.get_mapping.IndexMappingRecord;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.Rollup;
import io.vigil.common.store.StoreNames;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rollup template on the real Elasticsearch: indices created from it map dimensions as one
 * flattened field whatever keys arrive, and a rollup indexed again under its id stays one document.
 */
class RollupTemplateIT {

  static ElasticsearchClient client;
  static final RollupIndices indices = new RollupIndices(new StoreNames(TestRun.indexPrefix() + "tpl-", "x:"),
      RollupIndices.defaults());
  final MessageCodec codec = new MessageCodec();

  @BeforeAll
  static void connect() throws Exception {
    client = ElasticsearchClient.of(b -> b.host(TestServers.elasticsearchUrl()));
    RollupTemplate.install(client, indices, new RollupTemplate.Settings(1, 0, "1s"));
  }

  @AfterAll
  static void close() throws Exception {
    client.close();
  }

  static Rollup rollup(long series, long windowStartMs, double sum, Map<String, String> dims) {
    return new Rollup(Rollup.SCHEMA_VERSION, series, "tpl/vm", "local", "cpu", dims, "default", 60, windowStartMs,
        sum, 2, sum / 4, sum / 2, sum / 3, windowStartMs + 65_000, "7");
  }

  BulkResponse index(List<Rollup> rollups) throws Exception {
    BulkRequest.Builder bulk = new BulkRequest.Builder().refresh(co.elastic.clients.elasticsearch._types.Refresh.True);
    for (Rollup r : rollups) {
      bulk.operations(op -> op.index(i -> i.index(indices.indexFor(r.periodSeconds(), r.windowStartMs()))
          .id(RollupIndices.documentId(r.seriesId(), r.periodSeconds(), r.windowStartMs()))
          .document(BinaryData.of(codec.encode(r), ContentType.APPLICATION_JSON))));
    }
    return client.bulk(bulk.build());
  }

  @Test
  void dimensionsMapAsOneFieldAndARedeliveredRollupStaysOneDocument() throws Exception {
    long start = 1_764_806_400_000L; // 2025-12-04T00:00:00Z
    List<Rollup> rollups = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rollups.add(rollup(1000 + i, start + i * 60_000L, i, Map.of("appid", "7", "key" + i, "v" + i)));
    }
    assertThat(index(rollups).errors()).isFalse();
    String index = indices.indexFor(60, start);
    assertThat(client.count(c -> c.index(index)).count()).isEqualTo(50);

    // redelivered, one with a changed value: still 50 documents, the later one wins
    List<Rollup> again = new ArrayList<>(rollups);
    again.set(7, rollup(1007, start + 7 * 60_000L, 700, Map.of("appid", "7", "key7", "v7")));
    assertThat(index(again).errors()).isFalse();
    assertThat(client.count(c -> c.index(index)).count()).isEqualTo(50);
    var doc = client.get(g -> g.index(index).id(RollupIndices.documentId(1007, 60, start + 7 * 60_000L)),
        Map.class);
    assertThat(((Number) doc.source().get("sum")).doubleValue()).isEqualTo(700.0);

    // fifty dimension keys, one mapping for them all; settings from the template
    IndexMappingRecord mapping = client.indices().getMapping(m -> m.index(index)).get(index);
    assertThat(mapping.mappings().properties()).containsKeys("dimensions", "seriesId", "windowStartMs")
        .doesNotContainKeys("key7", "appid");
    assertThat(mapping.mappings().properties().get("dimensions").isFlattened()).isTrue();
    assertThat(client.indices().getSettings(s -> s.index(index)).get(index).settings().index().numberOfReplicas())
        .isEqualTo("0");

    // and dimensions are searchable by key
    var hits = client.search(s -> s.index(index).query(q -> q.term(t -> t.field("dimensions.key7").value("v7"))),
        Map.class);
    assertThat(hits.hits().hits()).hasSize(1);
  }

  @Test
  void retentionDeletesTheExpiredRollupIndicesAndNothingElse() throws Exception {
    // a prefix of its own: the other tests' indices are not this test's to count
    RollupIndices indices = new RollupIndices(new StoreNames(TestRun.indexPrefix() + "ret-", "x:"),
        RollupIndices.defaults());
    long now = java.time.Instant.parse("2026-12-05T00:00:00Z").toEpochMilli();
    List<String> expired = List.of(indices.indexFor(60, java.time.Instant.parse("2026-11-18T12:00:00Z").toEpochMilli()),
        indices.indexFor(3600, java.time.Instant.parse("2026-08-10T00:00:00Z").toEpochMilli()));
    List<String> kept = List.of(indices.indexFor(60, java.time.Instant.parse("2026-11-20T00:00:00Z").toEpochMilli()),
        indices.indexFor(86400, java.time.Instant.parse("2026-01-01T00:00:00Z").toEpochMilli()),
        TestRun.indexPrefix() + "ret-rollups-120s-2020.01.01", TestRun.indexPrefix() + "ret-alerts-2020.01",
        TestRun.indexPrefix() + "tpl-rollups-60s-2020.01.01"); // another deployment's (prefix) expired index
    for (String index : concat(expired, kept)) {
      client.indices().create(c -> c.index(index));
    }
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    RetentionSweeper sweeper = new RetentionSweeper(client, List.of(indices), java.time.Clock.systemUTC(), registry, null);
    assertThat(sweeper.sweep(now)).containsExactlyInAnyOrderElementsOf(expired);
    for (String index : expired) {
      assertThat(client.indices().exists(e -> e.index(index)).value()).as(index).isFalse();
    }
    for (String index : kept) {
      assertThat(client.indices().exists(e -> e.index(index)).value()).as(index).isTrue();
    }
    assertThat(registry.counter("vigil.storage.indices.deleted").count()).isEqualTo(2);
    assertThat(sweeper.sweep(now)).isEmpty(); // nothing left to do: a second sweep deletes nothing
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  @Test
  void badSettingsAreRefusedBeforeElasticsearchSeesThem() {
    assertThatThrownBy(() -> new RollupTemplate.Settings(0, 0, "1s")).hasMessageContaining("shards");
    assertThatThrownBy(() -> new RollupTemplate.Settings(1, -1, "1s")).hasMessageContaining("replicas");
    assertThatThrownBy(() -> new RollupTemplate.Settings(1, 0, "1s\"}")).hasMessageContaining("refresh");
  }
}
