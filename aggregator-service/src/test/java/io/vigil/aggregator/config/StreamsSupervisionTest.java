package io.vigil.aggregator.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.observability.DependencyMetrics;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.ProductionExceptionHandlerResponse;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

/** What happens when a stream thread or a send fails: replace or stop, retry or fail; counted either way. */
class StreamsSupervisionTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final DependencyMetrics dependencies = new DependencyMetrics(registry, Set.of("kafka"));

  @Test
  void aThreadKilledByAnUnavailableKafkaIsReplacedAnyOtherFailureStopsTheClient() {
    var handler = StreamsSupervision.uncaught(registry, dependencies);
    assertThat(handler.handle(new TimeoutException("broker away"))).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    assertThat(handler.handle(new IllegalStateException("a bug"))).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
    // an unreadable record whose dead-letter send failed: Kafka was away, the record comes again
    assertThat(handler.handle(new org.apache.kafka.streams.errors.StreamsException(
        new io.vigil.common.model.InvalidRecordException("MetricPoint", "value", "bad"))))
        .isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
    assertThat(registry.get("vigil.streams.thread.failures").tag("action", "replace_thread").counter().count()).isEqualTo(2);
    assertThat(registry.get("vigil.streams.thread.failures").tag("action", "shutdown_client").counter().count()).isEqualTo(1);
  }

  @Test
  void aMissingSinkTopicIsRetriedNeverSkipped() {
    var handler = new StreamsSupervision.RetryingProductionHandler();
    handler.configure(Map.of(StreamsSupervision.RetryingProductionHandler.METERS, dependencies));
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("vigil.metrics.rollup.new-shard", new byte[0]);
    assertThat(handler.handle(null, record, new UnknownTopicOrPartitionException("no such topic")))
        .isEqualTo(ProductionExceptionHandlerResponse.RETRY);
    assertThat(handler.handle(null, record, new RecordTooLargeException("big")))
        .isEqualTo(ProductionExceptionHandlerResponse.FAIL);
    assertThat(registry.get("vigil.dependency.failures").tag("dependency", "kafka").counter().count()).isEqualTo(1);
  }
}
