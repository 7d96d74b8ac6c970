package io.vigil.cmdb.mcp;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpStatelessServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema;
import io.vigil.cmdb.instances.Instance;
import io.vigil.cmdb.instances.InstanceKey;
import io.vigil.cmdb.instances.InstanceService;
import io.vigil.cmdb.knowledge.KnowledgeDoc;
import io.vigil.cmdb.knowledge.KnowledgeSearch;
import io.vigil.common.control.ControlJson;
import io.vigil.common.control.Names;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.error.FieldProblem;
import io.vigil.common.error.Violations;
import io.vigil.common.security.VigilPrincipal;
import io.vigil.common.services.ServiceCallException;
import io.vigil.common.services.ServiceClients;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The MCP tools the cmdb serves to an assistant (the notes' AI workbench): knowledge search and
 * instance look-ups here, and through the owning services' HTTP APIs a tenant's policies, series
 * values and alert history. All read-only; each runs as the caller (its principal for what the
 * cmdb answers, its own key for what the peers answer), so an assistant sees exactly what its user
 * may. A bad argument or a refusal is a tool error the assistant can read, never a protocol error.
 */
public final class VigilTools {

  /** Keys of the transport context, set from the authenticated HTTP request. */
  public static final String PRINCIPAL = "vigil.principal";
  public static final String KEY = "vigil.key";

  private final KnowledgeSearch knowledge;
  private final InstanceService instances;
  private final ServiceClients peers;

  public VigilTools(KnowledgeSearch knowledge, InstanceService instances, ServiceClients peers) {
    this.knowledge = knowledge;
    this.instances = instances;
    this.peers = peers;
  }

  public List<SyncToolSpecification> all() {
    return List.of(
        tool("knowledge_search", "Search what Vigil knows",
            "Ranked namespaces, metric definitions, alert policies and instances for a question in English or"
                + " Chinese, e.g. 'which metric tracks disk latency for CVM'. Exact metric names rank first.",
            schema(Map.of("q", str("what to look for"), "kind", arr("namespace, metric, policy or instance"),
                "limit", integer("1-50, default 10")), "q"),
            this::knowledgeSearch),
        tool("get_instance", "One monitored instance",
            "The attributes and tags of an instance by namespace (product/family), region and instance id.",
            schema(Map.of("namespace", str("product/family, e.g. qce/cvm"), "region", str("e.g. ap-guangzhou"),
                "instanceId", str("the instance's own id")), "namespace", "region", "instanceId"),
            this::getInstance),
        tool("search_instances", "Instances by tag and attribute",
            "Instances of a namespace matching every tag and attribute given (name -> value).",
            schema(Map.of("namespace", str("product/family"), "region", str("a region"), "tags", obj("tag -> value"),
                "attributes", obj("attribute -> value"), "limit", integer("1-100, default 20")), "namespace"),
            this::searchInstances),
        tool("list_policies", "A tenant's alert policies",
            "The alert policies of a tenant, optionally of one namespace (from the control plane).",
            schema(Map.of("tenant", str("the tenant id"), "namespace", str("product/family")), "tenant"),
            this::listPolicies),
        tool("open_alerts", "Alerts firing now",
            "Open alerts, most severe first, optionally of one tenant, namespace or policy (from storage).",
            schema(Map.of("tenant", str("the tenant id"), "namespace", str("product/family"),
                "policyId", str("a policy id"), "limit", integer("1-100, default 20"))),
            this::openAlerts),
        tool("alert_history", "Alert events over time",
            "Alert events (firing, resolved, no data) between two times, optionally of a tenant, namespace or"
                + " policy (from storage).",
            schema(Map.of("fromMs", integer("epoch ms"), "toMs", integer("epoch ms"), "tenant", str("the tenant id"),
                "namespace", str("product/family"), "policyId", str("a policy id"), "limit",
                integer("1-100, default 20")), "fromMs", "toMs"),
            this::alertHistory),
        tool("series_values", "A metric's values over time",
            "A metric's series of one namespace over a time range, downsampled, with optional dimension filters"
                + " such as {\"Function\":\"Equal\",\"Field\":\"instance\",\"Args\":\"ins-1\"} (from storage).",
            schema(Map.of("namespace", str("product/family"), "metric", str("the metric's name"),
                "period", integer("60, 300, 900, 3600 or 86400"), "fromMs", integer("epoch ms"),
                "toMs", integer("epoch ms"), "statistic", str("avg, sum, min, max, count or last"),
                "filters", arr("dimension filters"), "maxPoints", integer("default 100")),
                "namespace", "metric", "period", "fromMs", "toMs"),
            this::seriesValues));
  }

  // ---- the tools

  private Object knowledgeSearch(VigilPrincipal caller, String key, Args a) {
    String q = a.text("q", true, 500);
    Set<KnowledgeDoc.Kind> kinds = EnumSet.noneOf(KnowledgeDoc.Kind.class);
    for (String k : a.list("kind")) {
      try {
        kinds.add(KnowledgeDoc.Kind.valueOf(k.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        a.v.add("kind", "namespace, metric, policy or instance");
      }
    }
    int limit = a.limit(10, 50);
    a.v.throwIfAny();
    return knowledge.search(caller, q, kinds.isEmpty() ? EnumSet.allOf(KnowledgeDoc.Kind.class) : kinds, limit,
        KnowledgeSearch.Mode.AUTO);
  }

  private Object getInstance(VigilPrincipal caller, String key, Args a) {
    String ns = a.text("namespace", true, 96);
    String region = a.text("region", true, 64);
    String id = a.text("instanceId", true, 128);
    a.v.throwIfAny();
    InstanceKey.check(a.v, "", ns, region, id);
    a.v.throwIfAny();
    return instances.get(caller, new InstanceKey(ns, region, id));
  }

  private Object searchInstances(VigilPrincipal caller, String key, Args a) {
    String ns = a.name("namespace", Names.NAMESPACE, true);
    String region = a.name("region", Names.SLUG, false);
    Map<String, String> tags = a.map("tags");
    Map<String, String> attributes = a.map("attributes");
    int limit = a.limit(20, 100);
    a.v.throwIfAny();
    InstanceService.Page page = instances.search(caller, ns, region, null, attributes, tags, null, limit);
    return Map.of("items", page.items());
  }

  private Object listPolicies(VigilPrincipal caller, String key, Args a) {
    String tenant = a.name("tenant", Names.TENANT, true);
    String ns = a.name("namespace", Names.NAMESPACE, false);
    a.v.throwIfAny();
    return peers.client("policy").getAs("/v1/tenants/" + tenant + "/policies?limit=100"
        + (ns == null ? "" : "&namespace=" + ns), key, Map.class);
  }

  private Object openAlerts(VigilPrincipal caller, String key, Args a) {
    StringBuilder q = filters(a);
    int limit = a.limit(20, 100);
    a.v.throwIfAny();
    return peers.client("storage").getAs("/v1/alerts/open?limit=" + limit + q, key, Map.class);
  }

  private Object alertHistory(VigilPrincipal caller, String key, Args a) {
    long from = a.number("fromMs", true);
    long to = a.number("toMs", true);
    StringBuilder q = filters(a);
    int limit = a.limit(20, 100);
    a.v.throwIfAny();
    return peers.client("storage").getAs("/v1/alerts/events?fromMs=" + from + "&toMs=" + to + "&limit=" + limit + q,
        key, Map.class);
  }

  private Object seriesValues(VigilPrincipal caller, String key, Args a) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("namespace", a.name("namespace", Names.NAMESPACE, true));
    body.put("metric", a.text("metric", true, 128));
    body.put("period", a.number("period", true));
    body.put("fromMs", a.number("fromMs", true));
    body.put("toMs", a.number("toMs", true));
    String statistic = a.text("statistic", false, 8);
    if (statistic != null) {
      body.put("statistic", statistic);
    }
    Object filters = a.raw("filters");
    if (filters != null) {
      a.v.check(filters instanceof List<?>, "filters", "a list of filters");
      body.put("filters", filters);
    }
    long maxPoints = a.raw("maxPoints") == null ? 100 : a.number("maxPoints", false);
    body.put("maxPoints", maxPoints);
    a.v.throwIfAny();
    return peers.client("storage").postAs("/v1/series/query", body, key, Map.class);
  }

  private static StringBuilder filters(Args a) {
    StringBuilder q = new StringBuilder();
    String tenant = a.name("tenant", Names.TENANT, false);
    String ns = a.name("namespace", Names.NAMESPACE, false);
    String policy = a.name("policyId", Names.TENANT, false);
    if (tenant != null) {
      q.append("&tenant=").append(tenant);
    }
    if (ns != null) {
      q.append("&namespace=").append(ns);
    }
    if (policy != null) {
      q.append("&policyId=").append(policy);
    }
    return q;
  }

  // ---- plumbing

  /** A tool's work: the caller, the caller's key, the arguments; returns what is answered as JSON. */
  @FunctionalInterface
  interface Work {
    Object run(VigilPrincipal caller, String key, Args args);
  }

  private static SyncToolSpecification tool(String name, String title, String description, Map<String, Object> schema,
      Work work) {
    McpSchema.Tool tool = McpSchema.Tool.builder(name, schema).title(title).description(description).build();
    BiFunction<McpTransportContext, McpSchema.CallToolRequest, McpSchema.CallToolResult> handler = (ctx, request) -> {
      if (!(ctx.get(PRINCIPAL) instanceof VigilPrincipal caller) || !(ctx.get(KEY) instanceof String key)) {
        return error("not authenticated");
      }
      try {
        Object answer = work.run(caller, key, new Args(request.arguments()));
        String json = ControlJson.write(answer);
        return new McpSchema.CallToolResult(List.of(new McpSchema.TextContent(json)), false, null, null);
      } catch (ApiException e) {
        StringBuilder text = new StringBuilder(e.code().code()).append(": ").append(e.getMessage());
        for (FieldProblem p : e.errors()) {
          text.append("; ").append(p.field()).append(": ").append(p.reason());
        }
        return error(text.toString());
      } catch (ServiceCallException e) {
        return error(e.service() + " refused: " + e.getMessage());
      } catch (DependencyUnavailableException e) {
        return error("unavailable, retry later: " + e.getMessage());
      }
    };
    return SyncToolSpecification.builder().tool(tool).callHandler(handler).build();
  }

  private static McpSchema.CallToolResult error(String text) {
    return new McpSchema.CallToolResult(List.of(new McpSchema.TextContent(text)), true, null, null);
  }

  private static Map<String, Object> schema(Map<String, Object> properties, String... required) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("type", "object");
    s.put("properties", properties);
    s.put("required", List.of(required));
    s.put("additionalProperties", false);
    return s;
  }

  private static Map<String, Object> str(String description) {
    return Map.of("type", "string", "description", description);
  }

  private static Map<String, Object> integer(String description) {
    return Map.of("type", "integer", "description", description);
  }

  private static Map<String, Object> arr(String description) {
    return Map.of("type", "array", "description", description);
  }

  private static Map<String, Object> obj(String description) {
    return Map.of("type", "object", "description", description, "additionalProperties", Map.of("type", "string"));
  }

  /** A call's arguments, read with every problem named. */
  static final class Args {
    final Map<String, Object> values;
    final Violations v = new Violations();

    Args(Map<String, Object> values) {
      this.values = values == null ? Map.of() : values;
    }

    Object raw(String name) {
      return values.get(name);
    }

    String text(String name, boolean required, int max) {
      Object o = values.get(name);
      if (o == null) {
        v.check(!required, name, "required");
        return null;
      }
      if (!(o instanceof String s) || s.isBlank() || s.length() > max) {
        v.add(name, "text of 1 to " + max + " characters");
        return null;
      }
      return s.trim();
    }

    String name(String name, java.util.regex.Pattern shape, boolean required) {
      String s = text(name, required, 128);
      if (s != null && !Names.matches(shape, s)) {
        v.add(name, "not a valid " + name);
        return null;
      }
      return s;
    }

    long number(String name, boolean required) {
      Object o = values.get(name);
      if (o == null) {
        v.check(!required, name, "required");
        return 0;
      }
      if (!(o instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
        v.add(name, "a whole number");
        return 0;
      }
      return n.longValue();
    }

    int limit(int dflt, int max) {
      if (values.get("limit") == null) {
        return dflt;
      }
      long n = number("limit", false);
      v.check(n >= 1 && n <= max, "limit", "1 to " + max);
      return (int) Math.max(1, Math.min(max, n));
    }

    List<String> list(String name) {
      Object o = values.get(name);
      List<String> out = new ArrayList<>();
      if (o == null) {
        return out;
      }
      if (!(o instanceof List<?> l)) {
        v.add(name, "a list of text");
        return out;
      }
      for (Object e : l) {
        if (e instanceof String s) {
          out.add(s);
        } else {
          v.add(name, "a list of text");
        }
      }
      return out;
    }

    Map<String, String> map(String name) {
      Object o = values.get(name);
      Map<String, String> out = new LinkedHashMap<>();
      if (o == null) {
        return out;
      }
      if (!(o instanceof Map<?, ?> m)) {
        v.add(name, "an object of name -> value");
        return out;
      }
      m.forEach((k, val) -> {
        if (k instanceof String ks && val instanceof String vs) {
          out.put(ks, vs);
        } else {
          v.add(name, "an object of name -> text value");
        }
      });
      v.check(out.size() <= 8, name, "at most 8");
      return out;
    }
  }
}
