package io.vigil.console.alerts;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.vigil.common.control.AlertPolicy;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.series.SeriesId;
import io.vigil.common.series.SeriesQuery;
import io.vigil.common.services.ServiceCallException;
import io.vigil.console.downstream.Downstream;
import io.vigil.console.downstream.Part;
import io.vigil.console.system.Maps;
import io.vigil.console.system.Problem;
import io.vigil.console.system.UserZone;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.json.JsonMapper;

/**
 * One alert: its timeline (every transition storage holds), the series around it with the threshold
 * drawn, the notifications sent, and the notifier's explain trail ("why was / wasn't I paged"). Each
 * part comes from its own service and says so when that service is down; another tenant's alert, or
 * one that does not exist, answers 404 (storage decides, with the user's token).
 */
@Controller
public class AlertController {

  static final long HOUR_MS = 3_600_000L;
  static final long WEEK_MS = 7 * 24 * HOUR_MS;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Downstream downstream;
  private final DependencyMetrics metrics;
  private final Clock clock;

  public AlertController(Downstream downstream, DependencyMetrics metrics, Clock clock) {
    this.downstream = downstream;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** A step of the explain trail. */
  public record Step(long atMs, long sequence, String alertStatus, String stage, String status, String reason,
      String detail, String recipient, String channel) {}

  /** The chart's points (epoch seconds, values; NaN-free: a missing window is null) and threshold. */
  public record Chart(String statistic, List<Long> times, List<Double> values, Double threshold, int points) {

    public String json() {
      return JSON.writeValueAsString(Map.of("t", times, "v", values, "threshold",
          threshold == null ? "" : threshold, "statistic", statistic));
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  record PolicyView(String id, long version, AlertPolicy spec) {}

  @io.swagger.v3.oas.annotations.Operation(summary = "An alert: timeline, series chart, checks, notifications sent, explain trail")
  @GetMapping("/alerts/detail")
  public String detail(@RequestParam String key, jakarta.servlet.http.HttpServletRequest request, Model model) {
    if (key.isBlank() || key.length() > 300) {
      throw new ServiceCallException("console", 404, "no such alert");
    }
    long now = clock.millis();
    AlertRow alert = find(key, now);
    long from = Math.max((alert.firstFiredAtMs() > 0 ? alert.firstFiredAtMs() : alert.timestampMs()) - HOUR_MS,
        now - WEEK_MS + 60_000);
    long to = now + 60_000;
    model.addAttribute("user", Downstream.user());
    model.addAttribute("alert", alert);
    model.addAttribute("nowMs", now);
    model.addAttribute("zone", UserZone.of(request));
    model.addAttribute("timeline", Part.load(metrics, "storage", "the alert's timeline", () -> items("storage",
        Downstream.path("v1", "alerts", "events").queryParam("alertKey", key).queryParam("fromMs", from)
            .queryParam("toMs", to).queryParam("limit", 200)).stream().map(AlertRow::of).toList()));
    model.addAttribute("notifications", Part.load(metrics, "storage", "the notifications sent", () -> items("storage",
        Downstream.path("v1", "notifications").queryParam("alertKey", key).queryParam("fromMs", from)
            .queryParam("toMs", to).queryParam("limit", 200))));
    model.addAttribute("explain", Part.load(metrics, "notifier", "the explain trail", () -> explain(key)));
    model.addAttribute("chart", Part.load(metrics, "storage", "the series", () -> chart(alert, now)));
    model.addAttribute("checks", Part.load(metrics, "detector", "the detector's checks", () -> checks(alert)));
    model.addAttribute("instance", Part.load(metrics, "cmdb", "the instance's record", () -> instance(alert)));
    return "alert";
  }

  /** The alert: open if it is, else its latest event; 404 when storage has neither for this user. */
  private AlertRow find(String key, long now) {
    List<Map<String, Object>> open = items("storage", Downstream.path("v1", "alerts", "open")
        .queryParam("alertKey", key).queryParam("limit", 1));
    if (!open.isEmpty()) {
      return AlertRow.of(open.get(0));
    }
    List<Map<String, Object>> latest = items("storage", Downstream.path("v1", "alerts", "events")
        .queryParam("alertKey", key).queryParam("fromMs", now - WEEK_MS + 60_000).queryParam("toMs", now + 60_000)
        .queryParam("limit", 1));
    if (latest.isEmpty()) {
      throw new ServiceCallException("storage", 404, "no such alert");
    }
    return AlertRow.of(latest.get(0));
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> items(String peer, org.springframework.web.util.UriComponentsBuilder path) {
    Map<String, Object> page = downstream.getMap(peer, Downstream.uri(path));
    return (List<Map<String, Object>>) page.getOrDefault("items", List.of());
  }

  @SuppressWarnings("unchecked")
  private List<Step> explain(String key) {
    Map<String, Object> answer;
    try {
      answer = downstream.getMap("notifier", Downstream.uri(Downstream.path("v1", "notifications", "explain")
          .queryParam("alertKey", key).queryParam("limit", 200)));
    } catch (ServiceCallException e) {
      if (e.status() == 404) {
        return List.of(); // the notifier has no trail for it (yet, or any more)
      }
      throw e;
    }
    List<Step> steps = new ArrayList<>();
    for (Map<String, Object> s : (List<Map<String, Object>>) answer.getOrDefault("steps", List.of())) {
      steps.add(new Step(Maps.num(s.get("atMs")), Maps.num(s.get("sequence")), str(s.get("alertStatus")), str(s.get("stage")),
          str(s.get("status")), str(s.get("reason")), str(s.get("detail")), str(s.get("recipient")),
          str(s.get("channel"))));
    }
    return steps;
  }

  /**
   * The instance an alert is about, as the cmdb holds it (what the notifier enriched its messages
   * with): {@code known} false when the cmdb has no record; null when the namespace names no
   * instance dimension (nothing to look up).
   */
  public record InstanceView(String id, boolean known, String source, long version, long updatedAtMs,
      Map<String, String> attributes, Map<String, String> tags) {}

  private InstanceView instance(AlertRow a) {
    if (a.namespace() == null || a.region() == null || !io.vigil.console.system.TenantNames.validNamespace(a.namespace())) {
      return null;
    }
    io.vigil.common.control.NamespaceConfig ns;
    try {
      ns = Maps.LENIENT.convertValue(downstream.getMap("policy", Downstream.uri(
          Downstream.path(("v1/namespaces/" + a.namespace()).split("/")))).get("spec"),
          io.vigil.common.control.NamespaceConfig.class);
    } catch (ServiceCallException | IllegalArgumentException | tools.jackson.core.JacksonException e) {
      return null; // the namespace is gone from the access config (or unreadable): nothing names its instances
    }
    String id = ns == null ? null : ns.instanceIdOf(a.dimensions(), a.objectId());
    if (id == null || !io.vigil.console.system.TenantNames.validId(id)
        || !io.vigil.console.system.TenantNames.validId(a.region())) {
      return null; // pushed values that name no cmdb path ('..', ';'): nothing the cmdb could hold
    }
    String[] parts = a.namespace().split("/", 2);
    try {
      Map<String, Object> i = downstream.getMap("cmdb", Downstream.uri(Downstream.path("v1", "instances", parts[0],
          parts[1], a.region(), id)));
      return new InstanceView(id, true, str(i.get("source")), Maps.num(i.get("version")),
          Maps.num(i.get("updatedAtMs")), strings(i.get("attributes")), strings(i.get("tags")));
    } catch (ServiceCallException e) {
      if (e.status() == 404) {
        return new InstanceView(id, false, null, 0, 0, Map.of(), Map.of());
      }
      throw e;
    }
  }

  private static Map<String, String> strings(Object o) {
    Map<String, String> out = new java.util.TreeMap<>();
    Maps.map(o).forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  /** A check of the detector's: does the policy judge this series, and the alert's state in memory. */
  public record Check(String check, boolean passed, String detail) {}

  /** The detector's explanation of its policy against the alert's series (none for an object's alert). */
  private List<Check> checks(AlertRow a) {
    if (a.seriesId() == 0 || a.policyId() == null) {
      return List.of();
    }
    var question = Downstream.path("v1", "explain").queryParam("policyId", a.policyId())
        .queryParam("seriesId", SeriesId.hex(a.seriesId()));
    if (a.namespace() != null && a.region() != null && a.metric() != null
        && SeriesId.of(a.namespace(), a.region(), a.metric(), a.dimensions()) == a.seriesId()) {
      // the series as the alert describes it: checked by any instance of the shard, even one that has
      // not seen it (the instance holding it adds the counters and the alert's state)
      question.queryParam("namespace", a.namespace()).queryParam("region", a.region())
          .queryParam("metric", a.metric());
      a.dimensions().forEach((k, v) -> question.queryParam("dimension", k + "=" + v));
    }
    Map<String, Object> answer;
    try {
      answer = downstream.getFromDetector(a.shard(), Downstream.uri(question));
    } catch (ServiceCallException e) {
      if (e.status() == 404 || e.status() == 400) {
        return List.of(new Check("policy", false, Problem.describe(e)));
      }
      throw e;
    }
    List<Check> checks = new ArrayList<>();
    for (Object o : Maps.list(answer.get("checks"))) {
      Map<String, Object> c = Maps.map(o);
      checks.add(new Check(str(c.get("check")), Boolean.TRUE.equals(c.get("passed")), str(c.get("detail"))));
    }
    return checks;
  }

  /**
   * The alert's series from an hour before it fired to now (at most a day), under the statistic its
   * policy's condition judges, so the threshold line means what the detector compared.
   */
  private Chart chart(AlertRow a, long now) {
    if (a.seriesId() == 0 || a.metric() == null || a.periodSeconds() <= 0) {
      return new Chart("avg", List.of(), List.of(), a.threshold(), 0);
    }
    AlertPolicy.Statistic judged = statisticOf(a);
    String statistic = judged.name().toLowerCase(Locale.ROOT);
    long periodMs = a.periodSeconds() * 1000L;
    long start = (a.firstFiredAtMs() > 0 ? a.firstFiredAtMs() : a.timestampMs()) - HOUR_MS;
    long to = (now / periodMs + 1) * periodMs;
    long from = Math.min(to - periodMs, Math.max(start / periodMs * periodMs, to - 24 * HOUR_MS));
    SeriesQuery query = SeriesQuery.forAlert(a.namespace(), a.metric(), a.region(), a.periodSeconds(), a.dimensions(),
        judged, from, to);
    SeriesQuery.Result result = downstream.send("storage", HttpMethod.POST, URI.create(SeriesQuery.PATH), query,
        SeriesQuery.Result.class);
    Map<Long, Double> byTime = result == null ? Map.of() : result.valuesOf(a.seriesId());
    List<Long> times = new ArrayList<>();
    List<Double> values = new ArrayList<>();
    for (long t = from; t < to; t += periodMs) {
      times.add(t / 1000);
      values.add(byTime.get(t));
    }
    return new Chart(statistic, times, values, a.threshold(), byTime.size());
  }

  private AlertPolicy.Statistic statisticOf(AlertRow a) {
    if (a.policyId() == null || a.tenant() == null) {
      return AlertPolicy.Statistic.AVG;
    }
    try {
      PolicyView p = downstream.get("policy", Downstream.uri(Downstream.path("v1", "tenants", a.tenant(), "policies",
          a.policyId())), PolicyView.class);
      return p == null || p.spec() == null ? AlertPolicy.Statistic.AVG
          : p.spec().statisticFor(a.metric(), a.periodSeconds());
    } catch (ServiceCallException | DependencyUnavailableException | IllegalArgumentException e) {
      // deleted since, or policy-service is down: the chart still shows the average, and says so
      metrics.degraded("console", "chart_statistic_unknown");
      return AlertPolicy.Statistic.AVG;
    }
  }


  private static String str(Object o) {
    return o == null ? null : String.valueOf(o);
  }
}
