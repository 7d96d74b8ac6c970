package io.vigil.detector.detect;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.series.SeriesId;
import io.vigil.common.services.ServiceCallException;
import io.vigil.common.services.ServiceClient;
import io.vigil.detector.condition.ConditionRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The earlier windows period-over-period conditions compare with (the same window a day or a week
 * before), read from storage's batch value-at-window API ({@code POST /v1/series/window}) with this
 * service's credential and kept per (period, window) for the windows in use.
 *
 * <p>Before a batch of rollups is judged, {@link #prefetch} asks storage once per (period, window)
 * for every series the batch needs that was not asked yet, in requests of at most {@value #MAX_ASK}
 * series. When storage cannot answer (down, breaker open, refused), the series stay unasked, the
 * conditions that needed them are skipped with reason {@code storage_unavailable} and counted, never
 * fired, and the next batch asks again.
 */
public final class Baselines implements ConditionRule.Baseline {

  private static final Logger log = LoggerFactory.getLogger(Baselines.class);
  /** Storage's limit per request. */
  static final int MAX_ASK = 1_000;
  /** (period, window) entries kept: windows in use move on, old ones fall out. */
  static final int MAX_WINDOWS = 64;

  record WindowKey(int periodSeconds, long windowStartMs) {}

  /** What storage said of one window: values by series, and which series were asked. */
  static final class Window {
    final Map<Long, Map<String, Double>> values = new HashMap<>();
    final Set<Long> asked = new HashSet<>();
  }

  /** Storage's answer: statistics by series (16-hex id) and statistic name. */
  public record WindowValues(int period, long windowStartMs, Map<String, Map<String, Double>> values) {}

  record WindowRequest(int period, long windowStartMs, List<String> seriesIds) {}

  private final ServiceClient storage;
  private final DependencyMetrics dependencies;
  private final Map<WindowKey, Window> windows;

  public Baselines(ServiceClient storage, DependencyMetrics dependencies) {
    this(storage, dependencies, MAX_WINDOWS);
  }

  /** @param maxWindows the (period, window) entries kept (a backtest keeps every window it asked for) */
  Baselines(ServiceClient storage, DependencyMetrics dependencies, int maxWindows) {
    this.storage = storage;
    this.dependencies = dependencies;
    this.windows = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<WindowKey, Window> eldest) {
        return size() > maxWindows;
      }
    };
  }

  /** Asks storage for what {@code needed} (series by window) lacks. */
  public void prefetch(Map<WindowKey, Set<Long>> needed) {
    for (var entry : needed.entrySet()) {
      List<Long> missing = new ArrayList<>();
      synchronized (this) {
        Window w = windows.computeIfAbsent(entry.getKey(), k -> new Window());
        for (Long id : entry.getValue()) {
          if (!w.asked.contains(id)) {
            missing.add(id);
          }
        }
      }
      for (int from = 0; from < missing.size(); from += MAX_ASK) {
        List<Long> chunk = missing.subList(from, Math.min(missing.size(), from + MAX_ASK));
        if (!ask(entry.getKey(), chunk)) {
          return; // storage is away: the rest is skipped this batch, not asked one timeout after another
        }
      }
    }
  }

  private boolean ask(WindowKey key, List<Long> chunk) {
    WindowValues answer;
    try {
      answer = storage.post("/v1/series/window", new WindowRequest(key.periodSeconds(), key.windowStartMs(),
          chunk.stream().map(SeriesId::hex).toList()), WindowValues.class);
    } catch (DependencyUnavailableException | ServiceCallException e) {
      dependencies.degraded("period_over_period", "storage_unavailable");
      log.warn("storage could not give the windows period-over-period conditions compare with: {}", e.getMessage());
      return false;
    }
    synchronized (this) {
      Window w = windows.computeIfAbsent(key, k -> new Window());
      w.asked.addAll(chunk);
      if (answer != null && answer.values() != null) {
        answer.values().forEach((hex, stats) -> w.values.put(Long.parseUnsignedLong(hex, 16), stats));
      }
    }
    return true;
  }

  @Override
  public synchronized double value(int periodSeconds, long windowStartMs, long seriesId,
      AlertPolicy.Statistic statistic, ConditionRule.Skip[] why) {
    Window w = windows.get(new WindowKey(periodSeconds, windowStartMs));
    if (w == null || !w.asked.contains(seriesId)) {
      why[0] = ConditionRule.Skip.STORAGE_UNAVAILABLE;
      return Double.NaN;
    }
    Map<String, Double> stats = w.values.get(seriesId);
    Double v = stats == null ? null : stats.get(statistic.name().toLowerCase(Locale.ROOT));
    if (v == null) {
      why[0] = ConditionRule.Skip.NO_BASELINE;
      return Double.NaN;
    }
    return v;
  }
}
