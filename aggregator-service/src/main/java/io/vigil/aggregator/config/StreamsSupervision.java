package io.vigil.aggregator.config;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.error.ErrorClassifier;
import io.vigil.common.observability.DependencyMetrics;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * Keeps the Streams client from dying silently. A stream thread that throws is replaced when the
 * cause is an unavailable dependency (Kafka itself, typically) and shuts the client down otherwise, so
 * the state turns ERROR and readiness says so instead of a thread vanishing; every such event is
 * counted and logged. A send that fails for a reason that passes (a sink topic that does not exist
 * yet: a shard being born, a broker moving leadership) is retried, never skipped: Streams then
 * reprocesses from its last commit, exactly once, so nothing is dropped or doubled.
 */
final class StreamsSupervision {

  private static final Logger log = LoggerFactory.getLogger(StreamsSupervision.class);
  static final String METRICS = "vigil.streams.supervision";

  private StreamsSupervision() {}

  /** The answer to a stream thread's uncaught exception, counted by action. */
  static StreamsUncaughtExceptionHandler uncaught(MeterRegistry registry, DependencyMetrics dependencies) {
    return error -> {
      ErrorClassifier.Verdict verdict = ErrorClassifier.classify(error);
      // an invalid record only gets here when its dead-letter send failed (Kafka away): the record
      // is read again by the replaced thread and dead-lettered then, so it counts as waiting too
      boolean replace = verdict.kind() != ErrorClassifier.Kind.FAILED;
      StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse response = replace
          ? StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD
          : StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
      Counter.builder("vigil.streams.thread.failures").tag("action", response.name().toLowerCase())
          .description("stream threads that died, by what was done about it").register(registry).increment();
      if (replace) {
        dependencies.failure(verdict.retriable() ? dependencyOrUnknown(verdict.dependency()) : "kafka");
        log.warn("stream thread failed on an unavailable {}; replacing it",
            verdict.retriable() ? verdict.dependency() : "kafka (dead-letter send)", error);
      } else {
        log.error("stream thread failed; shutting the Streams client down (readiness: streams DOWN)", error);
      }
      return response;
    };
  }

  private static String dependencyOrUnknown(String dependency) {
    return DependencyMetrics.DEPENDENCIES.contains(dependency) ? dependency : "unknown";
  }

  /** Retries a send that failed for a passing reason; any other failure fails the task (and is counted there). */
  public static final class RetryingProductionHandler implements ProductionExceptionHandler {

    /** The config key under which the meters travel to the instance Streams creates. */
    static final String METERS = "vigil.streams.production.meters";
    private DependencyMetrics dependencies;

    @Override
    public void configure(Map<String, ?> configs) {
      this.dependencies = (DependencyMetrics) configs.get(METERS);
    }

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
        Exception exception) {
      ErrorClassifier.Verdict verdict = ErrorClassifier.classify(exception);
      if (verdict.retriable()) {
        if (dependencies != null) {
          dependencies.failure("kafka");
        }
        log.warn("send to {} failed ({}); retrying, nothing is skipped", record.topic(), exception.toString());
        return ProductionExceptionHandlerResponse.RETRY;
      }
      return ProductionExceptionHandlerResponse.FAIL;
    }
  }

  /** Readiness {@code streams}: UP while RUNNING or REBALANCING; CREATED, ERROR, shutting down or NOT_RUNNING are not. */
  static final class StreamsHealthIndicator extends AbstractHealthIndicator {
    private final StreamsBuilderFactoryBean factory;

    StreamsHealthIndicator(StreamsBuilderFactoryBean factory) {
      super("Kafka Streams state check failed");
      this.factory = factory;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
      KafkaStreams streams = factory.getKafkaStreams();
      KafkaStreams.State state = streams == null ? null : streams.state();
      boolean up = state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
      (up ? builder.up() : builder.down()).withDetail("state", state == null ? "NOT_STARTED" : state.name());
    }
  }
}
