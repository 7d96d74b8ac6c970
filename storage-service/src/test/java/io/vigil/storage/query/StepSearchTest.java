package io.vigil.storage.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.error.DependencyUnavailableException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/** The streaming reader of a series search's {@code _msearch} answer, on answers as Elasticsearch words them. */
class StepSearchTest {

  private static List<Map<Long, Map<Long, double[]>>> read(String json) {
    try (JsonParser p = new JsonFactory().createParser(ObjectReadContext.empty(), json)) {
      return StepSearch.read(p);
    }
  }

  @Test
  void readsEachAnswerPerSeriesAndStep() {
    List<Map<Long, Map<Long, double[]>>> answers = read("""
        {"responses":[
          {"_shards":{"failed":0},"status":200,"aggregations":{"series":{"buckets":[
            {"key":-7,"steps":{"buckets":[
              {"key":60000,"sum":{"value":30.0},"count":{"value":4.0}},
              {"key":120000,"min":{"value":null},"max":{"value":2.5},"lastAt":{"value":150000.0}}]}},
            {"key":9,"steps":{"buckets":[{"key":60000,"last":{"value":1.5}}]}}]}}},
          {"status":200,"_shards":{"failed":0}}]}""");

    assertThat(answers).hasSize(2);
    assertThat(answers.get(1)).as("an answer with nothing found").isEmpty();
    double[] first = answers.get(0).get(-7L).get(60000L);
    assertThat(first[0]).isEqualTo(30.0);
    assertThat(first[1]).isEqualTo(4.0);
    assertThat(first[2]).as("not asked for").isNaN();
    double[] second = answers.get(0).get(-7L).get(120000L);
    assertThat(second[2]).as("null: no document had the field").isNaN();
    assertThat(second[3]).isEqualTo(2.5);
    assertThat(second[5]).as("the latest window's start").isEqualTo(150000.0);
    assertThat(answers.get(0).get(9L).get(60000L)[4]).isEqualTo(1.5);
  }

  @Test
  void aRefusedSearchIsADependencyOnlyWhenElasticsearchIsOverloadedOrAway() {
    assertThatThrownBy(() -> read("""
        {"responses":[{"error":{"type":"illegal_argument_exception","reason":"bad field"},"status":400}]}"""))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("illegal_argument_exception: bad field");
    assertThatThrownBy(() -> read("""
        {"responses":[{"error":{"type":"es_rejected_execution_exception","reason":"queue full"},"status":429}]}"""))
        .isInstanceOf(DependencyUnavailableException.class).hasMessageContaining("429");
    assertThatThrownBy(() -> read("""
        {"responses":[{"_shards":{"failed":1},"status":200,"aggregations":{}}]}"""))
        .as("a partial answer would chart gaps that are not there")
        .isInstanceOf(DependencyUnavailableException.class);
  }

  @Test
  void aWholeRequestRefusedIsReadFromItsSmileAnswer() throws Exception {
    tools.jackson.dataformat.smile.SmileFactory smile = new tools.jackson.dataformat.smile.SmileFactory();
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (tools.jackson.core.JsonGenerator g = smile.createGenerator(tools.jackson.core.ObjectWriteContext.empty(),
        bytes)) {
      g.writeStartObject();
      g.writeName("error");
      g.writeStartObject();
      g.writeStringProperty("type", "parsing_exception");
      g.writeStringProperty("reason", "unknown query [termz]");
      g.writeEndObject();
      g.writeNumberProperty("status", 400);
      g.writeEndObject();
    }
    assertThat(StepSearch.refusalOf(smile.createParser(ObjectReadContext.empty(), bytes.toByteArray())))
        .isEqualTo("parsing_exception: unknown query [termz]");
  }
}
