package io.vigil.storage.promql;

import io.vigil.storage.query.Points;
import io.vigil.storage.query.SeriesQueries;
import io.vigil.storage.query.SeriesRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates the PromQL subset over rollups, at {@code start + k * step} for every k up to {@code end}.
 *
 * <p>Conventions (documented in docs/architecture.md):
 *
 * <ul>
 *   <li>A metric is named as stored ({@code cpu_usage}); the period and statistic are 60 s and avg
 *       unless the name says otherwise ({@code cpu_usage:max_300s}) or the labels {@code __period__}
 *       and {@code __stat__} do.
 *   <li>{@code namespace="..."} is required (metric names live in namespaces); {@code region} may
 *       narrow; every other label is a dimension, matched with common's filter functions (= Equal,
 *       != NotEqual, =~ Regex, !~ NotRegex, anchored as in Prometheus).
 *   <li>A window's sample is stamped with its start. The value at t is the latest sample at most t
 *       and newer than the look-back (5 minutes, or the step's bucket when longer).
 *   <li>When the step spans several periods, each step reads one bucket of whole periods (avg =
 *       Σsum/Σcount), so a month of 60 s data charted at a 1 h step reads 720 buckets, not 43,200
 *       windows.
 * </ul>
 */
public final class PromEvaluator {

  static final Duration LOOKBACK = Duration.ofMinutes(5);
  public static final int MAX_STEPS = 11_000;
  private static final Pattern NAME = Pattern.compile("(.+):(avg|sum|min|max|count|last)_(\\d+)s");

  private final SeriesQueries series;
  private final Set<Integer> periods;

  public PromEvaluator(SeriesQueries series, java.util.Collection<Integer> periods) {
    this.series = series;
    this.periods = Set.copyOf(periods);
  }

  /** One result series: its labels and a value per step (NaN where it has none). */
  public record Row(Map<String, String> labels, double[] values) {}

  /** A result: a scalar (one row without labels, {@code scalar} true) or series. */
  public record Result(boolean scalar, List<Row> rows) {}

  public Result eval(PromQl.Expr expr, long startMs, long endMs, long stepMs, Optional<Set<String>> tenants)
      throws IOException {
    if (stepMs <= 0) {
      throw new PromQlException("step must be positive");
    }
    if (endMs < startMs) {
      throw new PromQlException("end is before start");
    }
    long steps = (endMs - startMs) / stepMs + 1;
    if (steps > MAX_STEPS) {
      throw new PromQlException("exceeded maximum resolution of " + MAX_STEPS
          + " points per timeseries. Try decreasing the query resolution (?step=XX)");
    }
    return eval(expr, startMs, (int) steps, stepMs, tenants);
  }

  private Result eval(PromQl.Expr expr, long startMs, int steps, long stepMs, Optional<Set<String>> tenants)
      throws IOException {
    if (expr instanceof PromQl.Number n) {
      return scalar(n.value(), steps);
    }
    if (expr instanceof PromQl.Binary b) {
      double l = eval(b.left(), startMs, steps, stepMs, tenants).rows().get(0).values()[0];
      double r = eval(b.right(), startMs, steps, stepMs, tenants).rows().get(0).values()[0];
      return scalar(switch (b.op()) {
        case '+' -> l + r;
        case '-' -> l - r;
        case '*' -> l * r;
        default -> l / r;
      }, steps);
    }
    if (expr instanceof PromQl.Selector s) {
      return new Result(false, select(s, startMs, steps, stepMs, tenants));
    }
    PromQl.Aggregate a = (PromQl.Aggregate) expr;
    return new Result(false, aggregate(a, eval(a.inner(), startMs, steps, stepMs, tenants).rows(), steps));
  }

  private static Result scalar(double v, int steps) {
    double[] values = new double[steps];
    Arrays.fill(values, v);
    return new Result(true, List.of(new Row(Map.of(), values)));
  }

  private List<Row> select(PromQl.Selector s, long startMs, int steps, long stepMs, Optional<Set<String>> tenants)
      throws IOException {
    String name = s.name();
    String namespace = null;
    String region = null;
    Integer period = null;
    String stat = null;
    List<Map<String, Object>> filters = new ArrayList<>();
    for (PromQl.Matcher m : s.matchers()) {
      switch (m.label()) {
        case "__name__" -> name = equality(m);
        case "namespace" -> namespace = equality(m);
        case "region" -> region = equality(m);
        case "__period__" -> period = parsePeriod(equality(m));
        case "__stat__" -> stat = equality(m);
        default -> {
          String function = switch (m.op()) {
            case "=" -> "Equal";
            case "!=" -> "NotEqual";
            case "=~" -> "Regex";
            default -> "NotRegex";
          };
          Map<String, Object> f = new HashMap<>();
          f.put("Function", function);
          f.put("Field", m.label());
          f.put("Args", m.value());
          filters.add(f);
        }
      }
    }
    Matcher conventional = NAME.matcher(name);
    if (conventional.matches()) {
      name = conventional.group(1);
      stat = stat == null ? conventional.group(2) : stat;
      period = period == null ? parsePeriod(conventional.group(3)) : period;
    }
    if (namespace == null) {
      throw new PromQlException("a namespace=\"...\" matcher is required (metric names live in namespaces)");
    }
    int p = period == null ? 60 : period;
    long periodMs = p * 1000L;
    long bucketMs = Math.max(periodMs, stepMs / periodMs * periodMs);
    long lookbackMs = Math.max(LOOKBACK.toMillis(), bucketMs);
    long offsetMs = s.offset().toMillis();
    long endMs = startMs + (steps - 1L) * stepMs;
    long fromMs = Math.floorDiv(startMs - offsetMs - lookbackMs, periodMs) * periodMs;
    long toMs = endMs - offsetMs + 1;
    long buckets = (toMs - fromMs + bucketMs - 1) / bucketMs;
    if (buckets > SeriesQueries.MAX_POINTS) {
      throw new PromQlException("the range holds more than " + SeriesQueries.MAX_POINTS + " rollups of "
          + p + " s per series; raise the step or choose a longer period (" + name + ":avg_3600s)");
    }
    SeriesQueries.Result r;
    try {
      r = series.query(new SeriesRequest(namespace, name, region, p, stat == null ? "avg" : stat, fromMs, toMs,
          filters, (int) Math.max(1, buckets), SeriesQueries.MAX_SERIES), tenants);
    } catch (io.vigil.common.error.ApiException e) {
      String detail = e.errors().isEmpty() ? e.getMessage()
          : e.errors().stream().map(f -> f.field() + ": " + f.reason()).reduce((a, b) -> a + "; " + b).orElse("");
      throw new PromQlException(detail);
    }
    List<Row> rows = new ArrayList<>();
    String shownName = s.name();
    for (SeriesQueries.Series one : r.series()) {
      Map<String, String> labels = new TreeMap<>(one.dimensions());
      labels.put("__name__", shownName == null ? name : shownName);
      labels.put("namespace", one.namespace());
      labels.put("region", one.region());
      List<SeriesQueries.Point> points = one.points();
      Points columns = points instanceof Points c ? c : null;
      int n = points.size();
      double[] out = new double[steps];
      int j = -1;
      for (int k = 0; k < steps; k++) {
        long t = startMs + k * stepMs - offsetMs;
        while (j + 1 < n && (columns != null ? columns.time(j + 1) : points.get(j + 1).t()) <= t) {
          j++;
        }
        boolean fresh = j >= 0 && (columns != null ? columns.time(j) : points.get(j).t()) > t - lookbackMs;
        out[k] = !fresh ? Double.NaN : columns != null ? columns.value(j) : points.get(j).v();
      }
      rows.add(new Row(labels, out));
    }
    return rows;
  }

  private static String equality(PromQl.Matcher m) {
    if (!m.op().equals("=")) {
      throw new PromQlException("unsupported: " + m.label() + m.op() + " (only = for " + m.label() + ")");
    }
    return m.value();
  }

  private Integer parsePeriod(String text) {
    try {
      int p = Integer.parseInt(text.endsWith("s") ? text.substring(0, text.length() - 1) : text);
      if (!periods.contains(p)) {
        throw new PromQlException("no rollups of " + text + " s (periods: " + new java.util.TreeSet<>(periods) + ")");
      }
      return p;
    } catch (NumberFormatException e) {
      throw new PromQlException("__period__ is a number of seconds: " + text);
    }
  }

  private static List<Row> aggregate(PromQl.Aggregate a, List<Row> rows, int steps) {
    Map<Map<String, String>, List<Row>> groups = new LinkedHashMap<>();
    for (Row r : rows) {
      Map<String, String> key = new TreeMap<>();
      if (a.without()) {
        key.putAll(r.labels());
        key.remove("__name__");
        a.labels().forEach(key::remove);
      } else {
        for (String l : a.labels()) {
          if (r.labels().containsKey(l)) {
            key.put(l, r.labels().get(l));
          }
        }
      }
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
    }
    List<Row> out = new ArrayList<>();
    groups.forEach((labels, members) -> {
      double[] v = new double[steps];
      for (int k = 0; k < steps; k++) {
        double acc = Double.NaN;
        int n = 0;
        for (Row m : members) {
          double x = m.values()[k];
          if (Double.isNaN(x)) {
            continue;
          }
          n++;
          acc = switch (a.op()) {
            case "sum", "avg" -> Double.isNaN(acc) ? x : acc + x;
            case "min" -> Double.isNaN(acc) ? x : Math.min(acc, x);
            case "max" -> Double.isNaN(acc) ? x : Math.max(acc, x);
            default -> n;
          };
        }
        v[k] = a.op().equals("avg") && n > 0 ? acc / n : acc;
      }
      out.add(new Row(labels, v));
    });
    return out;
  }
}
