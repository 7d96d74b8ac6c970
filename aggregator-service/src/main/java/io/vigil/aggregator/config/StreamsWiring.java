package io.vigil.aggregator.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.aggregator.rollup.DeadLetteringDeserializationHandler;
import io.vigil.aggregator.rollup.RollupMeters;
import io.vigil.aggregator.rollup.RollupSettings;
import io.vigil.aggregator.rollup.RollupTopology;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.kafka.ConsumerMeters;
import io.vigil.common.kafka.KafkaNaming;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilKafkaProperties;
import io.vigil.common.observability.DependencyMetrics;
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
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.config.StreamsBuilderFactoryBeanConfigurer;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Kafka Streams for the rollups: exactly-once processing, the application id under the deployment
 * prefix, unreadable records dead-lettered, and the topology from {@link RollupTopology}.
 */
@Configuration(proxyBeanMethods = false)
@EnableKafkaStreams
@org.springframework.boot.context.properties.EnableConfigurationProperties(AggregatorProperties.class)
class StreamsWiring {

  @Bean
  RollupSettings rollupSettings(AggregatorProperties properties) {
    return properties.settings();
  }

  @Bean
  RollupMeters rollupMeters(MeterRegistry registry, Clock clock) {
    return new RollupMeters(registry, clock);
  }

  @Bean
  ShardDirectory shardDirectory(KafkaProperties kafka, KafkaNaming naming, DependencyMetrics dependencies,
      AggregatorProperties properties) {
    return new ShardDirectory(kafka.buildAdminProperties(), naming, dependencies, properties.shardRefresh());
  }

  /** The kit's consume meters for the topology's input, under the names every service uses. */
  @Bean
  ConsumerMeters metricsRawMeters(MeterRegistry registry) {
    return new ConsumerMeters(registry, Topics.METRICS_RAW.base());
  }

  @Bean(name = KafkaStreamsDefaultConfiguration.DEFAULT_STREAMS_CONFIG_BEAN_NAME)
  KafkaStreamsConfiguration defaultKafkaStreamsConfig(KafkaProperties kafka, VigilKafkaProperties vigilKafka,
      KafkaNaming naming, KafkaTemplate<String, byte[]> vigilKafkaTemplate, ConsumerMeters meters,
      DependencyMetrics dependencies, RollupSettings settings) {
    Map<String, Object> config = new HashMap<>(kafka.buildStreamsProperties());
    String applicationId = naming.group("rollups");
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    config.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    config.putIfAbsent(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, settings.storeCacheBytes());
    // changelog and rollups compress well (repeated names, neighbouring values): lz4 cut the bytes the
    // broker writes by several times in the rollup benchmark, for a little CPU here
    config.putIfAbsent(StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.COMPRESSION_TYPE_CONFIG),
        "lz4");
    // at each minute's end every series' rollup goes out at once: 16 KB batches (the default) spent a
    // tenth of that burst opening lz4 frames; 128 KB batches are fewer and compress better
    config.putIfAbsent(StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.BATCH_SIZE_CONFIG),
        131_072);
    // internal (changelog, repartition) topics replicate like the declared ones
    config.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) vigilKafka.replicationFactor());
    config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetteringDeserializationHandler.class);
    config.put(DeadLetteringDeserializationHandler.SINK,
        new DeadLetteringDeserializationHandler.Sink(vigilKafkaTemplate, naming, applicationId, meters,
            dependencies));
    config.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        StreamsSupervision.RetryingProductionHandler.class);
    config.put(StreamsSupervision.RetryingProductionHandler.METERS, dependencies);
    return new KafkaStreamsConfiguration(config);
  }

  /** A dying stream thread is replaced or shuts the client down, counted; never a silent loss of a thread. */
  @Bean
  StreamsBuilderFactoryBeanConfigurer streamsSupervision(MeterRegistry registry, DependencyMetrics dependencies) {
    return factory -> {
      factory.setStreamsUncaughtExceptionHandler(StreamsSupervision.uncaught(registry, dependencies));
      // Streams' own metrics (commit and process rates, store sizes, restore progress) as kafka_stream_*
      factory.addListener(new org.springframework.kafka.streams.KafkaStreamsMicrometerListener(registry));
    };
  }

  /** Readiness component {@code streams}. */
  @Bean(name = "streamsHealthIndicator")
  StreamsSupervision.StreamsHealthIndicator streamsHealthIndicator(StreamsBuilderFactoryBean factory) {
    return new StreamsSupervision.StreamsHealthIndicator(factory);
  }

  @Bean
  StreamsLag streamsLag(StreamsBuilderFactoryBean factory, KafkaNaming naming, AggregatorProperties properties) {
    return new StreamsLag(factory, naming.topic(Topics.METRICS_RAW), properties.tick());
  }

  @Bean
  Object rollupTopology(StreamsBuilder builder, KafkaNaming naming, ConsumerMeters meters, Clock clock,
      RollupSettings settings, RollupMeters rollupMeters, ShardDirectory shards, StreamsLag lag) {
    RollupTopology.buildTopology(builder, naming, meters, clock, settings, rollupMeters, shards, lag,
        new MessageCodec());
    return RollupTopology.class;
  }
}
