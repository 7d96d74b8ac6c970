package io.vigil.console.alerts;

import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.services.ServiceCallException;
import io.vigil.console.downstream.Changes;
import io.vigil.console.downstream.Downstream;
import io.vigil.console.downstream.Part;
import io.vigil.console.system.Back;
import io.vigil.console.system.Problem;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Firing now: the open alerts of the user's tenants, most severe and then oldest first (storage's
 * order), filtered by tenant, namespace, policy, severity and status; the rows refresh by themselves
 * (htmx, every 15 s) and each row can be acknowledged or silenced.
 */
@Controller
public class FiringController {


  private final Downstream downstream;
  private final DependencyMetrics metrics;
  private final Clock clock;

  private final SilenceMutes mutes;

  public FiringController(Downstream downstream, DependencyMetrics metrics, Clock clock, SilenceMutes mutes) {
    this.downstream = downstream;
    this.metrics = metrics;
    this.clock = clock;
    this.mutes = mutes;
  }

  /**
   * What the rows show: the alerts, the total open, what went wrong with the filters, which alerts an
   * active silence mutes (alert key to silence id), and why that is unknown when it is.
   */
  public record Rows(List<AlertRow> alerts, long total, List<String> problems, Map<String, String> mutedBy,
      String silencesUnknown) {

    Rows(List<AlertRow> alerts, long total, List<String> problems) {
      this(alerts, total, problems, Map.of(), null);
    }
  }



  @io.swagger.v3.oas.annotations.Operation(summary = "Firing now: the open alerts of the user's tenants, filtered")
  @GetMapping("/")
  public String firing(@org.springdoc.core.annotations.ParameterObject @ModelAttribute("filter") AlertFilter filter, Model model) {
    rows(filter, model);
    model.addAttribute("user", Downstream.user());
    return "firing";
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "Firing now's rows alone (the htmx refresh)")
  @GetMapping("/alerts/rows")
  public String rowsOnly(@org.springdoc.core.annotations.ParameterObject @ModelAttribute("filter") AlertFilter filter, Model model) {
    rows(filter, model);
    return "firing :: rows";
  }

  private void rows(AlertFilter filter, Model model) {
    model.addAttribute("nowMs", clock.millis());
    List<String> problems = filter.problems();
    if (!problems.isEmpty()) {
      model.addAttribute("rows", new Part<>(new Rows(List.of(), 0, problems), null));
      return;
    }
    model.addAttribute("rows", Part.load(metrics, "storage", "the open alerts", () -> {
      try {
        Map<String, Object> page = downstream.getMap("storage",
            Downstream.uri(filter.addTo(Downstream.path("v1", "alerts", "open")).queryParam("limit", filter.limit())));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) page.getOrDefault("items", List.of());
        long total = page.get("total") instanceof Number n ? n.longValue() : items.size();
        List<AlertRow> alerts = items.stream().map(AlertRow::of).toList();
        SilenceMutes.Muted muted = mutes.of(alerts);
        return new Rows(alerts, total, List.of(), muted.byAlert(), muted.unknownTenants().isEmpty() ? null
            : "Whether a silence mutes the alerts of " + String.join(", ", muted.unknownTenants()) + " is unknown"
            + " just now: " + muted.reason() + ".");
      } catch (ServiceCallException e) {
        if (e.status() == 400 || e.status() == 403) {
          return new Rows(List.of(), 0, List.of(Problem.describe(e)));
        }
        throw e;
      }
    }));
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "Acknowledge an alert")
  @PostMapping("/alerts/ack")
  public String acknowledge(@RequestParam String alertKey, @RequestParam(required = false) String comment,
      @RequestParam(required = false) String back, RedirectAttributes redirect) {
    Changes.flash(metrics, redirect, "notifier", "Not acknowledged", () -> {
      Map<?, ?> answer = downstream.send("notifier", HttpMethod.POST, Downstream.uri(Downstream.path("v1", "alerts", "ack")),
          comment == null || comment.isBlank() ? Map.of("alertKey", alertKey) : Map.of("alertKey", alertKey,
              "comment", comment), Map.class);
      return "Acknowledged by " + answer.get("ackBy") + ": repeats and escalations of this alert stop.";
    });
    return "redirect:" + Back.safe(back);
  }
}
