package io.vigil.common.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.model.VigilMessage;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.MetricNames;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
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

  public VigilPublisher(KafkaTemplate<String, byte[]> template, MessageCodec codec, KafkaNaming naming,
      MeterRegistry registry, DependencyMetrics dependencies) {
    this.template = template;
    this.codec = codec;
    this.naming = naming;
    this.registry = registry;
    this.dependencies = dependencies;
  }

  /** Completes when the broker has the record (all in-sync replicas); fails with the send's error. */
  public <V extends VigilMessage> CompletableFuture<SendResult<String, byte[]>> publish(Topic<V> topic, String key, V message) {
    String name = naming.topic(topic);
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(name, key, codec.encode(message));
    Traceparent current = TraceContext.current();
    Traceparent next = current == null ? Traceparent.newRoot() : current.child();
    record.headers().add(Traceparent.HEADER, next.value().getBytes(StandardCharsets.US_ASCII));
    return template.send(record).whenComplete((result, error) -> {
      if (error == null) {
        counter(MetricNames.KAFKA_PRODUCED, topic.base()).increment();
      } else {
        counter(MetricNames.KAFKA_PRODUCE_FAILED, topic.base()).increment();
        dependencies.failure("kafka");
      }
    });
  }

  /** Registers this topic's produce counters at zero, so they are served before the first send. */
  public void declare(Topic<?> topic) {
    counter(MetricNames.KAFKA_PRODUCED, topic.base());
    counter(MetricNames.KAFKA_PRODUCE_FAILED, topic.base());
  }

  private Counter counter(String name, String topic) {
    return Counter.builder(name).tag(MetricNames.TAG_TOPIC, topic).register(registry);
  }
}
