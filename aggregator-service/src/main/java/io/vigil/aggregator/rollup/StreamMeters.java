package io.vigil.aggregator.rollup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigil.common.kafka.DeadLetterHeaders;
import io.vigil.common.kafka.Topics;
import io.vigil.common.observability.MetricNames;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka kit's per-topic meters for the aggregator's stream input, under the same names the
 * listener containers of the other services use, so one dashboard serves all.
 */
public final class StreamMeters {

  private final Clock clock;
  private final Timer delay;
  private final Counter consumed;
  private final Counter deadLetteredInvalid;
  private final Counter deadLetteredFailed;

  public StreamMeters(MeterRegistry registry, Clock clock) {
    this.clock = clock;
    String topic = Topics.METRICS_RAW.base();
    delay = Timer.builder(MetricNames.KAFKA_CONSUME_DELAY).tag(MetricNames.TAG_TOPIC, topic)
        .description("time from a record's timestamp to the moment it was consumed")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
    consumed = Counter.builder(MetricNames.KAFKA_CONSUMED).tag(MetricNames.TAG_TOPIC, topic)
        .description("record deliveries to a handler (retries count again)").register(registry);
    Counter.builder(MetricNames.KAFKA_FAILED).tag(MetricNames.TAG_TOPIC, topic)
        .description("record deliveries whose handling failed").register(registry);
    deadLetteredInvalid = deadLettered(registry, topic, DeadLetterHeaders.REASON_INVALID);
    deadLetteredFailed = deadLettered(registry, topic, DeadLetterHeaders.REASON_FAILED);
  }

  private static Counter deadLettered(MeterRegistry registry, String topic, String reason) {
    return Counter.builder(MetricNames.KAFKA_DEAD_LETTERED).tag(MetricNames.TAG_TOPIC, topic)
        .tag(MetricNames.TAG_REASON, reason).description("records sent to the dead-letter topic").register(registry);
  }

  void consumed(long recordTimestampMs) {
    consumed.increment();
    if (recordTimestampMs > 0) {
      delay.record(Math.max(0, clock.millis() - recordTimestampMs), TimeUnit.MILLISECONDS);
    }
  }

  public void deadLettered(boolean invalid) {
    (invalid ? deadLetteredInvalid : deadLetteredFailed).increment();
  }

  org.apache.kafka.streams.kstream.Named processorName() {
    return org.apache.kafka.streams.kstream.Named.as("measure-metrics-raw");
  }
}
