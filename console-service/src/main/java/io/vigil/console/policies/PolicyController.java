package io.vigil.console.policies;

import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.services.ServiceCallException;
import io.vigil.console.downstream.Changes;
import io.vigil.console.downstream.Downstream;
import io.vigil.console.downstream.Part;
import io.vigil.console.security.ConsoleUser;
import io.vigil.console.system.Maps;
import io.vigil.console.system.Matchers;
import io.vigil.console.system.Problem;
import io.vigil.console.system.TenantNames;
import io.vigil.console.system.UserZone;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Policies of a tenant: search and list; create and edit with a filter builder whose fields are the
 * namespace's dimensions and whose functions are the nine of common's filters; the control plane's
 * refusals beside their fields; a dry run (the detector's backtest of the unsaved form over the last
 * hour); enable and disable; the audit trail of changes.
 */
@Controller
public class PolicyController {

  static final int PAGE = 100;
  static final int DRY_RUN_MINUTES = 60;

  private final Downstream downstream;
  private final DependencyMetrics metrics;

  public PolicyController(Downstream downstream, DependencyMetrics metrics) {
    this.downstream = downstream;
    this.metrics = metrics;
  }

  /** A policy as listed. */
  public record PolicyRow(String id, long version, String name, String namespace, String severity, boolean enabled,
      int conditions, String updatedBy, long updatedAtMs) {}

  /** A page of the list and the cursor of the next one. */
  public record PolicyPage(List<PolicyRow> rows, String nextCursor) {}

