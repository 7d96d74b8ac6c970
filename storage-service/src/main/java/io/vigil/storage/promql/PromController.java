package io.vigil.storage.promql;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.vigil.storage.query.Caller;
import io.vigil.storage.query.SeriesQueries;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Prometheus-compatible read API Grafana's Prometheus data source talks to, each route as GET
 * and as form POST, answering in Prometheus's JSON shapes (errors too: {@code status: error},
 * {@code errorType}, {@code error}). Times are Unix seconds (fractions allowed) or RFC 3339; steps
 * are seconds (fractions allowed) or a duration such as {@code 1m}. Every answer holds only the
 * caller's tenants' data.
 */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "prometheus")
public class PromController {

  static final Duration DEFAULT_LABEL_RANGE = Duration.ofHours(24);
  static final Duration MAX_LABEL_RANGE = Duration.ofDays(31);

  private final PromEvaluator evaluator;
  private final SeriesQueries series;
  private final Supplier<Long> clock;

  public PromController(PromEvaluator evaluator, SeriesQueries series, java.time.Clock clock) {
    this.evaluator = evaluator;
    this.series = series;
    this.clock = clock::millis;
  }

  @Operation(summary = "PromQL over a range (matrix)")
  @RequestMapping(path = "/query_range", method = {RequestMethod.GET, RequestMethod.POST})
  public Map<String, Object> queryRange(@RequestParam(required = false) String query,
      @RequestParam(required = false) String start, @RequestParam(required = false) String end,
      @RequestParam(required = false) String step) throws IOException {
    long s = time("start", start, null);
    long e = time("end", end, null);
    long st = step(step);
    PromEvaluator.Result r = evaluator.eval(PromQl.parse(query), s, e, st, Caller.tenantScope());
    List<Map<String, Object>> result = new ArrayList<>();
    for (PromEvaluator.Row row : r.rows()) {
      Values values = new Values(row.values(), s, st, r.scalar());
      if (values.any()) {
        result.add(Map.of("metric", row.labels(), "values", values));
      }
    }
    return success(Map.of("resultType", "matrix", "result", result));
  }

  @Operation(summary = "PromQL at one instant (vector or scalar)")
  @RequestMapping(path = "/query", method = {RequestMethod.GET, RequestMethod.POST})
  public Map<String, Object> query(@RequestParam(required = false) String query,
      @RequestParam(required = false) String time) throws IOException {
    long t = time("time", time, clock.get());
    PromEvaluator.Result r = evaluator.eval(PromQl.parse(query), t, t, 1000, Caller.tenantScope());
    if (r.scalar()) {
      return success(Map.of("resultType", "scalar", "result",
          List.of(seconds(t), format(r.rows().get(0).values()[0]))));
    }
    List<Map<String, Object>> result = new ArrayList<>();
    for (PromEvaluator.Row row : r.rows()) {
      if (!Double.isNaN(row.values()[0])) {
        result.add(Map.of("metric", row.labels(), "value", List.of(seconds(t), format(row.values()[0]))));
      }
    }
    return success(Map.of("resultType", "vector", "result", result));
  }

  @Operation(summary = "Label names")
  @RequestMapping(path = "/labels", method = {RequestMethod.GET, RequestMethod.POST})
  public Map<String, Object> labels(@RequestParam(required = false) String start,
      @RequestParam(required = false) String end,
      @RequestParam(name = "match[]", required = false) List<String> match) throws IOException {
    long[] range = labelRange(start, end);
    return success(series.labelNames(range[0], range[1], Caller.tenantScope()));
  }

  @Operation(summary = "Values of one label (__name__ for metric names)")
  @RequestMapping(path = "/label/{name}/values", method = {RequestMethod.GET, RequestMethod.POST})
  public Map<String, Object> labelValues(@PathVariable String name, @RequestParam(required = false) String start,
      @RequestParam(required = false) String end,
      @RequestParam(name = "match[]", required = false) List<String> match) throws IOException {
    if (!name.matches("[a-zA-Z_][a-zA-Z0-9_.-]{0,255}")) {
      throw new PromQlException("invalid label name: " + name);
    }
    long[] range = labelRange(start, end);
    if (match != null && !match.isEmpty() && match.stream().allMatch(PromController::namesNamespace)) {
      // values among the series the selectors match
      Set<String> out = new java.util.TreeSet<>();
      for (Map<String, String> labels : matching(match, range)) {
        if (labels.containsKey(name)) {
          out.add(labels.get(name));
        }
      }
      return success(new ArrayList<>(out));
    }
    // no selector narrows by namespace (Grafana's metric browser sends {__name__!=""}): every value
    return success(series.labelValues(name, range[0], range[1], Caller.tenantScope()));
  }

  @Operation(summary = "Series matching selectors")
  @RequestMapping(path = "/series", method = {RequestMethod.GET, RequestMethod.POST})
  public Map<String, Object> series(@RequestParam(required = false) String start,
      @RequestParam(required = false) String end,
      @RequestParam(name = "match[]", required = false) List<String> match) throws IOException {
    if (match == null || match.isEmpty()) {
      throw new PromQlException("no match[] parameter provided");
    }
    return success(new ArrayList<>(matching(match, labelRange(start, end))));
  }

  @Operation(summary = "Build information (Grafana reads it to learn what it talks to)")
  @RequestMapping(path = "/status/buildinfo", method = {RequestMethod.GET, RequestMethod.POST})
  public Map<String, Object> buildinfo() {
    Caller.current();
    return success(Map.of("version", "2.53.0", "revision", "vigil", "branch", "vigil", "buildUser", "vigil",
        "buildDate", "", "goVersion", ""));
  }

