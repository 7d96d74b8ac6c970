package io.vigil.common.kafka;

import io.vigil.common.tracing.TraceContext;
import io.vigil.common.tracing.Traceparent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.model.VigilMessage;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.MetricNames;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;

/**
 * Sends Vigil messages: JSON through {@link MessageCodec}, the current trace passed on in the
 * {@code traceparent} header, produced and failed sends counted per topic. The producer underneath
 * is idempotent with {@code acks=all} (see the Kafka auto-configuration).
 */
public class VigilPublisher {

  private final KafkaTemplate<String, byte[]> template;
  private final MessageCodec codec;
  private final KafkaNaming naming;
  private final MeterRegistry registry;
  private final DependencyMetrics dependencies;
  private final Map<String, Counter[]> meters = new ConcurrentHashMap<>();

  public VigilPublisher(KafkaTemplate<String, byte[]> template, MessageCodec codec, KafkaNaming naming,
      MeterRegistry registry, DependencyMetrics dependencies) {
    this.template = template;
    this.codec = codec;
    this.naming = naming;
    this.registry = registry;
    this.dependencies = dependencies;
  }

  /**
   * Sends {@code message} keyed as its topic says ({@link Topic#keyFor}). Completes when the broker
   * has the record (all in-sync replicas); fails with the send's error.
   */
  public <V extends VigilMessage> CompletableFuture<SendResult<String, byte[]>> publish(Topic<V> topic, V message) {
    return publish(topic, message, Map.of());
  }

  /**
   * As {@link #publish(Topic, VigilMessage)}, with extra headers (UTF-8 text), e.g. the reason a
   * point was routed to the late topic.
   */
  public <V extends VigilMessage> CompletableFuture<SendResult<String, byte[]>> publish(Topic<V> topic, V message,
      Map<String, String> headers) {
    if (message == null) {
      throw new IllegalArgumentException("null message for " + topic.base() + "; a deletion is a tombstone()");
    }
    if (topic.placeBy() != null) {
      // placed as the pipeline places it (a rollup on its object's partition), keyed as always
      int partition;
      try {
        partition = io.vigil.common.points.SeriesPartitioner.partition(topic.placeBy().applyAsLong(message),
            template.partitionsFor(naming.topic(topic)).size());
      } catch (org.apache.kafka.common.KafkaException e) {
        dependencies.failure("kafka"); // no metadata within max.block.ms: as a failed send
        return CompletableFuture.failedFuture(e);
      }
      return send(topic, new ProducerRecord<>(naming.topic(topic), partition, topic.keyFor(message),
          codec.encode(message)), headers);
    }
    return send(topic, topic.keyFor(message), codec.encode(message), headers);
  }

  /**
   * The partition of {@code topic} that carries an object's records, as {@link #publish} places them
   * (its {@link Topic#placeBy}): for a reader that must find who holds an object (the detector's
   * explain). Throws Kafka's exception when the topic's metadata cannot be had.
   */
  public int partitionOfObject(Topic<?> topic, long objectId) {
    return io.vigil.common.points.SeriesPartitioner.partition(objectId,
        template.partitionsFor(naming.topic(topic)).size());
  }

  /**
   * Sends one encoded batch of points ({@code PointBatchCodec}) to its partition of {@code
   * metrics.raw}, with the trace once for the whole record. Completes when every in-sync replica has
   * it.
   */
  public CompletableFuture<SendResult<String, byte[]>> publishPoints(int partition, byte[] batch) {
    Topic<?> topic = Topics.METRICS_RAW;
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(naming.topic(topic), partition, null, batch);
    return send(topic, record, Map.of());
  }

  /**
   * A tombstone: the key's value is deleted from a compacted topic (its readers see a record whose
   * value is null). Refused on topics that are not compacted, where a null value is an invalid record.
   */
  public CompletableFuture<SendResult<String, byte[]>> tombstone(Topic<?> topic, String key) {
    if (!topic.compacted()) {
      throw new IllegalArgumentException(topic.base() + " is not compacted: tombstones are for compacted topics");
    }
    if (key == null) {
      throw new IllegalArgumentException("a tombstone needs the key it deletes");
    }
    return send(topic, key, null, Map.of());
  }

  private CompletableFuture<SendResult<String, byte[]>> send(Topic<?> topic, String key, byte[] value,
      Map<String, String> headers) {
    return send(topic, new ProducerRecord<>(naming.topic(topic), key, value), headers);
  }

  private CompletableFuture<SendResult<String, byte[]>> send(Topic<?> topic, ProducerRecord<String, byte[]> record,
      Map<String, String> headers) {
    Traceparent current = TraceContext.current();
    Traceparent next = current == null ? Traceparent.newRoot() : current.child();
    record.headers().add(Traceparent.HEADER, next.value().getBytes(StandardCharsets.US_ASCII));
    headers.forEach((name, text) -> record.headers().add(name, text.getBytes(StandardCharsets.UTF_8)));
    Counter[] counters = meters(topic.base());
    CompletableFuture<SendResult<String, byte[]>> sent;
    try {
      sent = template.send(record);
    } catch (RuntimeException e) {
      // send() itself may throw (metadata not available within max.block.ms): same as a failed send
      sent = CompletableFuture.failedFuture(e);
    }
    return sent.whenComplete((result, error) -> {
      if (error == null) {
        counters[0].increment();
      } else {
        counters[1].increment();
        dependencies.failure("kafka");
      }
    });
  }

  /** Registers this topic's produce counters at zero, so they are served before the first send. */
  /**
   * Sends what the producer holds now instead of after its linger: for a caller that waits for its
   * sends before it may go on (the detector commits a batch only after its alert events are in).
   */
  public void flush() {
    template.flush();
  }

  public void declare(Topic<?> topic) {
    meters(topic.base());
  }

  /** Produced and failed counters of a topic, registered once and reused on every send. */
  private Counter[] meters(String topic) {
    return meters.computeIfAbsent(topic, t -> new Counter[] {
        counter(MetricNames.KAFKA_PRODUCED, t), counter(MetricNames.KAFKA_PRODUCE_FAILED, t)});
  }

  private Counter counter(String name, String topic) {
    return Counter.builder(name).tag(MetricNames.TAG_TOPIC, topic).register(registry);
  }
}
