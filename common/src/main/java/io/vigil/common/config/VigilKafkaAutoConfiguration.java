package io.vigil.common.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.KafkaHealthIndicator;
import io.vigil.common.kafka.KafkaNaming;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.kafka.Topic;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilKafkaProperties;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.observability.DependencyMetrics;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
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
    return new KafkaNaming(properties.topicPrefix(), service);
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

  @Bean
  ProducerFactory<String, byte[]> vigilProducerFactory(KafkaProperties kafka, @Value("${spring.application.name}") String service) {
    Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
    config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    config.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, service);
    return new DefaultKafkaProducerFactory<>(config);
  }

  @Bean
  KafkaTemplate<String, byte[]> vigilKafkaTemplate(ProducerFactory<String, byte[]> vigilProducerFactory) {
    return new KafkaTemplate<>(vigilProducerFactory);
  }

  @Bean
  ConsumerFactory<String, byte[]> vigilConsumerFactory(KafkaProperties kafka) {
    Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new DefaultKafkaConsumerFactory<>(config);
  }

  @Bean
  ConsumerKit consumerKit(ConsumerFactory<String, byte[]> vigilConsumerFactory,
      KafkaTemplate<String, byte[]> vigilKafkaTemplate, MessageCodec codec, KafkaNaming naming,
      VigilKafkaProperties properties, MeterRegistry registry, Clock clock, DependencyMetrics dependencies) {
    return new ConsumerKit(vigilConsumerFactory, vigilKafkaTemplate, codec, naming, properties, registry, clock,
        dependencies);
  }

  @Bean
  VigilPublisher vigilPublisher(KafkaTemplate<String, byte[]> vigilKafkaTemplate, MessageCodec codec,
      KafkaNaming naming, MeterRegistry registry, DependencyMetrics dependencies) {
    return new VigilPublisher(vigilKafkaTemplate, codec, naming, registry, dependencies);
  }

  /** Every declared topic and its dead-letter topic, created at start-up if missing. */
  @Bean
  @ConditionalOnProperty(name = "vigil.kafka.provision-topics", havingValue = "true", matchIfMissing = true)
  KafkaAdmin.NewTopics vigilTopics(VigilKafkaProperties properties, KafkaNaming naming) {
    return new KafkaAdmin.NewTopics(Topics.all(properties.shards()).stream()
        .map(t -> newTopic(t, naming, properties.replicationFactor()))
        .toArray(NewTopic[]::new));
  }

  static NewTopic newTopic(Topic<?> topic, KafkaNaming naming, short replication) {
    Map<String, String> configs = new HashMap<>();
    if (topic.compacted()) {
      configs.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    } else if (topic.retention() != null) {
      configs.put(TopicConfig.RETENTION_MS_CONFIG, Long.toString(topic.retention().toMillis()));
    }
    configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.max(1, replication - 1)));
    return new NewTopic(naming.topic(topic), topic.partitions(), replication).configs(configs);
  }

  @Bean(name = "kafkaHealthIndicator")
  @ConditionalOnMissingBean(name = "kafkaHealthIndicator")
  KafkaHealthIndicator kafkaHealthIndicator(KafkaProperties kafka, VigilKafkaProperties properties,
      DependencyMetrics dependencies) {
    return new KafkaHealthIndicator(kafka.buildAdminProperties(), properties.healthTimeout(), dependencies);
  }
}