  @Operation(summary = "Metric metadata (none kept: an empty map)")
  @RequestMapping(path = "/metadata", method = {RequestMethod.GET, RequestMethod.POST})
  public Map<String, Object> metadata() {
    Caller.current();
    return success(Map.of());
  }

  private Set<Map<String, String>> matching(List<String> match, long[] range) throws IOException {
    if (match.size() > 20) {
      throw new PromQlException("at most 20 match[] selectors");
    }
    Set<Map<String, String>> out = new LinkedHashSet<>();
    long step = Math.max(1000, range[1] - range[0]);
    for (String m : match) {
      PromQl.Expr e = PromQl.parse(m);
      if (!(e instanceof PromQl.Selector)) {
        throw new PromQlException("match[] must be a series selector: " + m);
      }
      for (PromEvaluator.Row row : evaluator.eval(e, range[1], range[1], step, Caller.tenantScope()).rows()) {
        out.add(row.labels());
      }
    }
    return out;
  }

  private static boolean namesNamespace(String selector) {
    PromQl.Expr e = PromQl.parse(selector);
    return e instanceof PromQl.Selector s && s.name() != null
        && s.matchers().stream().anyMatch(m -> m.label().equals("namespace") && m.op().equals("="));
  }

  private long[] labelRange(String start, String end) {
    long e = time("end", end, clock.get());
    long s = time("start", start, e - DEFAULT_LABEL_RANGE.toMillis());
    if (e <= s) {
      throw new PromQlException("end must be after start");
    }
    if (e - s > MAX_LABEL_RANGE.toMillis()) {
      s = e - MAX_LABEL_RANGE.toMillis(); // label lookups read the latest month at most
    }
    return new long[] {s, e};
  }

  static long time(String name, String value, Long absent) {
    if (value == null || value.isBlank()) {
      if (absent == null) {
        throw new PromQlException("missing parameter " + name);
      }
      return absent;
    }
    try {
      BigDecimal seconds = new BigDecimal(value);
      if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(32_503_680_000L)) > 0) {
        throw new PromQlException("invalid parameter " + name + ": out of range");
      }
      return seconds.movePointRight(3).longValue();
    } catch (NumberFormatException e) {
      try {
        return Instant.parse(value).toEpochMilli();
      } catch (DateTimeParseException e2) {
        throw new PromQlException("invalid parameter " + name + ": cannot parse \"" + value + "\" to a timestamp");
      }
    }
  }

  static long step(String value) {
    if (value == null || value.isBlank()) {
      throw new PromQlException("missing parameter step");
    }
    long ms;
    try {
      ms = new BigDecimal(value).movePointRight(3).longValue();
    } catch (NumberFormatException e) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h|d)").matcher(value);
      if (!m.matches()) {
        throw new PromQlException("invalid parameter step: cannot parse \"" + value + "\" to a duration");
      }
      long n = Long.parseLong(m.group(1));
      ms = switch (m.group(2)) {
        case "ms" -> n;
        case "s" -> n * 1000;
        case "m" -> n * 60_000;
        case "h" -> n * 3_600_000;
        default -> n * 86_400_000;
      };
    }
    if (ms <= 0) {
      throw new PromQlException("zero or negative query resolution step widths are not accepted."
          + " Try a positive integer");
    }
    return ms;
  }

  /**
   * A row's values at {@code startMs + k * stepMs}, written as Prometheus's {@code [[seconds,"value"],...]}
   * straight from the array (NaN left out unless {@code keepNaN}): a wide matrix is 100,000 pairs,
   * each a list of two boxed values to build and serialize generically.
   */
  @tools.jackson.databind.annotation.JsonSerialize(using = Values.Writer.class)
  record Values(double[] values, long startMs, long stepMs, boolean keepNaN) {

    boolean any() {
      for (double v : values) {
        if (keepNaN || !Double.isNaN(v)) {
          return true;
        }
      }
      return false;
    }

    static final class Writer extends tools.jackson.databind.ValueSerializer<Values> {
      @Override
      public void serialize(Values row, tools.jackson.core.JsonGenerator gen,
          tools.jackson.databind.SerializationContext ctxt) {
        gen.writeStartArray();
        for (int k = 0; k < row.values().length; k++) {
          double v = row.values()[k];
          if (row.keepNaN() || !Double.isNaN(v)) {
            gen.writeStartArray();
            long ms = row.startMs() + k * row.stepMs();
            if (ms % 1000 == 0) {
              gen.writeNumber(ms / 1000);
            } else {
              gen.writeNumber(BigDecimal.valueOf(ms, 3));
            }
            gen.writeString(format(v));
            gen.writeEndArray();
          }
        }
        gen.writeEndArray();
      }
    }
  }

  private static Object seconds(long ms) {
    return ms % 1000 == 0 ? (Object) (ms / 1000) : BigDecimal.valueOf(ms, 3);
  }

  private static String format(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    // Schubfach's shortest digits, as Double.toString words them: the JDK 17 conversion was a large
    // part of writing a wide answer
    return tools.jackson.core.io.NumberOutput.toString(v, true);
  }

  private static Map<String, Object> success(Object data) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", "success");
    out.put("data", data);
    return out;
  }

  @ExceptionHandler(PromQlException.class)
  ResponseEntity<Map<String, Object>> bad(PromQlException e) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("status", "error");
    out.put("errorType", "bad_data");
    out.put("error", e.getMessage());
    return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(out);
  }

}
