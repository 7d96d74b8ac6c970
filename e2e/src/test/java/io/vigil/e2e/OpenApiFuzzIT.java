package io.vigil.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.semantics.RequestSigning;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.VigilTestInitializer;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import tools.jackson.databind.JsonNode;

/**
 * Bad input on every route of every service's OpenAPI document, against the running platform:
 * malformed JSON, bodies that are not objects, each property of the request schema given a value of
 * the wrong type, missing and unknown fields, an oversize body, deep nesting, unicode edge cases,
 * junk in every query parameter, and bad or missing credentials. Signed routes are signed with a real
 * product credential through common's signer, so the fuzz reaches validation rather than stopping at
 * the signature. Every answer must be a 4xx (or, for junk in an optional filter, a plain success), a
 * 4xx must be problem+json naming no exception (the Prometheus-compatible read API answers in
 * Prometheus's error shape, the acknowledgement pages in HTML), nothing may take more than the HTTP
 * client's 20 s, and the control plane's objects are the same afterwards.
 *
 * <p>Isolated: it compares the stored objects before and after, which the other classes change.
 */
@Isolated
class OpenApiFuzzIT {

  private static final Pattern PATH_VARIABLE = Pattern.compile("\\{([^}]+)}");
  /** The services that must publish a document; the aggregator serves no API of its own. */
  private static final List<String> DOCUMENTED = List.of("policy", "gateway", "storage", "detector", "notifier",
      "cmdb");
  private static final String[] JUNK = {"x", "-1", "99999999999999999999", "", "1e400", "\u0000", "\ud83d\ude00",
      "\u202e", "' OR 1=1 --", "../../etc/passwd"};
  /** Bodies no route takes. */
  private static final String[] MALFORMED = {"", "{\"name\": ", "{\"name\": \"x\",}", "{'name': 'x'}"};
  /**
   * Bodies a route may take as "nothing to do" (an empty list to a batch) but most refuse; none may
   * make a 5xx, and a refusal is a problem.
   */
  private static final String[] ODD = {"null", "[]", "\"text\"", "42", "{}", "{\"__unknown__\": 1}",
      "{\"name\": \"\\ud800\"}", "{\"name\": \"\\u0000\"}", "{\"name\": \"e\\u0301\\u202e\\ud83d\\ude00\"}"};

  private Platform platform;
  private Onboarded product;
  private final List<String> failures = new ArrayList<>();
  private int requests;

  @Test
  void noBadInputOnAnyDocumentedRouteMakesA5xxOrChangesStoredData() {
    platform = Platform.shared();
    product = Onboarded.register(platform, "fuzz", "fuzz/app", """
        {"name": "fuzz/app", "requiredDimensions": ["instance"], "metrics": [{"name": "m"}]}""", "m",
        Map.of("appid", "fz", "instance", "i-1"), 1.0);
    Map<String, String> before = snapshot();

    for (String app : DOCUMENTED) {
      // read with a key: where a service keeps its document to callers (storage), the admin is one
      Http http = platform.http(app);
      HttpResponse<String> docs = http.send(http.request("/v3/api-docs")
          .header("Authorization", "Bearer " + VigilTestInitializer.PLATFORM_ADMIN_KEY).GET().build());
      assertThat(docs.statusCode()).as("%s publishes its OpenAPI document", app).isEqualTo(200);
      JsonNode doc = Http.json(docs);
      JsonNode paths = doc.path("paths");
      assertThat(paths.size()).as("%s documents its routes", app).isPositive();
      for (String path : paths.propertyNames()) {
        for (String method : paths.path(path).propertyNames()) {
          fuzz(app, doc, path, method.toUpperCase(), paths.path(path).path(method));
        }
      }
    }
    assertThat(requests).as("requests sent").isGreaterThan(1000);
    assertThat(failures).as("answers that broke the contract (of %d requests)", requests).isEmpty();
    assertThat(snapshot()).as("the control plane's objects after the fuzz").isEqualTo(before);
  }

