package io.vigil.storage.history;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/** The reading of a bulk answer as Elasticsearch words it under {@code filter_path}. */
class BulkTest {

  private static Bulk.Refusal read(String json) {
    try (JsonParser p = new JsonFactory().createParser(ObjectReadContext.empty(), json)) {
      return Bulk.firstRefusal(p);
    }
  }

  @Test
  void nothingRefusedIsReadFromTheFirstField() {
    assertThat(read("{\"errors\":false,\"items\":[{\"index\":{\"status\":201}}]}")).isNull();
  }

  @Test
  void theFirstRefusedItemIsNamedByItsPositionStatusAndReason() {
    Bulk.Refusal r = read("""
        {"errors":true,"items":[
          {"index":{"status":201}},
          {"index":{"status":200}},
          {"index":{"status":400,"error":{"type":"document_parsing_exception","reason":"failed to parse field [sum]"}}},
          {"index":{"status":429,"error":{"type":"es_rejected_execution_exception","reason":"full"}}}]}""");
    assertThat(r.position()).isEqualTo(2);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.reason()).isEqualTo("document_parsing_exception: failed to parse field [sum]");
  }
}
