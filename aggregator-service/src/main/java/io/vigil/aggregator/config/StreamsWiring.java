package io.vigil.aggregator.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.aggregator.rollup.DeadLetteringDeserializationHandler;
import io.vigil.aggregator.rollup.RollupTopology;
import io.vigil.aggregator.rollup.StreamMeters;
import io.vigil.common.kafka.KafkaNaming;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.EnableKafkaStreams;
import org.springframework.kafka.annotation.KafkaStreamsDefaultConfiguration;
import org.springframework.kafka.config.KafkaStreamsConfiguration;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Kafka Streams for the rollups: exactly-once processing, the application id under the deployment
 * prefix, unreadable records dead-lettered, and the topology from {@link RollupTopology}.
 */
@Configuration(proxyBeanMethods = false)
@EnableKafkaStreams
class StreamsWiring {

  @Bean
  StreamMeters streamMeters(MeterRegistry registry, Clock clock) {
    return new StreamMeters(registry, clock);
  }

  @Bean(name = KafkaStreamsDefaultConfiguration.DEFAULT_STREAMS_CONFIG_BEAN_NAME)
  KafkaStreamsConfiguration defaultKafkaStreamsConfig(KafkaProperties kafka, KafkaNaming naming,
      KafkaTemplate<String, byte[]> vigilKafkaTemplate, StreamMeters meters) {
    Map<String, Object> config = new HashMap<>(kafka.buildStreamsProperties());
    String applicationId = naming.group("rollups");
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    config.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    config.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetteringDeserializationHandler.class);
    config.put(DeadLetteringDeserializationHandler.SINK,
        new DeadLetteringDeserializationHandler.Sink(vigilKafkaTemplate, applicationId, meters));
    return new KafkaStreamsConfiguration(config);
  }

  @Bean
  Object rollupTopology(StreamsBuilder builder, KafkaNaming naming, StreamMeters meters) {
    RollupTopology.buildTopology(builder, naming, meters);
    return RollupTopology.class;
  }
}
