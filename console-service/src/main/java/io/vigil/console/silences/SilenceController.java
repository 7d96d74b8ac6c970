package io.vigil.console.silences;

import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.semantics.AlertLabels;
import io.vigil.common.semantics.FilterFunction;
import io.vigil.common.services.ServiceCallException;
import io.vigil.console.alerts.AlertRow;
import io.vigil.console.downstream.Changes;
import io.vigil.console.downstream.Downstream;
import io.vigil.console.downstream.Part;
import io.vigil.console.security.ConsoleUser;
import io.vigil.console.system.FormRows;
import io.vigil.console.system.Maps;
import io.vigil.console.system.Matchers.MatcherRow;
import io.vigil.console.system.Matchers;
import io.vigil.console.system.Problem;
import io.vigil.console.system.TenantNames;
import io.vigil.console.system.UserZone;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Silences of a tenant: the list (times and recurring windows in the user's zone), a form to create
 * one (prefilled with an alert's policy and dimensions when it comes from an alert; the control
 * plane's refusals shown beside their fields), and expiry (the silence ends now; its record stays).
 */
@Controller
public class SilenceController {

  /** The durations the form offers. */
  static final Map<String, Duration> DURATIONS = durations();

  private final Downstream downstream;
  private final DependencyMetrics metrics;
  private final Clock clock;

  private final io.vigil.console.alerts.SilenceMutes mutes;

  public SilenceController(Downstream downstream, DependencyMetrics metrics, Clock clock,
      io.vigil.console.alerts.SilenceMutes mutes) {
    this.downstream = downstream;
    this.metrics = metrics;
    this.clock = clock;
    this.mutes = mutes;
  }

  /** A silence as listed. */
  public record SilenceRow(String id, long version, String tenant, List<Map<String, Object>> matchers,
      long startsAtMs, long endsAtMs, Map<String, Object> recurring, String comment, String updatedBy,
      String state, long nextFromMs, long nextUntilMs) {}

  /** How far ahead the next time a recurring silence is in force is looked for. */
  static final Duration LOOK_AHEAD = Duration.ofDays(8);


  @io.swagger.v3.oas.annotations.Operation(summary = "A tenant's silences, recurring windows in the user's zone")
  @GetMapping("/silences")
  public String list(@RequestParam(required = false) String tenant, HttpServletRequest request, Model model) {
    ConsoleUser user = Downstream.user();
    String t = TenantNames.orDefault(tenant, user);
    model.addAttribute("user", user);
    model.addAttribute("tenant", t);
    model.addAttribute("zone", UserZone.of(request));
    model.addAttribute("nowMs", clock.millis());
    if (t == null) {
      model.addAttribute("silences", new Part<>(List.of(), null));
      return "silences";
    }
    if (!TenantNames.valid(t)) {
      model.addAttribute("failure", "tenant: letters, digits, '_' and '-'");
      model.addAttribute("silences", new Part<>(List.of(), null));
      return "silences";
    }
    model.addAttribute("silences", Part.load(metrics, "policy", "the silences", () -> rows(t)));
    return "silences";
  }

  @SuppressWarnings("unchecked")
  private List<SilenceRow> rows(String tenant) {
    Map<String, Object> page = downstream.getMap("policy", Downstream.uri(Downstream.path("v1", "tenants", tenant,
        "silences").queryParam("limit", 1000)));
    long now = clock.millis();
    List<SilenceRow> rows = new ArrayList<>();
    for (Map<String, Object> item : (List<Map<String, Object>>) page.getOrDefault("items", List.of())) {
      Map<String, Object> spec = (Map<String, Object>) item.getOrDefault("spec", Map.of());
      long starts = Maps.num(spec.get("startsAtMs"));
      long ends = Maps.num(spec.get("endsAtMs"));
      String state = ends > 0 && ends <= now ? "expired" : starts > now ? "pending" : "active";
      long[] next = spec.get("recurring") == null || state.equals("expired") ? new long[] {0, 0} : nextInForce(spec, now);
      if (spec.get("recurring") != null && state.equals("active") && next[0] > now) {
        state = "between windows";
      }
      rows.add(new SilenceRow(String.valueOf(item.get("id")), Maps.num(item.get("version")), tenant,
          (List<Map<String, Object>>) spec.getOrDefault("matchers", List.of()), starts, ends,
          (Map<String, Object>) spec.get("recurring"), (String) spec.get("comment"), (String) item.get("updatedBy"),
          state, next[0], next[1]));
    }
    return rows;
  }

  /**
   * When a recurring silence is next in force, from {@code now} (now itself when it is) to when it next
   * stops, as common's {@code Silence.activeAt} and {@code TimeWindow} judge it (the notifier's own
   * judgement), asked only at the instants where that can change: the silence's own start and end and,
   * for each day ahead, midnight and every range's start and end in the window's zone. {0, 0} when not
   * within {@link #LOOK_AHEAD}.
   */
  static long[] nextInForce(Map<String, Object> spec, long nowMs) {
    try {
      io.vigil.common.control.Silence silence = Maps.LENIENT.convertValue(spec, io.vigil.common.control.Silence.class);
      io.vigil.common.semantics.TimeWindow window = silence.recurring().toWindow("recurring");
      java.time.Instant now = java.time.Instant.ofEpochMilli(nowMs);
      java.time.Instant limit = now.plus(LOOK_AHEAD);
      java.util.TreeSet<java.time.Instant> edges = new java.util.TreeSet<>();
      edges.add(now);
      edges.add(limit);
      if (silence.startsAtMs() != null) {
        edges.add(java.time.Instant.ofEpochMilli(silence.startsAtMs()));
      }
      if (silence.endsAtMs() != null) {
        edges.add(java.time.Instant.ofEpochMilli(silence.endsAtMs()));
      }
      java.time.LocalDate first = now.atZone(window.zone()).toLocalDate().minusDays(1);
      for (int d = 0; d <= LOOK_AHEAD.toDays() + 2; d++) {
        java.time.LocalDate day = first.plusDays(d);
        edges.add(day.atStartOfDay(window.zone()).toInstant());
        for (io.vigil.common.semantics.TimeWindow.Range r : window.ranges()) {
          edges.add(java.time.ZonedDateTime.of(day, r.start(), window.zone()).toInstant());
          if (r.end() != null) {
            edges.add(java.time.ZonedDateTime.of(day, r.end(), window.zone()).toInstant());
          }
        }
      }
      java.time.Instant from = null;
      for (java.time.Instant e : edges.subSet(now, true, limit, true)) {
        if (from == null && silence.activeAt(e, window)) {
          from = e;
        } else if (from != null && !silence.activeAt(e, window)) {
          return new long[] {from.toEpochMilli(), e.toEpochMilli()};
        }
      }
      return from == null ? new long[] {0, 0} : new long[] {from.toEpochMilli(), limit.toEpochMilli()};
    } catch (RuntimeException unreadable) {
      return new long[] {0, 0};
    }
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "The silence form, prefilled from an alert (alertKey)")
  @GetMapping("/silences/new")
  public String form(@RequestParam(required = false) String tenant, @RequestParam(required = false) String alertKey,
      Model model) {
    ConsoleUser user = Downstream.user();
    List<MatcherRow> matchers = new ArrayList<>();
    String t = TenantNames.orDefault(tenant, user);
    if (alertKey != null && !alertKey.isBlank() && alertKey.length() <= 300) {
      AlertRow alert = openAlert(alertKey);
      if (alert != null) {
        t = alert.tenant();
        matchers.add(new MatcherRow(AlertLabels.POLICY_ID, "Equal", alert.policyId()));
        alert.dimensions().forEach((f, v) -> matchers.add(new MatcherRow(f, "Equal", v)));
        model.addAttribute("comment", "silenced from the console: " + (alert.summary() == null ? alertKey
            : alert.summary()));
      }
    }
    return form(model, user, t, matchers, "1h", Map.of());
  }

  /** The form page: at least three matcher rows, the choices, and the errors beside their fields. */
  private static String form(Model model, ConsoleUser user, String tenant, List<MatcherRow> matchers, String duration,
      Map<String, String> errors) {
    while (matchers.size() < 3) {
      matchers.add(new MatcherRow("", "Equal", ""));
    }
    model.addAttribute("user", user);
    model.addAttribute("tenant", tenant);
    model.addAttribute("matchers", matchers);
    model.addAttribute("durations", DURATIONS.keySet());
    model.addAttribute("functions", Matchers.FUNCTIONS);
    model.addAttribute("duration", duration);
    model.addAttribute("errors", errors);
    return "silence-new";
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "Create a silence; errors shown beside their rows")
  @PostMapping("/silences")
  public String create(@RequestParam(required = false) String tenant,
      @RequestParam(name = "field", required = false) List<String> fields,
      @RequestParam(name = "function", required = false) List<String> functions,
      @RequestParam(name = "value", required = false) List<String> values,
      @RequestParam(required = false) String duration, @RequestParam(required = false) String comment,
      Model model, RedirectAttributes redirect) {
    ConsoleUser user = Downstream.user();
    List<MatcherRow> rows = new ArrayList<>();
    int n = fields == null ? 0 : fields.size();
    for (int i = 0; i < n; i++) {
      rows.add(new MatcherRow(fields.get(i), at(functions, i, "Equal"), at(values, i, "")));
    }
    Map<String, String> errors = new LinkedHashMap<>();
    if (tenant == null || !TenantNames.valid(tenant)) {
      errors.put("tenant", "a tenant id: letters, digits, '_' and '-'");
    }
    Duration d = duration == null ? null : DURATIONS.get(duration);
    if (d == null) {
      errors.put("duration", "one of " + String.join(", ", DURATIONS.keySet()));
    }
    List<Map<String, Object>> matchers = new ArrayList<>();
    for (MatcherRow r : rows) {
      if (r.field() != null && !r.field().isBlank()) {
        matchers.add(Matchers.matcher(r));
      }
    }
    if (errors.isEmpty()) {
      long now = clock.millis();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("matchers", matchers);
      body.put("startsAtMs", now);
      body.put("endsAtMs", now + d.toMillis());
      if (comment != null && !comment.isBlank()) {
        body.put("comment", comment);
      }
      try {
        downstream.send("policy", HttpMethod.POST, Downstream.uri(Downstream.path("v1", "tenants", tenant, "silences")),
            body, Map.class);
        mutes.forget(tenant);
        redirect.addFlashAttribute("notice", "Silenced for " + duration + ": matching alerts notify no one until then.");
        return "redirect:/silences?tenant=" + tenant;
      } catch (ServiceCallException e) {
        List<Boolean> blanks = rows.stream().map(r -> r.field() == null || r.field().isBlank()).toList();
        Problem.fieldErrors(e).forEach((field, reason) -> errors.merge(FormRows.formField(field, "matchers", blanks),
            reason, (a, b) -> a + "; " + b));
        if (errors.isEmpty()) {
          errors.put("", Problem.describe(e));
        }
      } catch (DependencyUnavailableException e) {
        metrics.degraded("console", "policy_unavailable");
        errors.put("", "policy-service is not answering: the silence was not saved. Try again in a moment.");
      }
    }
    model.addAttribute("comment", comment);
    return form(model, user, tenant, rows, duration, errors);
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "End a silence now")
  @PostMapping("/silences/expire")
  @SuppressWarnings("unchecked")
  public String expire(@RequestParam String tenant, @RequestParam String id, RedirectAttributes redirect) {
    if (!TenantNames.valid(tenant) || !TenantNames.validId(id)) {
      redirect.addFlashAttribute("failure", "No such silence.");
      return "redirect:/silences";
    }
    Changes.flash(metrics, redirect, "policy", "Not expired", () -> {
      var path = Downstream.uri(Downstream.path("v1", "tenants", tenant, "silences", id));
      Map<String, Object> current = downstream.getMap("policy", path);
      Map<String, Object> spec = new LinkedHashMap<>((Map<String, Object>) current.get("spec"));
      long now = clock.millis();
      if (Maps.num(spec.get("startsAtMs")) == 0 || Maps.num(spec.get("startsAtMs")) >= now) {
        spec.put("startsAtMs", now - 1000);
      }
      spec.put("endsAtMs", now);
      downstream.sendIfMatch("policy", HttpMethod.PUT, path, spec, Maps.num(current.get("version")), Map.class);
      mutes.forget(tenant);
      return "Silence expired: matching alerts notify again.";
    });
    return "redirect:/silences?tenant=" + tenant;
  }

  private AlertRow openAlert(String alertKey) {
    try {
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> items = (List<Map<String, Object>>) downstream.getMap("storage", Downstream.uri(
          Downstream.path("v1", "alerts", "open").queryParam("alertKey", alertKey).queryParam("limit", 1)))
          .getOrDefault("items", List.of());
      return items.isEmpty() ? null : AlertRow.of(items.get(0));
    } catch (ServiceCallException | DependencyUnavailableException e) {
      return null; // the form still works, without the prefill
    }
  }

  private static String at(List<String> list, int i, String otherwise) {
    return list != null && i < list.size() && list.get(i) != null ? list.get(i) : otherwise;
  }


  private static Map<String, Duration> durations() {
    Map<String, Duration> m = new LinkedHashMap<>();
    m.put("30m", Duration.ofMinutes(30));
    m.put("1h", Duration.ofHours(1));
    m.put("4h", Duration.ofHours(4));
    m.put("12h", Duration.ofHours(12));
    m.put("1d", Duration.ofDays(1));
    m.put("3d", Duration.ofDays(3));
    m.put("7d", Duration.ofDays(7));
    return java.util.Collections.unmodifiableMap(m);
  }
}
