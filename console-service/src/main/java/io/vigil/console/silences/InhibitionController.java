package io.vigil.console.silences;

import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.services.ServiceCallException;
import io.vigil.console.downstream.Changes;
import io.vigil.console.downstream.Downstream;
import io.vigil.console.downstream.Part;
import io.vigil.console.security.ConsoleUser;
import io.vigil.console.system.FormRows;
import io.vigil.console.system.Maps;
import io.vigil.console.system.Matchers;
import io.vigil.console.system.Problem;
import io.vigil.console.system.TenantNames;
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
 * Inhibition rules of a tenant: while an alert matching the source matchers fires, alerts matching
 * the target matchers with equal values of the named labels notify no one. List, create (the
 * control plane's field errors beside the rows), delete.
 */
@Controller
public class InhibitionController {

  private final Downstream downstream;
  private final DependencyMetrics metrics;

  public InhibitionController(Downstream downstream, DependencyMetrics metrics) {
    this.downstream = downstream;
    this.metrics = metrics;
  }

  /** A rule as listed. */
  public record RuleRow(String id, long version, String name, List<Map<String, Object>> source,
      List<Map<String, Object>> target, List<Object> equal, String updatedBy) {}

  @io.swagger.v3.oas.annotations.Operation(summary = "A tenant's inhibition rules")
  @GetMapping("/inhibitions")
  @SuppressWarnings("unchecked")
  public String list(@RequestParam(required = false) String tenant, Model model) {
    ConsoleUser user = Downstream.user();
    String t = TenantNames.orDefault(tenant, user);
    form(model, user, t, "", rows(List.of()), rows(List.of()), "", Map.of());
    if (t == null || !TenantNames.valid(t)) {
      model.addAttribute("rules", new Part<>(List.<RuleRow>of(), null));
      return "inhibitions";
    }
    model.addAttribute("rules", Part.load(metrics, "policy", "the inhibition rules", () -> {
      Map<String, Object> page = downstream.getMap("policy", Downstream.uri(Downstream.path("v1", "tenants", t,
          "inhibition-rules").queryParam("limit", 1000)));
      List<RuleRow> rows = new ArrayList<>();
      for (Object o : Maps.list(page.get("items"))) {
        Map<String, Object> item = Maps.map(o);
        Map<String, Object> spec = Maps.map(item.get("spec"));
        rows.add(new RuleRow(String.valueOf(item.get("id")), Maps.num(item.get("version")), (String) spec.get("name"),
            (List<Map<String, Object>>) (List<?>) Maps.list(spec.get("sourceMatchers")),
            (List<Map<String, Object>>) (List<?>) Maps.list(spec.get("targetMatchers")),
            Maps.list(spec.get("equal")), (String) item.get("updatedBy")));
      }
      return rows;
    }));
    return "inhibitions";
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "Create an inhibition rule; errors shown beside their rows")
  @PostMapping("/inhibitions")
  public String create(@RequestParam(required = false) String tenant, @RequestParam(required = false) String name,
      @RequestParam(name = "sourceField", required = false) List<String> sourceFields,
      @RequestParam(name = "sourceFunction", required = false) List<String> sourceFunctions,
      @RequestParam(name = "sourceValue", required = false) List<String> sourceValues,
      @RequestParam(name = "targetField", required = false) List<String> targetFields,
      @RequestParam(name = "targetFunction", required = false) List<String> targetFunctions,
      @RequestParam(name = "targetValue", required = false) List<String> targetValues,
      @RequestParam(required = false) String equal, Model model, RedirectAttributes redirect) {
    ConsoleUser user = Downstream.user();
    List<Matchers.MatcherRow> source = rows(sourceFields, sourceFunctions, sourceValues);
    List<Matchers.MatcherRow> target = rows(targetFields, targetFunctions, targetValues);
    Map<String, String> errors = new LinkedHashMap<>();
    if (!TenantNames.valid(tenant)) {
      errors.put("tenant", "a tenant id: letters, digits, '_' and '-'");
    } else {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("name", name == null ? "" : name.strip());
      body.put("sourceMatchers", source.stream().filter(r -> !r.field().isBlank()).map(Matchers::matcher)
          .toList());
      body.put("targetMatchers", target.stream().filter(r -> !r.field().isBlank()).map(Matchers::matcher)
          .toList());
      body.put("equal", Maps.split(equal));
      try {
        downstream.send("policy", HttpMethod.POST, Downstream.uri(Downstream.path("v1", "tenants", tenant,
            "inhibition-rules")), body, Map.class);
        redirect.addFlashAttribute("notice", "Inhibition rule " + body.get("name") + " created.");
        return "redirect:" + Downstream.uri(Downstream.path("inhibitions").queryParam("tenant", tenant));
      } catch (ServiceCallException e) {
        List<Boolean> sourceBlanks = source.stream().map(r -> r.field().isBlank()).toList();
        List<Boolean> targetBlanks = target.stream().map(r -> r.field().isBlank()).toList();
        Problem.fieldErrors(e).forEach((field, reason) -> errors.merge(FormRows.formField(FormRows.formField(field,
            "sourceMatchers", sourceBlanks), "targetMatchers", targetBlanks), reason, (a, b) -> a + "; " + b));
        if (errors.isEmpty()) {
          errors.put("", Problem.describe(e));
        }
      } catch (DependencyUnavailableException e) {
        metrics.degraded("console", "policy_unavailable");
        errors.put("", "policy-service is not answering: the rule was not saved.");
      }
    }
    form(model, user, tenant, name, source, target, equal, errors);
    model.addAttribute("rules", new Part<>(List.<RuleRow>of(), null));
    return "inhibitions";
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "Delete an inhibition rule (the version seen)")
  @PostMapping("/inhibitions/delete")
  public String delete(@RequestParam String tenant, @RequestParam String id, @RequestParam long version,
      RedirectAttributes redirect) {
    Changes.flash(metrics, redirect, "policy", "Not deleted", () -> {
      if (!TenantNames.valid(tenant) || !TenantNames.validId(id)) {
        throw new ServiceCallException("console", 404, "no such rule");
      }
      downstream.sendIfMatch("policy", HttpMethod.DELETE, Downstream.uri(Downstream.path("v1", "tenants", tenant,
          "inhibition-rules", id)), null, version, Void.class);
      return "Inhibition rule deleted.";
    });
    return "redirect:" + (TenantNames.valid(tenant) ? Downstream.uri(Downstream.path("inhibitions")
        .queryParam("tenant", tenant)) : "/inhibitions");
  }

  private static void form(Model model, ConsoleUser user, String tenant, String name,
      List<Matchers.MatcherRow> source, List<Matchers.MatcherRow> target, String equal,
      Map<String, String> errors) {
    model.addAttribute("user", user);
    model.addAttribute("tenant", tenant);
    model.addAttribute("name", name);
    model.addAttribute("source", pad(source));
    model.addAttribute("target", pad(target));
    model.addAttribute("equal", equal);
    model.addAttribute("errors", errors);
    model.addAttribute("functions", Matchers.FUNCTIONS);
  }

  private static List<Matchers.MatcherRow> rows(List<String> fields, List<String> functions,
      List<String> values) {
    List<Matchers.MatcherRow> rows = new ArrayList<>();
    for (int i = 0; fields != null && i < fields.size(); i++) {
      rows.add(new Matchers.MatcherRow(fields.get(i) == null ? "" : fields.get(i),
          functions != null && i < functions.size() ? functions.get(i) : "Equal",
          values != null && i < values.size() ? values.get(i) : ""));
    }
    return rows;
  }

  private static List<Matchers.MatcherRow> rows(List<Matchers.MatcherRow> given) {
    return new ArrayList<>(given);
  }

  private static List<Matchers.MatcherRow> pad(List<Matchers.MatcherRow> rows) {
    List<Matchers.MatcherRow> out = new ArrayList<>(rows);
    while (out.size() < 2) {
      out.add(new Matchers.MatcherRow("", "Equal", ""));
    }
    return out;
  }

}
