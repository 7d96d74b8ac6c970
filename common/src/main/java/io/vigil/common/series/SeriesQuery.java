package io.vigil.common.series;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.vigil.common.control.AlertPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Storage's series query ({@code POST /v1/series/query}) as its callers send it, and its answer. The
 * one query every caller makes for an alert's chart lives here ({@link #forAlert}), so the notifier's
 * message chart and the console's detail chart show the same windows under the same statistic.
 */
public record SeriesQuery(String namespace, String metric, String region, int period, String statistic, long fromMs,
    long toMs, List<Map<String, Object>> filters, int maxPoints, int maxSeries) {

  public static final String PATH = "/v1/series/query";
  /** The most points storage answers per series. */
  public static final int MAX_POINTS = 11_000;
  /**
   * Series asked for with an alert's dimensions as Equal filters: the alert's own, and a few that carry
   * the same dimensions and more (found by {@link Result#valuesOf}, which keeps only the wanted one).
   */
  static final int ALERT_SERIES = 10;

  /**
   * The series of one alert from {@code fromMs} to {@code toMs}: an Equal filter per dimension, the
   * statistic the policy's condition judged, one point per window of the range.
   */
  public static SeriesQuery forAlert(String namespace, String metric, String region, int periodSeconds,
      Map<String, String> dimensions, AlertPolicy.Statistic statistic, long fromMs, long toMs) {
    if (periodSeconds <= 0 || toMs <= fromMs) {
      throw new IllegalArgumentException("a period and a range: " + periodSeconds + " s, " + fromMs + ".." + toMs);
    }
    long periodMs = periodSeconds * 1000L;
    List<Map<String, Object>> filters = new ArrayList<>();
    new TreeMap<>(dimensions).forEach((field, value) -> filters.add(Map.of("Function", "Equal", "Field", field,
        "Args", value)));
    int windows = (int) Math.min(MAX_POINTS, (toMs - fromMs + periodMs - 1) / periodMs);
    return new SeriesQuery(namespace, metric, region, periodSeconds, statistic.name().toLowerCase(Locale.ROOT),
        fromMs, toMs, filters, windows, ALERT_SERIES);
  }

  /** A window's value; {@code v} null where storage has the window without a value. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Point(long t, Double v) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Series(String seriesId, Map<String, String> dimensions, List<Point> points) {}

  /** Storage's answer. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Result(List<Series> series) {

    /** One series' values by window start (the others of the answer left out); empty when it has none. */
    public Map<Long, Double> valuesOf(long seriesId) {
      String wanted = SeriesId.hex(seriesId);
      Map<Long, Double> byWindow = new HashMap<>();
      for (Series s : series == null ? List.<Series>of() : series) {
        if (wanted.equals(s.seriesId()) && s.points() != null) {
          s.points().forEach(p -> {
            if (p.v() != null) {
              byWindow.put(p.t(), p.v());
            }
          });
        }
      }
      return byWindow;
    }
  }
}
