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

  private static List<Map<Long, Steps>> read(String json) {
    try (JsonParser p = new JsonFactory().createParser(ObjectReadContext.empty(), json)) {
      return StepSearch.read(p);
    }
  }

  @Test
  void readsEachAnswerPerSeriesAndStep() {
    List<Map<Long, Steps>> answers = read("""
        {"responses":[
          {"_shards":{"failed":0},"status":200,"aggregations":{"series":{"buckets":[
            {"key":-7,"steps":{"buckets":[
              {"key":60000,"sum":{"value":30.0},"count":{"value":4.0}},
              {"key":120000,"min":{"value":null},"max":{"value":2.5},"lastAt":{"value":150000.0}}]}},
            {"key":9,"steps":{"buckets":[{"key":60000,"last":{"value":1.5}}]}}]}}},
          {"status":200,"_shards":{"failed":0}}]}""");

    assertThat(answers).hasSize(2);
    assertThat(answers.get(1)).as("an answer with nothing found").isEmpty();
    Steps series = answers.get(0).get(-7L);
    assertThat(series.size()).isEqualTo(2);
    assertThat(series.at(0)).isEqualTo(60000L);
    double[] first = series.aggregates(series.indexOf(60000L));
    assertThat(first[Steps.SUM]).isEqualTo(30.0);
    assertThat(first[Steps.COUNT]).isEqualTo(4.0);
    assertThat(first[Steps.MIN]).as("not asked for").isNaN();
    double[] second = series.aggregates(series.indexOf(120000L));
    assertThat(second[Steps.MIN]).as("null: no document had the field").isNaN();
    assertThat(second[Steps.MAX]).isEqualTo(2.5);
    assertThat(second[Steps.LAST_AT]).as("the latest window's start").isEqualTo(150000.0);
    assertThat(series.indexOf(90000L)).as("no such step").isEqualTo(-1);
    assertThat(answers.get(0).get(9L).get(0, Steps.LAST)).isEqualTo(1.5);
  }

  @Test
  void readsDocCountsOfSeriesAndSteps() {
    List<Map<Long, Steps>> answers = read("""
        {"responses":[{"_shards":{"failed":0},"status":200,"aggregations":{"series":{"buckets":[
          {"key":1,"doc_count":6,"counted":{"value":6.0},"steps":{"buckets":[
            {"key":0,"doc_count":4,"sum":{"value":8.0}},{"key":60000,"doc_count":2,"sum":{"value":1.0}}]}},
          {"key":2,"doc_count":2,"counted":{"value":7.0},"steps":{"buckets":[{"key":0,"doc_count":2}]}}]}}}]}""");
    Steps counted = answers.get(0).get(1L);
    assertThat(counted.docsAreCounts()).isTrue();
    assertThat(counted.get(0, Steps.DOCS)).isEqualTo(4.0);
    assertThat(counted.get(1, Steps.DOCS)).isEqualTo(2.0);
    assertThat(counted.get(1, Steps.SUM)).isEqualTo(1.0);
    assertThat(answers.get(0).get(2L).docsAreCounts()).as("two documents without _doc_count counted 7 points")
        .isFalse();
    assertThat(answers.get(0).get(2L).size()).isEqualTo(1);
  }

  @Test
  void countsComeFromDocCountsOnlyWhereTheyAgreeWithTheSumOfCount() {
    List<Map<Long, Steps>> answers = read("""
        {"responses":[{"_shards":{"failed":0},"status":200,"aggregations":{"series":{"buckets":[
          {"key":1,"doc_count":6,"counted":{"value":6.0},"steps":{"buckets":[
            {"key":0,"doc_count":4,"sum":{"value":8.0}},{"key":60000,"doc_count":2,"sum":{"value":1.0}}]}},
          {"key":2,"doc_count":3,"counted":{"value":3.0},"steps":{"buckets":[{"key":0,"doc_count":3}]}},
          {"key":3,"doc_count":2,"counted":{"value":7.0},"steps":{"buckets":[{"key":0,"doc_count":2}]}},
          {"key":4,"doc_count":2,"steps":{"buckets":[{"key":0,"doc_count":2}]}}]}}}]}""");
    Map<Long, Steps> steps = answers.get(0);
    assertThat(StepSearch.countsFromDocs(steps)).as("7 points in 2 documents; no sum of count at all")
        .containsExactlyInAnyOrder(3L, 4L);
    assertThat(steps.get(1L).get(0, Steps.COUNT)).isEqualTo(4.0);
    assertThat(steps.get(1L).get(1, Steps.COUNT)).isEqualTo(2.0);
    assertThat(steps.get(2L).get(0, Steps.COUNT))
        .as("documents without _doc_count that counted one point each agree").isEqualTo(3.0);
    assertThat(steps.get(3L).get(0, Steps.COUNT)).as("left for the second search").isZero();
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
    assertThat(io.vigil.storage.elastic.LowLevelElasticsearch.refusalOf(smile.createParser(ObjectReadContext.empty(), bytes.toByteArray())))
        .isEqualTo("parsing_exception: unknown query [termz]");
  }
}