  private void fuzz(String app, JsonNode doc, String template, String method, JsonNode op) {
    String path = concrete(template);
    JsonNode schema = requestSchema(doc, op);
    String mediaType = op.path("requestBody").path("content").propertyNames().stream().findFirst().orElse(null);
    if (mediaType != null && !mediaType.contains("json")) {
      check(app, method, template, "garbage " + mediaType, send(app, method, path, "\u0001\u0002garbage", mediaType),
          true);
    } else if (mediaType != null) {
      for (String body : MALFORMED) {
        check(app, method, template, body, send(app, method, path, body, "application/json"), true);
      }
      for (String body : ODD) {
        check(app, method, template, body, send(app, method, path, body, "application/json"), false);
      }
      for (String body : wrongTypes(schema, doc)) {
        check(app, method, template, body, send(app, method, path, body, "application/json"), true);
      }
      String deep = "[".repeat(5000) + "]".repeat(5000);
      check(app, method, template, "5000 nested arrays", send(app, method, path, deep, "application/json"), true);
      String huge = "{\"name\": \"" + "x".repeat(200_000) + "\"}";
      check(app, method, template, "a 200 KB body", send(app, method, path, huge, "application/json"), true);
      check(app, method, template, "text/plain", send(app, method, path, "name=x", "text/plain"), true);
    }
    for (JsonNode p : op.path("parameters")) {
      if (!"query".equals(p.path("in").asString())) {
        continue;
      }
      for (String junk : JUNK) {
        String q = path + "?" + p.path("name").asString() + "=" + URLEncoder.encode(junk, StandardCharsets.UTF_8);
        // junk in an optional free-text filter may simply match nothing
        check(app, method, template, p.path("name").asString() + "=" + junk,
            send(app, method, q, mediaType == null ? null : "{}", "application/json"), false);
      }
    }
    if (!isPublic(app, template)) {
      check(app, method, template, "no credential", sendAs(app, method, path, "{}", "application/json", null), true);
      check(app, method, template, "a wrong credential",
          sendAs(app, method, path, "{}", "application/json", "vigil-not-a-key"), true);
    }
  }

  /** The request body's schema, its {@code $ref} resolved; a missing node when the route takes none. */
  private static JsonNode requestSchema(JsonNode doc, JsonNode op) {
    JsonNode content = op.path("requestBody").path("content");
    JsonNode schema = content.path("application/json").path("schema");
    return resolve(doc, schema);
  }

  private static JsonNode resolve(JsonNode doc, JsonNode schema) {
    String ref = schema.path("$ref").asString("");
    if (ref.startsWith("#/components/schemas/")) {
      return doc.path("components").path("schemas").path(ref.substring("#/components/schemas/".length()));
    }
    return schema;
  }

  /** For each property of the schema, a body where it alone has a value of the wrong type. */
  private static List<String> wrongTypes(JsonNode schema, JsonNode doc) {
    List<String> bodies = new ArrayList<>();
    JsonNode properties = schema.path("properties");
    for (String name : properties.propertyNames()) {
      JsonNode property = resolve(doc, properties.path(name));
      String type = property.path("type").asString(property.has("properties") ? "object" : "string");
      String wrong = switch (type) {
        case "string" -> "{\"nested\": [1, 2]}";
        case "integer", "number" -> "\"not a number\"";
        case "boolean" -> "\"maybe\"";
        case "array" -> "{\"not\": \"a list\"}";
        default -> "[\"not\", \"an object\"]";
      };
      bodies.add("{\"" + name + "\": " + wrong + "}");
    }
    return bodies;
  }

