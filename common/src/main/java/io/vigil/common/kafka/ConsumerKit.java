package io.vigil.common.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.logging.LogContext;
import io.vigil.common.logging.LogKeys;
import io.vigil.common.model.InvalidRecordException;
import io.vigil.common.observability.DependencyMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.util.backoff.FixedBackOff;

/**
 * Builds the listener containers every consuming service uses. A container made here:
 *
 * <ul>
 *   <li>reads committed data only and commits offsets after the handler returned for the records
 *       of a poll (never before the work is done);
 *   <li>decodes and validates each record through {@link MessageCodec}; an invalid record goes to
 *       {@code <topic>.dlt} at once, a record whose handler keeps failing after the configured
 *       retries goes there too, both with the reason in headers ({@link DeadLetterHeaders}); if the
 *       dead-letter send fails the record is retried, never dropped;
 *   <li>binds the record's trace and topic to the log context and the trace context;
 *   <li>measures consume delay (now minus record timestamp) and processing time per topic, and
 *       counts consumed, failed and dead-lettered records;
 *   <li>stops gracefully with the application context: the records in hand are finished and
 *       committed before the consumer closes.
 * </ul>
 *
 * Declare the container as a bean so the context starts and stops it.
 */
public class ConsumerKit {

  private static final Logger log = LoggerFactory.getLogger(ConsumerKit.class);

  private final ConsumerFactory<String, byte[]> consumerFactory;
  private final KafkaTemplate<String, byte[]> deadLetterTemplate;
  private final MessageCodec codec;
  private final KafkaNaming naming;
  private final VigilKafkaProperties properties;
  private final MeterRegistry registry;
  private final Clock clock;
  private final DependencyMetrics dependencies;

  public ConsumerKit(ConsumerFactory<String, byte[]> consumerFactory, KafkaTemplate<String, byte[]> deadLetterTemplate,
      MessageCodec codec, KafkaNaming naming, VigilKafkaProperties properties, MeterRegistry registry, Clock clock,
      DependencyMetrics dependencies) {
    this.consumerFactory = consumerFactory;
    this.dependencies = dependencies;
    this.deadLetterTemplate = deadLetterTemplate;
    this.codec = codec;
    this.naming = naming;
    this.properties = properties;
    this.registry = registry;
    this.clock = clock;
  }

  /**
   * A container consuming {@code topic} in this service's group for {@code purpose} (e.g. {@code
   * rollups}); not started: declare it as a bean.
   */
  public <V> ConcurrentMessageListenerContainer<String, byte[]> container(
      Topic<V> topic, String purpose, RecordHandler<V> handler) {
    return container(List.of(topic), purpose, handler);
  }

  /**
   * A container consuming several topics of one message type in one group, e.g. the rollup topics
   * of every shard; meters stay per topic.
   */
  public <V> ConcurrentMessageListenerContainer<String, byte[]> container(
      List<Topic<V>> topics, String purpose, RecordHandler<V> handler) {
    if (topics.isEmpty()) {
      throw new IllegalArgumentException("no topics for " + purpose);
    }
    String group = naming.group(purpose);
    Map<String, ConsumerMeters> meters = new HashMap<>();
    Map<String, Topic<V>> byName = new HashMap<>();
    for (Topic<V> topic : topics) {
      meters.put(naming.topic(topic), new ConsumerMeters(registry, topic.base()));
      byName.put(naming.topic(topic), topic);
    }

    ContainerProperties cp = new ContainerProperties(byName.keySet().toArray(String[]::new));
    cp.setGroupId(group);
    cp.setAckMode(ContainerProperties.AckMode.BATCH);
    cp.setShutdownTimeout(Duration.ofSeconds(20).toMillis());
    cp.setMessageListener((MessageListener<String, byte[]>) rec ->
        process(byName.get(rec.topic()), rec, handler, meters.get(rec.topic())));

    ConcurrentMessageListenerContainer<String, byte[]> container =
        new ConcurrentMessageListenerContainer<>(consumerFactory, cp);
    container.setConcurrency(properties.concurrency());
    container.setBeanName(naming.service() + "-" + purpose);
    container.setCommonErrorHandler(errorHandler(group, meters));
    return container;
  }

  private <V> void process(Topic<V> topic, ConsumerRecord<String, byte[]> rec, RecordHandler<V> handler,
      ConsumerMeters meters) {
    meters.consumed(rec.timestamp(), clock.millis());
    Traceparent tp = traceOf(rec);
    long start = System.nanoTime();
    try (TraceContext.Scope trace = TraceContext.bind(tp == null ? Traceparent.newRoot() : tp);
        LogContext ctx = LogContext.with(LogKeys.TOPIC, topic.base())) {
      V value = codec.decode(rec.value(), topic.valueType());
      handler.handle(new ConsumedRecord<>(topic.base(), rec.partition(), rec.offset(), rec.key(), value,
          rec.timestamp(), tp));
    } catch (RuntimeException e) {
      meters.failed();
      throw e;
    } catch (Exception e) {
      meters.failed();
      throw new IllegalStateException(e.getMessage(), e);
    } finally {
      meters.processed(System.nanoTime() - start);
    }
  }

  private static Traceparent traceOf(ConsumerRecord<String, byte[]> rec) {
    Header h = rec.headers().lastHeader(Traceparent.HEADER);
    return h == null ? null : Traceparent.parse(new String(h.value(), StandardCharsets.US_ASCII));
  }

  private DefaultErrorHandler errorHandler(String group, Map<String, ConsumerMeters> metersByTopic) {
    DeadLetterPublishingRecoverer publisher = new DeadLetterPublishingRecoverer(deadLetterTemplate,
        (rec, ex) -> new TopicPartition(naming.deadLetter(rec.topic()), -1));
    publisher.setHeadersFunction((rec, ex) -> DeadLetterHeaders.reasons(group, ex));
    publisher.setFailIfSendResultIsError(true);
    ConsumerRecordRecoverer recoverer = (rec, ex) -> {
      try {
        publisher.accept(rec, ex);
      } catch (RuntimeException sendFailed) {
        // not committed: the error handler delivers the record again; count the failed send
        dependencies.failure("kafka");
        throw sendFailed;
      }
      ConsumerMeters meters = metersByTopic.get(rec.topic());
      meters.deadLettered(InvalidRecordException.in(ex) != null);
      try (LogContext ctx = LogContext.with(LogKeys.TOPIC, naming.base(rec.topic()))) {
        log.warn("record dead-lettered: topic={} partition={} offset={} reason={}", rec.topic(), rec.partition(),
            rec.offset(), DeadLetterHeaders.detail(ex));
      }
    };
    DefaultErrorHandler handler = new DefaultErrorHandler(recoverer,
        new FixedBackOff(properties.retryBackoff().toMillis(), properties.retries()));
    handler.addNotRetryableExceptions(InvalidRecordException.class);
    handler.setCommitRecovered(true);
    return handler;
  }
}
