package io.vigil.common.config;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.ConsumerStates;
import io.vigil.common.kafka.ConsumersHealthIndicator;
import io.vigil.common.kafka.RefusingListenerContainerFactory;
import io.vigil.common.kafka.TopicProvisioner;
import io.vigil.common.kafka.KafkaHealthIndicator;
import io.vigil.common.kafka.KafkaNaming;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.kafka.NativeLz4;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilKafkaProperties;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.MetricNames;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;

/**
 * The Kafka kit: naming with the deployment prefix, the JSON codec, an idempotent {@code acks=all}
 * producer, a read-committed manual-commit consumer factory, the consumer kit with dead-lettering,
 * explicit topic creation, and the readiness indicator {@code kafka}.
 */
@AutoConfiguration(before = KafkaAutoConfiguration.class)
@EnableConfigurationProperties(VigilKafkaProperties.class)
public class VigilKafkaAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  KafkaNaming kafkaNaming(VigilKafkaProperties properties, @Value("${spring.application.name}") String service) {
    return new KafkaNaming(properties.topicPrefix(), service, properties.groupSuffix());
  }

  @Bean
  @ConditionalOnMissingBean
  MessageCodec messageCodec() {
    return new MessageCodec();
  }

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }

  /**
   * The producer every Vigil service sends through: idempotent, {@code acks=all}, and quick to give
   * up when Kafka is away (metadata wait 1 s, request 1.5 s, delivery 2 s unless configured), so the
   * gateway can answer 503 within about two seconds and a consumer that publishes pauses instead of
   * hanging. Boot's producer-factory customizers apply (they add the client's own metrics).
   */
  @Bean
  ProducerFactory<String, byte[]> vigilProducerFactory(KafkaProperties kafka, @Value("${spring.application.name}") String service,
      ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
    Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, service);
    config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000);
    config.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1500);
    config.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2000);
    DefaultKafkaProducerFactory<String, byte[]> factory = new DefaultKafkaProducerFactory<>(config);
    customizers.orderedStream().forEach(c -> c.customize(factory));
    logEffective(config);
    return factory;
  }

  /**
   * One line with the producer's effective delivery settings (ours, and the client's defaults for the
   * rest, as the client resolves them), so what a benchmark or an incident ran with is on record.
   */
  private static void logEffective(Map<String, Object> config) {
    try {
      ProducerConfig effective = new ProducerConfig(config);
      org.slf4j.LoggerFactory.getLogger(VigilKafkaAutoConfiguration.class).info(
          "producer effective: acks={} enable.idempotence={} max.in.flight={} compression.type={} linger.ms={}"
              + " batch.size={} delivery.timeout.ms={}", effective.getString(ProducerConfig.ACKS_CONFIG),
          effective.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG),
          effective.getInt(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION),
          effective.getString(ProducerConfig.COMPRESSION_TYPE_CONFIG), effective.getLong(ProducerConfig.LINGER_MS_CONFIG),
          effective.getInt(ProducerConfig.BATCH_SIZE_CONFIG), effective.getInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
    } catch (RuntimeException e) {
      // a configuration the client refuses fails when the producer is made, with the client's own message
    }
  }

  /** 1 when Kafka's lz4 runs natively here, 0 when it fell back to the Java implementation ({@link NativeLz4}). */
  @Bean
  MeterBinder kafkaLz4NativeGauge() {
    return registry -> Gauge.builder(MetricNames.KAFKA_LZ4_NATIVE, () -> NativeLz4.load() ? 1 : 0)
        .description("1 when Kafka clients compress and decompress lz4 with the native library, 0 with Java's")
        .register(registry);
  }

  @Bean
  KafkaTemplate<String, byte[]> vigilKafkaTemplate(ProducerFactory<String, byte[]> vigilProducerFactory) {
    return new KafkaTemplate<>(vigilProducerFactory);
  }

  /**
   * The consumer factory behind every kit consumer: read committed, manual commits, no topic
   * auto-creation, cooperative rebalancing (only moving partitions are revoked). Where a new group
   * starts is decided per consumer ({@code StartAt}). Boot's consumer-factory customizers apply.
   */
  @Bean
  ConsumerFactory<String, byte[]> vigilConsumerFactory(KafkaProperties kafka,
      ObjectProvider<DefaultKafkaConsumerFactoryCustomizer> customizers) {
    Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"); // each consumer states its own
    config.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    DefaultKafkaConsumerFactory<String, byte[]> factory = new DefaultKafkaConsumerFactory<>(config);
    customizers.orderedStream().forEach(c -> c.customize(factory));
    return factory;
  }

  @Bean
  ConsumerStates consumerStates(MeterRegistry registry, DependencyMetrics dependencies, Clock clock) {
    return new ConsumerStates(registry, dependencies, clock);
  }

  @Bean
  ConsumerKit consumerKit(ConsumerFactory<String, byte[]> vigilConsumerFactory,
      KafkaTemplate<String, byte[]> vigilKafkaTemplate, MessageCodec codec, KafkaNaming naming,
      VigilKafkaProperties properties, MeterRegistry registry, Clock clock, DependencyMetrics dependencies,
      ConsumerStates states) {
    return new ConsumerKit(vigilConsumerFactory, vigilKafkaTemplate, codec, naming, properties, registry, clock,
        dependencies, states);
  }

  /** Readiness component {@code consumers}: down while a consumer waits for a dependency or a cache catches up. */
  @Bean(name = "consumersHealthIndicator")
  ConsumersHealthIndicator consumersHealthIndicator(ConsumerStates states) {
    return new ConsumersHealthIndicator(states);
  }

  /**
   * Takes the name of Boot's listener container factory so a plain {@code @KafkaListener} fails the
   * start with a clear message instead of silently running without the dead-letter path, the error
   * classes, the meters and tracing: consumers are made by {@link ConsumerKit}.
   */
  @Bean(name = "kafkaListenerContainerFactory")
  RefusingListenerContainerFactory kafkaListenerContainerFactory() {
    return new RefusingListenerContainerFactory();
  }

  @Bean
  VigilPublisher vigilPublisher(KafkaTemplate<String, byte[]> vigilKafkaTemplate, MessageCodec codec,
      KafkaNaming naming, MeterRegistry registry, DependencyMetrics dependencies) {
    return new VigilPublisher(vigilKafkaTemplate, codec, naming, registry, dependencies);
  }

  /**
   * Every declared topic and its dead-letter topic, created at start-up if missing; an existing one
   * with another partition count stops the start (never silently grown).
   */
  @Bean
  @ConditionalOnProperty(name = "vigil.kafka.provision-topics", havingValue = "true", matchIfMissing = true)
  TopicProvisioner vigilTopics(KafkaProperties kafka, VigilKafkaProperties properties, KafkaNaming naming,
      DependencyMetrics dependencies, @Value("${spring.kafka.admin.operation-timeout:10s}") Duration timeout) {
    return new TopicProvisioner(kafka.buildAdminProperties(), Topics.all(properties.shards()), naming,
        properties.replicationFactor(), timeout, dependencies);
  }

  @Bean(name = "kafkaHealthIndicator")
  @ConditionalOnMissingBean(name = "kafkaHealthIndicator")
  KafkaHealthIndicator kafkaHealthIndicator(KafkaProperties kafka, VigilKafkaProperties properties,
      DependencyMetrics dependencies) {
    return new KafkaHealthIndicator(kafka.buildAdminProperties(), properties.healthTimeout(), dependencies);
  }
}
