package io.vigil.notifier.values;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.series.SeriesQuery;
import io.vigil.common.services.ServiceClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last hour of an alert's series from storage's series API (the notifier's service credential),
 * for the chart of its first notification: the notifier keeps a series' recent windows only once its
 * alert is open, so the FIRING itself has none in memory. One query per first notification; storage
 * down or slow (its client's timeout and breaker) means no chart, counted, never a held notice. At most
 * {@code maxInFlight} queries run at once: in a storm of thousands of FIRINGs the rest go without a
 * chart at once ({@code vigil_degraded_total{component="chart",reason="busy"}}), so neither storage nor
 * the pipeline's lanes wait on charts.
 */
public final class SeriesHistory {

  /** How far back the chart looks. */
  static final long HOUR_MS = 3_600_000L;

  private final ServiceClient storage;
  private final DependencyMetrics dependencies;
  private final java.util.concurrent.Semaphore inFlight;

  public SeriesHistory(ServiceClient storage, DependencyMetrics dependencies, int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be positive: " + maxInFlight);
    }
    this.storage = storage;
    this.dependencies = dependencies;
    this.inFlight = new java.util.concurrent.Semaphore(maxInFlight);
  }

  /**
   * The windows of the hour up to and including the alert's window, oldest first, under the statistic
   * the condition judged (NaN for a window without data); empty when the alert is not of one series
   * or storage cannot say.
   */
  public List<Double> lastHour(AlertEvent e, AlertPolicy policy) {
    if (e.seriesId() == 0 || e.periodSeconds() <= 0 || e.windowStartMs() <= 0 || e.metric() == null) {
      return List.of();
    }
    long periodMs = e.periodSeconds() * 1000L;
    long toMs = e.windowStartMs() + periodMs;
    long fromMs = toMs - Math.max(HOUR_MS, 2 * periodMs);
    SeriesQuery q = SeriesQuery.forAlert(e.namespace(), e.metric(), e.region(), e.periodSeconds(), e.dimensions(),
        CurrentValues.statisticOf(policy, e), fromMs, toMs);
    if (!inFlight.tryAcquire()) {
      dependencies.degraded("chart", "busy");
      return List.of();
    }
    SeriesQuery.Result r;
    try {
      r = storage.post(SeriesQuery.PATH, q, SeriesQuery.Result.class);
    } catch (RuntimeException ex) {
      dependencies.degraded("chart", "storage_unavailable");
      return List.of();
    } finally {
      inFlight.release();
    }
    Map<Long, Double> byWindow = r == null ? Map.of() : r.valuesOf(e.seriesId());
    if (byWindow.isEmpty()) {
      return List.of();
    }
    Map<Long, Double> ordered = new LinkedHashMap<>();
    for (long t = fromMs; t < toMs; t += periodMs) {
      ordered.put(t, byWindow.getOrDefault(t, Double.NaN));
    }
    return List.copyOf(ordered.values());
  }
}
