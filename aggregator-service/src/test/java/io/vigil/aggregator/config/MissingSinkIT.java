package io.vigil.aggregator.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;

/**
 * A Streams application of the aggregator's kind (exactly once, the aggregator's supervision)
 * routing a record to a shard's topic that does not exist yet, against the real broker: the stream
 * thread does not die and nothing is dropped; the send is retried (counted as a Kafka dependency
 * failure) until the topic is born, and then the record arrives once.
 */
class MissingSinkIT {

  @Test
  void aMissingShardTopicPausesTheTaskAndTheRecordArrivesOnceTheTopicIsBorn() throws Exception {
    String id = UUID.randomUUID().toString().substring(0, 8);
    String in = "missing-sink-in." + id;
    String shardTopic = "metrics.rollup.s" + id;
    try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestServers.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(TestKafka.topic(in), 1, (short) 1))).all().get(20, TimeUnit.SECONDS);

      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      DependencyMetrics dependencies = new DependencyMetrics(registry, Set.of("kafka"));
      StreamsBuilder builder = new StreamsBuilder();
      builder.stream(TestKafka.topic(in), Consumed.with(Serdes.String(), Serdes.String()))
          .to((key, value, context) -> TestKafka.topic(value), Produced.with(Serdes.String(), Serdes.String()));
      Properties props = new Properties();
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, TestRun.topicPrefix() + "missing-sink-" + id);
      props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap());
      props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
      props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("missing-sink").toString());
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
      props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
      props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_BLOCK_MS_CONFIG), 1000);
      props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
          StreamsSupervision.RetryingProductionHandler.class);
      props.put(StreamsSupervision.RetryingProductionHandler.METERS, dependencies);
      props.put("consumer.auto.offset.reset", "earliest");
      try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
        streams.setUncaughtExceptionHandler(StreamsSupervision.uncaught(registry, dependencies));
        streams.start();
        TestKafka.send(in, "42", shardTopic);

        Awaits.until("the send to the missing topic was retried", Duration.ofSeconds(60), () ->
            registry.get("vigil.dependency.failures").tag("dependency", "kafka").counter().count() >= 2);
        assertThat(streams.state()).isIn(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);

        admin.createTopics(List.of(new NewTopic(TestKafka.topic(shardTopic), 1, (short) 1))).all()
            .get(20, TimeUnit.SECONDS);
        ConsumerRecord<String, byte[]> arrived = TestKafka.awaitRecord(shardTopic, "42", Duration.ofSeconds(90));
        assertThat(arrived).as("the record reached the shard's topic once it was born").isNotNull();
        assertThat(new String(arrived.value())).isEqualTo(shardTopic);
        assertThat(TestKafka.readAll(shardTopic, Duration.ofSeconds(3))).as("exactly once, despite the retries")
            .hasSize(1);
        assertThat(streams.state()).isIn(KafkaStreams.State.RUNNING, KafkaStreams.State.REBALANCING);
      }
    }
  }
}
