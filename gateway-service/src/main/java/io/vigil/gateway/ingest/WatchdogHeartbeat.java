package io.vigil.gateway.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.control.Watchdog;
import io.vigil.common.observability.InstrumentedExecutor;
import io.vigil.common.observability.MetricNames;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;

/**
 * Pushes the watchdog's heartbeat for this gateway's region (common's {@link Watchdog}) through the
 * same ingestion as a product's points, every few seconds: from here it travels the alerting path
 * like any metric. Every gateway instance pushes; the aggregator keeps one point per series and
 * timestamp, and all instances push the same value within a minute, so more gateways change nothing.
 * Until policy-service has made the watchdog's namespace the pushes are refused; that is counted
 * ({@code result=refused}) and logged once, not at every attempt.
 */
public final class WatchdogHeartbeat implements InitializingBean, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(WatchdogHeartbeat.class);

  private final MetricsIngestor ingestor;
  private final Clock clock;
  private final String region;
  private final Duration every;
  private final ScheduledThreadPoolExecutor timer;
  private final Counter sent;
  private final Counter refused;
  private volatile boolean refusing;

  public WatchdogHeartbeat(MetricsIngestor ingestor, Clock clock, String region, Duration every,
      MeterRegistry registry) {
    if (every.isNegative() || every.isZero() || every.compareTo(Duration.ofSeconds(30)) > 0) {
      throw new IllegalArgumentException("vigil.watchdog.heartbeat-every: more than 0 and at most 30s (a minute"
          + " needs points to close), not " + every);
    }
    this.ingestor = ingestor;
    this.clock = clock;
    this.region = region;
    this.every = every;
    this.timer = InstrumentedExecutor.scheduled("watchdog-heartbeat", registry);
    this.sent = Counter.builder(MetricNames.WATCHDOG_HEARTBEATS).tag("result", "sent")
        .description("watchdog heartbeats pushed into ingestion").register(registry);
    this.refused = Counter.builder(MetricNames.WATCHDOG_HEARTBEATS).tag("result", "refused")
        .description("watchdog heartbeats ingestion refused (its namespace not made yet, Kafka down)")
        .register(registry);
  }

  @Override
  public void afterPropertiesSet() {
    timer.scheduleWithFixedDelay(this::beat, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  void beat() {
    long now = clock.millis();
    try {
      ingestor.ingest(Watchdog.PRODUCT, Watchdog.NAMESPACE, null, List.of(new MetricsIngestor.PointIn(
          Watchdog.METRIC, Watchdog.dimensions(region), now, Watchdog.heartbeat(now))));
      sent.increment();
      if (refusing) {
        refusing = false;
        log.info("watchdog heartbeats flow again for region {}", region);
      }
    } catch (RuntimeException e) {
      refused.increment();
      if (!refusing) {
        refusing = true;
        log.warn("watchdog heartbeat refused ({}); retrying every {}", e.getMessage(), every);
      }
    }
  }

  @Override
  public void destroy() {
    timer.shutdownNow();
  }
}