  /** What the form offers for the chosen namespace. */
  public record Fields(List<String> metrics, List<String> dimensions, List<Integer> periods) {
    static final Fields NONE = new Fields(List.of(), List.of(), List.of(60, 300, 900, 3600, 86400));
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "A tenant's policies, by name prefix and namespace, a page at a time")
  @GetMapping("/policies")
  public String list(@RequestParam(required = false) String tenant, @RequestParam(required = false) String name,
      @RequestParam(required = false) String namespace, @RequestParam(required = false) String cursor,
      HttpServletRequest request, Model model) {
    ConsoleUser user = Downstream.user();
    String t = TenantNames.orDefault(tenant, user);
    model.addAttribute("user", user);
    model.addAttribute("tenant", t);
    model.addAttribute("name", name);
    model.addAttribute("namespace", namespace);
    model.addAttribute("zone", UserZone.of(request));
    if (t == null || !TenantNames.valid(t)) {
      if (t != null) {
        model.addAttribute("failure", "tenant: letters, digits, '_' and '-'");
      }
      model.addAttribute("policies", new Part<>(new PolicyPage(List.of(), null), null));
      return "policies";
    }
    model.addAttribute("policies", Part.load(metrics, "policy", "the policies", () -> {
      UriComponentsBuilder b = Downstream.path("v1", "tenants", t, "policies").queryParam("limit", PAGE);
      if (name != null && !name.isBlank()) {
        b.queryParam("name", name.strip());
      }
      if (namespace != null && !namespace.isBlank()) {
        b.queryParam("namespace", namespace.strip());
      }
      if (cursor != null && !cursor.isBlank()) {
        b.queryParam("cursor", cursor);
      }
      try {
        Map<String, Object> page = downstream.getMap("policy", Downstream.uri(b));
        List<PolicyRow> rows = new ArrayList<>();
        for (Object o : Maps.list(page.get("items"))) {
          Map<String, Object> item = Maps.map(o);
          Map<String, Object> spec = Maps.map(item.get("spec"));
          rows.add(new PolicyRow(String.valueOf(item.get("id")), Maps.num(item.get("version")), (String) spec.get("name"),
              (String) spec.get("namespace"), (String) spec.get("severity"), !Boolean.FALSE.equals(spec.get("enabled")),
              Maps.list(spec.get("conditions")).size(), (String) item.get("updatedBy"),
              Maps.num(item.get("updatedAtMs"))));
        }
        return new PolicyPage(rows, (String) page.get("nextCursor"));
      } catch (ServiceCallException e) {
        if (e.status() == 400) {
          model.addAttribute("failure", Problem.describe(e));
          return new PolicyPage(List.of(), null);
        }
        throw e;
      }
    }));
    return "policies";
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "The policy editor, empty (a tenant and namespace may be preset)")
  @GetMapping("/policies/new")
  public String create(@RequestParam(required = false) String tenant, @RequestParam(required = false) String namespace,
      Model model) {
    ConsoleUser user = Downstream.user();
    PolicyForm form = new PolicyForm();
    form.setTenant(TenantNames.orDefault(tenant, user) == null ? ""
        : TenantNames.orDefault(tenant, user));
    form.setNamespace(namespace == null ? "" : namespace.strip());
    return page(model, user, form, Map.of());
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "The policy editor on a stored policy")
  @GetMapping("/policies/edit")
  public String edit(@RequestParam String tenant, @RequestParam String id, Model model) {
    ConsoleUser user = Downstream.user();
    Map<String, Object> view = stored(tenant, id);
    PolicyForm form = PolicyForm.of(tenant, id, Maps.num(view.get("version")), Maps.map(view.get("spec")));
    model.addAttribute("updatedBy", view.get("updatedBy"));
    return page(model, user, form, Map.of());
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "Create a policy, or update the one opened (If-Match its version); errors shown beside their fields")
  @PostMapping("/policies/save")
  public String save(@org.springdoc.core.annotations.ParameterObject @ModelAttribute("form") PolicyForm form, Model model, RedirectAttributes redirect) {
    ConsoleUser user = Downstream.user();
    if (!TenantNames.valid(form.getTenant())) {
      return page(model, user, form, Map.of("tenant", "a tenant id: letters, digits, '_' and '-'"));
    }
    boolean existing = form.getId() != null && !form.getId().isBlank();
    Map<String, String> errors = new LinkedHashMap<>();
    try {
      Map<String, Object> stored = existing ? Maps.map(stored(form.getTenant(), form.getId()).get("spec")) : Map.of();
      Map<String, Object> spec = form.toSpec(stored, errors);
      if (!errors.isEmpty()) {
        return page(model, user, form, errors);
      }
      Map<?, ?> saved = existing
          ? downstream.sendIfMatch("policy", HttpMethod.PUT, Downstream.uri(Downstream.path("v1", "tenants",
              form.getTenant(), "policies", form.getId())), spec, form.getVersion(), Map.class)
          : downstream.send("policy", HttpMethod.POST, Downstream.uri(Downstream.path("v1", "tenants", form.getTenant(),
              "policies")), spec, Map.class);
      redirect.addFlashAttribute("notice", (existing ? "Saved" : "Created") + " policy " + form.getName()
          + " (version " + saved.get("version") + "); the detectors take it up within seconds.");
      return "redirect:" + Downstream.uri(Downstream.path("policies", "edit").queryParam("tenant", form.getTenant())
          .queryParam("id", String.valueOf(saved.get("id"))));
    } catch (ServiceCallException e) {
      Map<String, String> refused = Problem.fieldErrors(e);
      if (e.status() == 412 || e.status() == 409 && (refused.isEmpty() || refused.containsKey("If-Match"))) {
        errors.put("", "Someone changed this policy since you opened it. Reload it to see their change;"
            + " your edits are still in this form.");
      } else if (e.status() == 400 || e.status() == 409 || e.status() == 422) {
        Problem.fieldErrors(e).forEach((field, reason) -> errors.merge(form.formField(field), reason,
            (a, b) -> a + "; " + b));
        if (errors.isEmpty()) {
          errors.put("", Problem.describe(e));
        }
      } else {
        throw e;
      }
    } catch (DependencyUnavailableException e) {
      metrics.degraded("console", "policy_unavailable");
      errors.put("", "policy-service is not answering: nothing was saved. Your edits are still in this form.");
    }
    return page(model, user, form, errors);
  }

