package io.vigil.console.catalog;

import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.services.ServiceCallException;
import io.vigil.console.downstream.Downstream;
import io.vigil.console.downstream.Part;
import io.vigil.console.system.Maps;
import io.vigil.console.system.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The catalog: the access config's namespaces with their metrics, dimensions, periods and event
 * types (every token reads them), and the cmdb's knowledge search over namespaces, metrics, the
 * user's policies and instances.
 */
@Controller
public class CatalogController {

  static final int MAX_QUERY = 500;

  private final Downstream downstream;
  private final DependencyMetrics metrics;

  public CatalogController(Downstream downstream, DependencyMetrics metrics) {
    this.downstream = downstream;
    this.metrics = metrics;
  }

  /** A namespace as the catalog shows it. */
  public record NamespaceRow(String name, String description, String tenantDimension, List<String> required,
      List<String> optional, List<Map<String, Object>> metrics, List<Object> periods, List<Object> eventTypes) {}

  @io.swagger.v3.oas.annotations.Operation(summary = "The catalog: namespaces, metrics and dimensions, and the knowledge search (q)")
  @GetMapping("/catalog")
  public String catalog(@RequestParam(required = false) String q, Model model) {
    model.addAttribute("user", Downstream.user());
    model.addAttribute("q", q);
    model.addAttribute("namespaces", Part.load(metrics, "policy", "the namespaces", this::namespaces));
    if (q != null && !q.isBlank()) {
      if (q.length() > MAX_QUERY) {
        model.addAttribute("hits", new Part<>(Map.of("error", "at most " + MAX_QUERY + " characters"), null));
      } else {
        model.addAttribute("hits", Part.load(metrics, "cmdb", "the knowledge search", () -> {
          try {
            return downstream.getMap("cmdb", Downstream.uri(Downstream.path("v1", "knowledge", "search")
                .queryParam("q", q.strip()).queryParam("limit", 20)));
          } catch (ServiceCallException e) {
            if (e.status() == 400) {
              return Map.<String, Object>of("error", Problem.describe(e));
            }
            throw e;
          }
        }));
      }
    }
    return "catalog";
  }

  @SuppressWarnings("unchecked")
  private List<NamespaceRow> namespaces() {
    Map<String, Object> page = downstream.getMap("policy", Downstream.uri(Downstream.path("v1", "namespaces")
        .queryParam("limit", 1000)));
    List<NamespaceRow> rows = new ArrayList<>();
    for (Object o : Maps.list(page.get("items"))) {
      Map<String, Object> spec = Maps.map(Maps.map(o).get("spec"));
      rows.add(new NamespaceRow(String.valueOf(spec.get("name")), (String) spec.get("description"),
          spec.get("tenantDimension") == null ? "appid" : String.valueOf(spec.get("tenantDimension")),
          Maps.list(spec.get("requiredDimensions")).stream().map(String::valueOf).toList(),
          Maps.list(spec.get("optionalDimensions")).stream().map(String::valueOf).toList(),
          Maps.list(spec.get("metrics")).stream().map(m -> (Map<String, Object>) m).toList(),
          Maps.list(spec.get("periods")), Maps.list(spec.get("eventTypes"))));
    }
    return rows;
  }
}
