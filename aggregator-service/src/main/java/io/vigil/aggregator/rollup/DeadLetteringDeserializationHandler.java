package io.vigil.aggregator.rollup;

import io.vigil.common.kafka.ConsumerMeters;
import io.vigil.common.kafka.DeadLetterHeaders;
import io.vigil.common.kafka.KafkaNaming;
import io.vigil.common.model.InvalidRecordException;
import io.vigil.common.observability.DependencyMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * Sends a record the topology cannot read to {@code <topic>.dlt}, original bytes and the reason in
 * headers (as the consumer kit does), and lets the stream go on. If the dead-letter send fails the
 * stream fails rather than drop the record: it is read again after the restart.
 */
public class DeadLetteringDeserializationHandler implements DeserializationExceptionHandler {

  /** Config key under which the streams configuration passes the {@link Sink}. */
  public static final String SINK = "vigil.dead-letter.sink";

  private static final Logger log = LoggerFactory.getLogger(DeadLetteringDeserializationHandler.class);

  private Sink sink;

  /** Where dead letters go: the service's producer, its naming, its meters and failure counters. */
  public record Sink(KafkaTemplate<String, byte[]> template, KafkaNaming naming, String group, ConsumerMeters meters,
      DependencyMetrics dependencies) {}

  @Override
  public void configure(Map<String, ?> configs) {
    sink = (Sink) configs.get(SINK);
    if (sink == null) {
      throw new IllegalStateException(SINK + " missing from the streams configuration");
    }
  }

  @Override
  public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
      Exception exception) {
    RecordHeaders headers = new RecordHeaders();
    record.headers().forEach(headers::add);
    DeadLetterHeaders.reasons(sink.group(), exception).forEach(headers::add);
    // where it came from, under the same headers spring-kafka's recoverer writes in the other services
    headers.add(KafkaHeaders.DLT_ORIGINAL_TOPIC, bytes(record.topic()));
    headers.add(KafkaHeaders.DLT_ORIGINAL_PARTITION, ByteBuffer.allocate(4).putInt(record.partition()).array());
    headers.add(KafkaHeaders.DLT_ORIGINAL_OFFSET, ByteBuffer.allocate(8).putLong(record.offset()).array());
    headers.add(KafkaHeaders.DLT_ORIGINAL_TIMESTAMP, ByteBuffer.allocate(8).putLong(record.timestamp()).array());
    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    try {
      sink.template().send(new ProducerRecord<>(sink.naming().deadLetter(record.topic()), null, key, record.value(), headers))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      sink.dependencies().failure("kafka"); // as the listener kit counts a failed dead-letter send
      log.error("cannot dead-letter {}-{}@{}; failing the stream so the record is read again",
          record.topic(), record.partition(), record.offset(), e);
      return DeserializationHandlerResponse.FAIL;
    }
    sink.meters().deadLettered(InvalidRecordException.in(exception) != null);
    log.warn("record dead-lettered: topic={} partition={} offset={} reason={}", record.topic(), record.partition(),
        record.offset(), DeadLetterHeaders.detail(exception));
    return DeserializationHandlerResponse.CONTINUE;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
