package io.vigil.aggregator.rollup;

import io.vigil.common.kafka.ConsumerMeters;
import io.vigil.common.kafka.DeadLetterHeaders;
import io.vigil.common.kafka.KafkaNaming;
import java.nio.ByteBuffer;
import io.vigil.common.model.InvalidRecordException;
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

  /** Where dead letters go: the service's producer, its naming and its meters. */
  public record Sink(KafkaTemplate<String, byte[]> template, KafkaNaming naming, String group, ConsumerMeters meters) {}

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
    InvalidRecordException invalid = null;
    for (Throwable t = exception; t != null; t = t.getCause()) {
      if (t instanceof InvalidRecordException e) {
        invalid = e;
        break;
      }
    }
    RecordHeaders headers = new RecordHeaders();
    record.headers().forEach(headers::add);
    headers.add(DeadLetterHeaders.REASON, bytes(invalid != null ? DeadLetterHeaders.REASON_INVALID
        : DeadLetterHeaders.REASON_FAILED));
    if (invalid != null) {
      headers.add(DeadLetterHeaders.FIELD, bytes(invalid.field()));
    }
    String detail = invalid != null ? invalid.getMessage() : exception.getClass().getSimpleName() + ": " + exception.getMessage();
    headers.add(DeadLetterHeaders.DETAIL, bytes(detail.length() > 500 ? detail.substring(0, 500) : detail));
    headers.add(DeadLetterHeaders.GROUP, bytes(sink.group()));
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
      log.error("cannot dead-letter {}-{}@{}; failing the stream so the record is read again",
          record.topic(), record.partition(), record.offset(), e);
      return DeserializationHandlerResponse.FAIL;
    }
    sink.meters().deadLettered(invalid != null);
    log.warn("record dead-lettered: topic={} partition={} offset={} reason={}", record.topic(), record.partition(),
        record.offset(), detail);
    return DeserializationHandlerResponse.CONTINUE;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