  /** The detector's backtest of the form as it stands (saved or not) over the last hour. */
  @io.swagger.v3.oas.annotations.Operation(summary = "The detector's backtest of the form as it stands over the last hour")
  @PostMapping("/policies/dry-run")
  public String dryRun(@org.springdoc.core.annotations.ParameterObject @ModelAttribute("form") PolicyForm form, HttpServletRequest request, Model model) {
    Map<String, String> errors = new LinkedHashMap<>();
    Map<String, Object> spec = form.toSpec(Map.of(), errors);
    model.addAttribute("zone", UserZone.of(request));
    if (!errors.isEmpty() || !TenantNames.valid(form.getTenant())) {
      model.addAttribute("dryRun", new Part<>(Map.of("error", errors.isEmpty() ? "a valid tenant first"
          : String.join("; ", Problem.lines(errors))), null));
      return dryRunView(request, model, form);
    }
    model.addAttribute("dryRun", Part.load(metrics, "detector", "the dry run", () -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("tenant", form.getTenant());
      body.put("policy", spec);
      body.put("minutes", DRY_RUN_MINUTES);
      try {
        return Maps.map(downstream.postToDetector(shardOf(form.getNamespace()),
            Downstream.uri(Downstream.path("v1", "backtest")), body, Map.class));
      } catch (ServiceCallException e) {
        if (e.status() == 400 || e.status() == 422) {
          List<String> lines = new ArrayList<>();
          Problem.fieldErrors(e).forEach((f, r) -> lines.add(form.formField(f.replaceFirst("^policy\\.", ""))
              + ": " + r));
          return Map.of("error", lines.isEmpty() ? Problem.describe(e) : String.join("; ", lines));
        }
        throw e;
      }
    }));
    return dryRunView(request, model, form);
  }

  /** The result alone for htmx; the whole form with it below for a browser without script. */
  private String dryRunView(HttpServletRequest request, Model model, PolicyForm form) {
    return "true".equals(request.getHeader("HX-Request")) ? "policy-form :: dry-run"
        : page(model, Downstream.user(), form, Map.of());
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "Enable or disable a policy (the version seen)")
  @PostMapping("/policies/enabled")
  public String enable(@RequestParam String tenant, @RequestParam String id, @RequestParam boolean enabled,
      RedirectAttributes redirect) {
    Changes.flash(metrics, redirect, "policy", "Not changed", () -> {
      Map<String, Object> view = stored(tenant, id);
      Map<String, Object> spec = new LinkedHashMap<>(Maps.map(view.get("spec")));
      spec.put("enabled", enabled);
      downstream.sendIfMatch("policy", HttpMethod.PUT, Downstream.uri(Downstream.path("v1", "tenants", tenant,
          "policies", id)), spec, Maps.num(view.get("version")), Map.class);
      return "Policy " + spec.get("name") + (enabled ? " enabled." : " disabled: its open alerts resolve"
          + " (policy_disabled).");
    });
    return "redirect:" + Downstream.uri(Downstream.path("policies").queryParam("tenant", tenant));
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "A policy's history of changes (the audit trail)")
  @GetMapping("/policies/audit")
  public String audit(@RequestParam String tenant, @RequestParam String id, HttpServletRequest request, Model model) {
    ConsoleUser user = Downstream.user();
    Map<String, Object> view = stored(tenant, id);
    model.addAttribute("user", user);
    model.addAttribute("tenant", tenant);
    model.addAttribute("id", id);
    model.addAttribute("policyName", Maps.map(view.get("spec")).get("name"));
    model.addAttribute("zone", UserZone.of(request));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> entries = downstream.get("policy", Downstream.uri(Downstream.path("v1", "tenants", tenant,
        "policies", id, "audit").queryParam("limit", 200)), List.class);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Map<String, Object> e : entries) {
      Map<String, Object> row = new LinkedHashMap<>(e);
      row.put("changed", changedKeys(Maps.map(e.get("before")), Maps.map(e.get("after"))));
      rows.add(row);
    }
    model.addAttribute("entries", rows);
    return "policy-audit";
  }

  /** The top-level fields of a spec that a change touched (the object itself or under spec). */
  static List<String> changedKeys(Map<String, Object> before, Map<String, Object> after) {
    Map<String, Object> b = before.containsKey("spec") ? Maps.map(before.get("spec")) : before;
    Map<String, Object> a = after.containsKey("spec") ? Maps.map(after.get("spec")) : after;
    TreeSet<String> keys = new TreeSet<>(b.keySet());
    keys.addAll(a.keySet());
    keys.removeIf(k -> java.util.Objects.equals(b.get(k), a.get(k)));
    return List.copyOf(keys);
  }

  private Map<String, Object> stored(String tenant, String id) {
    if (!TenantNames.valid(tenant) || !TenantNames.validId(id)) {
      throw new ServiceCallException("console", 404, "no such policy");
    }
    return downstream.getMap("policy", Downstream.uri(Downstream.path("v1", "tenants", tenant, "policies", id)));
  }

  private String page(Model model, ConsoleUser user, PolicyForm form, Map<String, String> errors) {
    model.addAttribute("user", user);
    model.addAttribute("form", form.padded(3));
    model.addAttribute("errors", errors);
    model.addAttribute("functions", Matchers.FUNCTIONS);
    model.addAttribute("namespaces", Part.load(metrics, "policy", "the namespaces", this::namespaces));
    model.addAttribute("fields", form.getNamespace() == null || form.getNamespace().isBlank() ? Fields.NONE
        : fields(form.getNamespace()));
    return "policy-form";
  }

  private List<String> namespaces() {
    Map<String, Object> page = downstream.getMap("policy", Downstream.uri(Downstream.path("v1", "namespaces")
        .queryParam("limit", 1000)));
    List<String> names = new ArrayList<>();
    for (Object o : Maps.list(page.get("items"))) {
      Object name = Maps.map(Maps.map(o).get("spec")).get("name");
      names.add(name != null ? String.valueOf(name) : String.valueOf(Maps.map(o).get("id")));
    }
    return names;
  }

  /**
   * The shard the access config puts a namespace on, whose detector judges its policies; null (the
   * default detector) when the namespace cannot be read: the backtest reads only storage's series.
   */
  private String shardOf(String namespace) {
    if (!downstream.routesDetectorShards() || namespace == null || !TenantNames.validNamespace(namespace.strip())) {
      return null;
    }
    try {
      Object shard = Maps.map(downstream.getMap("policy", Downstream.uri(
          Downstream.path(("v1/namespaces/" + namespace.strip()).split("/")))).get("spec")).get("shard");
      return shard == null ? null : String.valueOf(shard);
    } catch (ServiceCallException | DependencyUnavailableException e) {
      metrics.degraded("console", "shard_unknown");
      return null;
    }
  }

  /** The namespace's metrics, dimensions and periods; none when it cannot be read (the form still works). */
  private Fields fields(String namespace) {
    if (!TenantNames.validNamespace(namespace.strip())) {
      return Fields.NONE; // the control plane names the namespace field when the form is saved
    }
    try {
      Map<String, Object> spec = Maps.map(downstream.getMap("policy", Downstream.uri(
          Downstream.path(("v1/namespaces/" + namespace.strip()).split("/")))).get("spec"));
      List<String> dims = new ArrayList<>();
      Maps.list(spec.get("requiredDimensions")).forEach(d -> dims.add(String.valueOf(d)));
      Maps.list(spec.get("optionalDimensions")).forEach(d -> dims.add(String.valueOf(d)));
      List<String> metricNames = Maps.list(spec.get("metrics")).stream()
          .map(m -> String.valueOf(Maps.map(m).get("name"))).toList();
      List<Integer> periods = Maps.list(spec.get("periods")).stream()
          .map(p -> p instanceof Number n ? n.intValue() : 0).filter(p -> p > 0).toList();
      return new Fields(metricNames, dims, periods.isEmpty() ? Fields.NONE.periods() : periods);
    } catch (ServiceCallException | DependencyUnavailableException e) {
      return Fields.NONE;
    }
  }

}
