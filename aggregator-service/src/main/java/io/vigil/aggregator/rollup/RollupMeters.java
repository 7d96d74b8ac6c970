package io.vigil.aggregator.rollup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigil.common.observability.MetricNames;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The aggregator's own meters: rollups emitted by period, late and duplicate points by namespace
 * (namespaces are registered, so the label is bounded), the close delay of every window (emit time
 * less window end), and the series held and the progress lag over every task of this instance.
 */
public final class RollupMeters {

  private final MeterRegistry registry;
  private final Map<Integer, Counter> emitted = new ConcurrentHashMap<>();
  private final Map<String, Counter> late = new ConcurrentHashMap<>();
  private final Map<String, Counter> duplicates = new ConcurrentHashMap<>();
  private final Map<Integer, Timer> closeDelay = new ConcurrentHashMap<>();
  private final Counter unchecked;
  private final AtomicLong series = new AtomicLong();
  private final Map<Integer, Long> watermarks = new ConcurrentHashMap<>();

  public RollupMeters(MeterRegistry registry, java.time.Clock clock) {
    this.registry = registry;
    this.unchecked = Counter.builder(MetricNames.POINTS_DUPLICATE_UNCHECKED)
        .description("points not checked for a retry: their series had more distinct timestamps in the minute than"
            + " are remembered").register(registry);
    Gauge.builder(MetricNames.ROLLUP_SERIES, series, AtomicLong::get)
        .description("series with state in this instance's tasks").register(registry);
    Gauge.builder(MetricNames.ROLLUP_PROGRESS_LAG, this, m -> m.progressLagSeconds(clock.millis()))
        .description("seconds the least advanced partition of this instance is behind the clock")
        .baseUnit("seconds").register(registry);
  }

  void emitted(int periodSeconds, long closeDelayMs) {
    emitted.computeIfAbsent(periodSeconds, p -> Counter.builder(MetricNames.ROLLUPS_EMITTED)
        .tag("period", Integer.toString(p)).register(registry)).increment();
    closeDelay.computeIfAbsent(periodSeconds, p -> Timer.builder(MetricNames.ROLLUP_CLOSE_DELAY)
        .description("from a window's end to its rollup's emission").tag("period", Integer.toString(p))
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100))
        .maximumExpectedValue(Duration.ofMinutes(10)).register(registry))
        .record(Math.max(0, closeDelayMs), TimeUnit.MILLISECONDS);
  }

  void late(String namespace) {
    late.computeIfAbsent(namespace, ns -> Counter.builder(MetricNames.LATE_POINTS).tag("namespace", ns)
        .register(registry)).increment();
  }

  void duplicate(String namespace) {
    duplicates.computeIfAbsent(namespace, ns -> Counter.builder(MetricNames.POINTS_DUPLICATE).tag("namespace", ns)
        .register(registry)).increment();
  }

  void unchecked() {
    unchecked.increment();
  }

  void series(long delta) {
    series.addAndGet(delta);
  }

  void watermark(int partition, long watermarkMs) {
    watermarks.put(partition, watermarkMs);
  }

  void released(int partition, long seriesHeld) {
    watermarks.remove(partition);
    series.addAndGet(-seriesHeld);
  }

  private double progressLagSeconds(long now) {
    long least = Long.MAX_VALUE;
    for (long w : watermarks.values()) {
      least = Math.min(least, w);
    }
    return least == Long.MAX_VALUE ? 0 : Math.max(0, now - least) / 1000.0;
  }
}
