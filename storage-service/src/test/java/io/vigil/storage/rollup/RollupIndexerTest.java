package io.vigil.storage.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.Rollup;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The {@code _doc_count} a rollup's document carries. */
class RollupIndexerTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static Map<?, ?> read(byte[] json) {
    return JSON.readValue(json, Map.class);
  }

  @Test
  void theRollupsCountIsAddedAsItsLastField() {
    Rollup r = new Rollup(Rollup.SCHEMA_VERSION, 7, "ns", "local", "cpu", Map.of("host", "a"), "default", 60,
        1_765_238_400_000L, 30, 6, 1, 9, 5, 1_765_238_465_000L, "t1");
    byte[] encoded = new MessageCodec().encode(r);
    Map<?, ?> doc = read(RollupIndexer.withDocCount(encoded, r.count()));
    assertThat(doc.get("_doc_count")).isEqualTo(6);
    assertThat(doc.get("count")).as("count stays: documents without _doc_count are read by it").isEqualTo(6);
    assertThat(doc).hasSize(read(encoded).size() + 1);
  }

  @Test
  void aCountElasticsearchCannotHoldOrJsonItCannotExtendIsLeftAsItIs() {
    byte[] json = "{\"count\":1}".getBytes(StandardCharsets.UTF_8);
    assertThat(RollupIndexer.withDocCount(json, 0)).isSameAs(json);
    assertThat(RollupIndexer.withDocCount(json, 1L + Integer.MAX_VALUE)).isSameAs(json);
    byte[] array = "[1]".getBytes(StandardCharsets.UTF_8);
    assertThat(RollupIndexer.withDocCount(array, 3)).isSameAs(array);
    assertThat(new String(RollupIndexer.withDocCount("{ }\n".getBytes(StandardCharsets.UTF_8), 3),
        StandardCharsets.UTF_8)).isEqualTo("{ \"_doc_count\":3}");
    assertThat(read(RollupIndexer.withDocCount("{\"a\":1} ".getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE))
        .get("_doc_count")).isEqualTo(Integer.MAX_VALUE);
  }
}
