package io.vigil.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.kafka.DeadLetterHeaders;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Proves a consuming service's wiring through the common kit: for each topic it consumes, a valid
 * record moves {@code vigil_kafka_consumed_total{topic}}, and an invalid one lands on {@code
 * <topic>.dlt} with its reason and field in headers, the original bytes intact.
 */
public abstract class ConsumerWiringSupport extends ServiceContractSupport {

  /** A topic the service consumes, a valid record for it, and one missing a required field. */
  public record ConsumedTopic(String base, byte[] valid, byte[] invalid, String missingField) {

    /** A JSON topic's case. */
    public ConsumedTopic(String base, String validJson, String invalidJson, String missingField) {
      this(base, validJson.getBytes(java.nio.charset.StandardCharsets.UTF_8),
          invalidJson.getBytes(java.nio.charset.StandardCharsets.UTF_8), missingField);
    }
  }

  protected abstract List<ConsumedTopic> consumedTopics();

  @Override
  protected List<String> kitFamilies() {
    List<String> families = new java.util.ArrayList<>(super.kitFamilies());
    families.addAll(List.of("vigil_kafka_consumed_total", "vigil_kafka_failed_total",
        "vigil_kafka_dead_lettered_total", "vigil_kafka_consume_delay_seconds_count",
        "vigil_kafka_processing_seconds_count", "vigil_kafka_consumer_waiting"));
    return families;
  }

  @Test
  void validRecordsAreConsumedAndInvalidOnesDeadLettered() {
    for (ConsumedTopic topic : consumedTopics()) {
      String fragment = "topic=\"" + topic.base() + "\"";
      // the work must be done, not only the record delivered: wait on the processing count (kept
      // when the handler returned), then check that nothing failed
      double before = Math.max(0, Http.sample(http.get("/actuator/prometheus").body(),
          "vigil_kafka_processing_seconds_count", fragment));
      TestKafka.send(topic.base(), "valid-" + UUID.randomUUID(), topic.valid());
      Awaits.until("a record of " + topic.base() + " handled", () -> Http.sample(http.get("/actuator/prometheus").body(),
          "vigil_kafka_processing_seconds_count", fragment) > before);
      assertThat(Http.sample(http.get("/actuator/prometheus").body(), "vigil_kafka_consumed_total", fragment))
          .as("consumed on %s", topic.base()).isGreaterThanOrEqualTo(1);
      assertThat(Http.sample(http.get("/actuator/prometheus").body(), "vigil_kafka_failed_total", fragment))
          .as("failures on %s", topic.base()).isEqualTo(0.0);

      String badKey = "invalid-" + UUID.randomUUID();
      TestKafka.send(topic.base(), badKey, topic.invalid());
      ConsumerRecord<String, byte[]> dead =
          TestKafka.awaitRecord(topic.base() + ".dlt", badKey, Duration.ofSeconds(60));
      assertThat(dead).as("dead-lettered record on %s.dlt", topic.base()).isNotNull();
      assertThat(dead.value()).as("the original bytes").isEqualTo(topic.invalid());
      assertThat(TestKafka.header(dead, DeadLetterHeaders.REASON)).isEqualTo(DeadLetterHeaders.REASON_INVALID);
      assertThat(TestKafka.header(dead, DeadLetterHeaders.FIELD)).isEqualTo(topic.missingField());
      assertThat(TestKafka.header(dead, DeadLetterHeaders.DETAIL)).contains(topic.missingField());
      assertThat(TestKafka.header(dead, "kafka_dlt-original-topic")).isEqualTo(TestKafka.topic(topic.base()));
      Awaits.until("dead-letter counter of " + topic.base(), () -> Http.sample(http.get("/actuator/prometheus").body(),
          "vigil_kafka_dead_lettered_total", fragment, "reason=\"invalid_record\"") >= 1);
    }
    // Kafka's own client metrics reach the registry: consumer lag, and the producer that dead-lettered
    String metrics = http.get("/actuator/prometheus").body();
    assertThat(metrics).containsPattern("(?m)^kafka_consumer_fetch_manager_records_lag_max[{ ]")
        .containsPattern("(?m)^kafka_producer_record_send_total[{ ]");
    var readiness = Http.json(http.get("/actuator/health/readiness"));
    assertThat(readiness.path("components").path("consumers").path("status").asString()).isEqualTo("UP");
  }
}
