package io.vigil.common.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigil.common.observability.MetricNames;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The consume-side meters of one topic: delay (now minus record timestamp) and processing time
 * histograms, consumed, failed and dead-lettered counters. Registered at construction, so they are
 * served from start-up. Used by {@link ConsumerKit} and by Kafka Streams topologies, so every
 * service reports consumption under the same names.
 */
public final class ConsumerMeters {

  private final Timer delay;
  private final Timer processing;
  private final Counter consumed;
  private final Counter failed;
  private final Counter deadLetteredInvalid;
  private final Counter deadLetteredFailed;

  /** @param topic the base topic name (without the deployment prefix): a bounded tag value */
  public ConsumerMeters(MeterRegistry registry, String topic) {
    delay = Timer.builder(MetricNames.KAFKA_CONSUME_DELAY).tag(MetricNames.TAG_TOPIC, topic)
        .description("time from a record's timestamp to the moment it was consumed")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
    processing = Timer.builder(MetricNames.KAFKA_PROCESSING).tag(MetricNames.TAG_TOPIC, topic)
        .description("time spent handling one record")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    consumed = Counter.builder(MetricNames.KAFKA_CONSUMED).tag(MetricNames.TAG_TOPIC, topic)
        .description("record deliveries to a handler (retries count again)").register(registry);
    failed = Counter.builder(MetricNames.KAFKA_FAILED).tag(MetricNames.TAG_TOPIC, topic)
        .description("record deliveries whose handling failed").register(registry);
    deadLetteredInvalid = deadLettered(registry, topic, DeadLetterHeaders.REASON_INVALID);
    deadLetteredFailed = deadLettered(registry, topic, DeadLetterHeaders.REASON_FAILED);
  }

  private static Counter deadLettered(MeterRegistry registry, String topic, String reason) {
    return Counter.builder(MetricNames.KAFKA_DEAD_LETTERED).tag(MetricNames.TAG_TOPIC, topic)
        .tag(MetricNames.TAG_REASON, reason).description("records sent to the dead-letter topic").register(registry);
  }

  /** One delivery of a record with this timestamp (0 or less: unknown, no delay recorded). */
  public void consumed(long recordTimestampMs, long nowMs) {
    consumed.increment();
    if (recordTimestampMs > 0) {
      delay.record(Math.max(0, nowMs - recordTimestampMs), TimeUnit.MILLISECONDS);
    }
  }

  public void processed(long nanos) {
    processing.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void failed() {
    failed.increment();
  }

  /** A record sent to the dead-letter topic: {@code invalid} for unreadable ones, else a failed handler. */
  public void deadLettered(boolean invalid) {
    (invalid ? deadLetteredInvalid : deadLetteredFailed).increment();
  }
}