  private static String concrete(String template) {
    Matcher m = PATH_VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = switch (m.group(1)) {
        case "tenant" -> "fz";
        case "product" -> "fuzz-none";
        case "family" -> "none";
        case "region" -> "local";
        default -> "fz_none_1";
      };
      m.appendReplacement(out, value);
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Routes anyone may call: the documents, the Alertmanager intake's own key check aside, ack pages. */
  private static boolean isPublic(String app, String template) {
    return template.startsWith("/v3/api-docs") || template.startsWith("/v1/ack-links/");
  }

  private HttpResponse<String> send(String app, String method, String pathAndQuery, String body, String type) {
    return sendAs(app, method, pathAndQuery, body, type, "");
  }

  /**
   * {@code key} "" is the right credential for the route, null none, anything else that as a bearer key.
   * A 503 (a dependency not ready: an index created a moment ago has no shard yet) is asked again after
   * a pause, twice at most: what the input causes does not go away by waiting.
   */
  private HttpResponse<String> sendAs(String app, String method, String pathAndQuery, String body, String type,
      String key) {
    HttpResponse<String> r = sendOnce(app, method, pathAndQuery, body, type, key);
    for (int retry = 0; retry < 2 && r.statusCode() == 503; retry++) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return r;
      }
      r = sendOnce(app, method, pathAndQuery, body, type, key);
    }
    return r;
  }

  private HttpResponse<String> sendOnce(String app, String method, String pathAndQuery, String body, String type,
      String key) {
    requests++;
    Http http = platform.http(app);
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    HttpRequest.Builder b = http.request(pathAndQuery)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
    if (body != null) {
      b.header("Content-Type", type);
    }
    if (pathAndQuery.startsWith("/mcp")) {
      b.header("Accept", "application/json, text/event-stream"); // as an MCP client sends: the fuzz gets past it
    }
    if (key == null) {
      return http.send(b.build());
    }
    if (!key.isEmpty()) {
      return http.send(b.header("Authorization", "Bearer " + key).build());
    }
    if (app.equals("gateway")) {
      int q = pathAndQuery.indexOf('?');
      String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
      Map<String, List<String>> query = RequestSigning.query(q < 0 ? null : pathAndQuery.substring(q + 1));
      long ts = System.currentTimeMillis();
      String nonce = "fz-" + UUID.randomUUID();
      String signature = RequestSigning.sign(product.secret,
          new RequestSigning.Request(method, path, query, ts, nonce, bytes));
      return http.send(b.header("Authorization", RequestSigning.authorization(product.keyId, signature))
          .header(RequestSigning.TIMESTAMP_HEADER, Long.toString(ts)).header(RequestSigning.NONCE_HEADER, nonce)
          .build());
    }
    return http.send(b.header("Authorization", "Bearer " + VigilTestInitializer.PLATFORM_ADMIN_KEY).build());
  }

  private void check(String app, String method, String template, String what, HttpResponse<String> r,
      boolean mustRefuse) {
    int status = r.statusCode();
    String type = r.headers().firstValue("Content-Type").orElse("");
    String where = app + " " + method + " " + template + " with " + abbreviate(what) + " -> " + status + " ";
    if (status >= 500 || (mustRefuse && status < 400)) {
      failures.add(where + abbreviate(r.body()));
      return;
    }
    if (status < 400) {
      return;
    }
    if (r.body().contains("Exception") || r.body().contains("\tat ") || r.body().contains("\"localizedMessage\"")) {
      failures.add(where + "names an exception: " + abbreviate(r.body()));
    } else if (template.startsWith("/api/v1/") && app.equals("storage")) {
      // Prometheus' own shape for what the API judges; a refused credential is the platform's problem
      boolean prometheus = r.body().contains("\"status\":\"error\"") && r.body().contains("\"errorType\"");
      boolean problem = (status == 401 || status == 403) && type.startsWith("application/problem+json");
      if (!prometheus && !problem) {
        failures.add(where + "neither Prometheus's error shape nor a credential problem: " + abbreviate(r.body()));
      }
    } else if (template.equals("/mcp") && app.equals("cmdb")) {
      // the protocol's error for what the MCP guard judges; the platform's problems (credential, size)
      boolean jsonRpc = r.body().contains("\"jsonrpc\":\"2.0\"") && r.body().contains("\"error\"");
      boolean problem = type.startsWith("application/problem+json");
      if (!jsonRpc && !problem) {
        failures.add(where + "neither a JSON-RPC error nor a credential problem: " + abbreviate(r.body()));
      }
    } else if (template.startsWith("/v1/ack-links/")) {
      if (!type.startsWith("text/html") && !type.startsWith("application/problem+json")) {
        failures.add(where + "an acknowledgement page that is neither a page nor a problem: " + type);
      }
    } else if (!type.startsWith("application/problem+json")) {
      failures.add(where + "not problem+json (" + type + "): " + abbreviate(r.body()));
    }
  }

  /** What the control plane holds: every global list, and every list of the fuzz's tenant. */
  private Map<String, String> snapshot() {
    Caller admin = Onboarded.admin(platform);
    Map<String, String> lists = new LinkedHashMap<>();
    for (String path : List.of("/v1/products", "/v1/namespaces", "/v1/tokens", "/v1/products/fuzz/credentials")) {
      lists.put(path, admin.get(path).body());
    }
    for (String kind : List.of("policies", "silences", "inhibition-rules", "users", "user-groups", "webhooks",
        "chat-bots", "oncall-schedules", "templates")) {
      String path = "/v1/tenants/fz/" + kind;
      lists.put(path, admin.get(path).body());
    }
    return lists;
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
