package io.vigil.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bad input on every route of the console's own OpenAPI document ({@code /v3/api-docs}), signed in:
 * junk in every query parameter and every form field (rows of a form included), a body that is not
 * a form, an oversize field; then every route without a session and every form without its CSRF
 * token. No answer may be a 5xx; a refusal is a page ({@code text/html}) naming no exception; the
 * token is in no answer; a form without its CSRF token reaches no peer. The document itself must
 * hold every route the console serves.
 */
class ConsoleFuzzIT extends ConsoleTestSupport {

  private static final String[] JUNK = {"x", "-1", "99999999999999999999", "", "1e400", "\u0000", "\ud83d\ude00",
      "\u202e", "' OR 1=1 --", "../../etc/passwd", "<script>alert(1)</script>", "%zz", "t1\r\nSet-Cookie: a=b"};
  /** For each form field (the editor has some forty): the kinds of junk that differ for a form's binding. */
  private static final String[] FIELD_JUNK = {"", "-1", "99999999999999999999",
      "\u0000\ud83d\ude00<script>alert(1)</script>"};

  /** What a browser asks for. */
  private static final String ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mappings;

  private final HttpClient raw = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final List<String> failures = new ArrayList<>();
  private int requests;

  @Test
  void theDocumentHoldsEveryRouteAndNoBadInputMakesA5xxOrAnExceptionOrLeaksTheToken() throws Exception {
    HttpResponse<String> docs = raw.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v3/api-docs"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(docs.statusCode()).as("the document is public").isEqualTo(200);
    JsonNode doc = JsonMapper.builder().build().readTree(docs.body());
    JsonNode paths = doc.path("paths");

    Set<String> served = new TreeSet<>();
    mappings.getHandlerMethods().keySet().forEach(info -> info.getPatternValues().forEach(p -> info
        .getMethodsCondition().getMethods().forEach(m -> served.add(m.name() + " " + p))));
    served.removeIf(r -> r.contains("/v3/api-docs") || r.endsWith(" /error"));
    Set<String> documented = new TreeSet<>();
    for (String path : paths.propertyNames()) {
      paths.path(path).propertyNames().forEach(m -> documented.add(m.toUpperCase() + " " + path));
    }
    assertThat(documented).as("every route the console serves").containsAll(served).contains("POST /sign-out");
    for (String route : documented) {
      JsonNode op = paths.path(route.substring(route.indexOf(' ') + 1)).path(route.substring(0, route.indexOf(' '))
          .toLowerCase());
      assertThat(op.path("responses").path("403").path("content").has("text/html")).as(route).isTrue();
      assertThat(op.path("responses").toString()).as(route).doesNotContain("problem+json");
      if (route.startsWith("POST ")) {
        assertThat(op.path("requestBody").path("content").path("application/x-www-form-urlencoded").path("schema")
            .path("required").toString()).as(route + " needs its CSRF token").contains("_csrf");
        assertThat(op.path("parameters").toString()).as(route + " takes its fields in the body")
            .doesNotContain("\"in\":\"query\"");
      }
    }

    answerLikeThePlatform();
    browser.signIn(TOKEN);
    browser.get("/");
    for (String route : documented) {
      String method = route.substring(0, route.indexOf(' '));
      String path = route.substring(route.indexOf(' ') + 1);
      if (path.equals("/sign-out")) {
        continue; // fuzzed below, last: it ends the session
      }
      JsonNode op = paths.path(path).path(method.toLowerCase());
      if (method.equals("GET")) {
        for (JsonNode p : op.path("parameters")) {
          for (String junk : JUNK) {
            check(route, p.path("name").asString() + "=" + junk,
                browser.get(path + "?" + enc(p.path("name").asString()) + "=" + enc(junk)));
          }
        }
        check(route, "every parameter junk", browser.get(path + "?" + names(op.path("parameters")).stream()
            .map(n -> enc(n) + "=" + enc("\u0000'\"<>")).collect(Collectors.joining("&"))));
        check(route, "no parameter", browser.get(path));
        String first = names(op.path("parameters")).stream().findFirst().orElse("q");
        checkRaw(route, "a malformed escape", rawGet(path + "?" + first + "=%zz&x=%e2%82"));
      } else {
        JsonNode schema = op.path("requestBody").path("content").path("application/x-www-form-urlencoded")
            .path("schema");
        List<String> fields = formFields(doc, schema);
        for (String field : fields) {
          for (String junk : FIELD_JUNK) {
            check(route, field + "=" + junk, post(path, Map.of(field, junk)));
          }
        }
        Map<String, String> all = new LinkedHashMap<>();
        fields.forEach(f -> all.put(f, "\u202e' OR 1=1 --"));
        check(route, "every field junk", post(path, all));
        check(route, "no field", post(path, Map.of()));
        check(route, "a 200 KB field", post(path, Map.of(fields.isEmpty() ? "x" : fields.get(0), "x".repeat(200_000))));
        check(route, "a JSON body", send("POST", path, "{\"tenant\": [1, 2]}", "application/json", true));
        check(route, "garbage", send("POST", path, "\u0001\u0002garbage=%%%&&==", "application/x-www-form-urlencoded",
            true));
        check(route, "a malformed escape beside the CSRF field", send("POST", path, "_csrf=" + enc(browser.lastCsrf)
            + "&tenant=%zz&id=%e2%82", "application/x-www-form-urlencoded", false));
      }
      HttpResponse<String> after = browser.get("/"); // and a fresh CSRF token, should a route have replaced it
      if (after.statusCode() != 200) {
        failures.add(route + " ended the fuzz's session: / answered " + after.statusCode());
        browser.signIn(TOKEN);
        browser.get("/");
      }
    }

    PEERS.calls.clear();
    for (String route : documented) {
      String method = route.substring(0, route.indexOf(' '));
      String path = route.substring(route.indexOf(' ') + 1);
      if (method.equals("POST")) {
        HttpResponse<String> noCsrf = send("POST", path, "tenant=t1&id=x&alertKey=k-1", "application/x-www-form-urlencoded",
            false);
        if (noCsrf.statusCode() != 403) {
          failures.add(route + " without its CSRF token -> " + noCsrf.statusCode());
        }
      }
    }
    assertThat(PEERS.calls).as("a form without its CSRF token reaches no peer").isEmpty();

    Browser stranger = new Browser(port);
    for (String route : documented) {
      String method = route.substring(0, route.indexOf(' '));
      String path = route.substring(route.indexOf(' ') + 1);
      if (path.equals("/sign-in")) {
        continue;
      }
      HttpResponse<String> r = method.equals("GET") ? stranger.get(path) : stranger.post(path, Map.of("tenant", "t1"),
          false);
      boolean toSignIn = r.statusCode() == 302 && r.headers().firstValue("Location").orElse("").endsWith("/sign-in");
      if (!toSignIn && r.statusCode() != 403) {
        failures.add(route + " without a session -> " + r.statusCode());
      }
    }
    check("POST /sign-out", "its CSRF token", browser.post("/sign-out", Map.of(), true));

    assertThat(requests).as("requests sent").isGreaterThan(500);
    assertThat(failures).as("answers that broke the contract (of %d requests)", requests).isEmpty();
  }

  /** What the pages read, answered as the platform would; anything else is a 404 (no such object). */
  private static void answerLikeThePlatform() {
    PEERS.on("GET /v1/tenants/t1/policies", 200, "{\"items\":[],\"nextCursor\":null}");
    PEERS.on("GET /v1/namespaces", 200, "{\"items\":[{\"id\":\"acme/vm\",\"spec\":{\"name\":\"acme/vm\"}}]}");
    PEERS.on("GET /v1/tenants/t1/inhibition-rules", 200, "{\"items\":[]}");
    PEERS.on("GET /v1/tenants/t1/oncall-schedules", 200, "{\"items\":[]}");
    PEERS.on("GET /v1/alerts/events", 200, "{\"total\":0,\"items\":[]}");
    PEERS.on("GET /v1/notifications", 200, "{\"total\":0,\"items\":[]}");
    PEERS.on("GET /v1/knowledge/search", 200, "{\"items\":[]}");
  }

  private HttpResponse<String> post(String path, Map<String, String> fields) {
    return browser.post(path, fields, true);
  }

  private HttpResponse<String> send(String method, String path, String body, String type, boolean withCsrf) {
    // as a browser sends it: a page is what it asks for, also of Boot's error page
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", type).header("Accept", ACCEPT).method(method, HttpRequest.BodyPublishers.ofString(body));
    if (withCsrf) {
      b.header("X-CSRF-TOKEN", browser.lastCsrf);
    }
    java.net.HttpCookie session = browser.session();
    if (session != null) {
      b.header("Cookie", session.getName() + "=" + session.getValue());
    }
    try {
      return raw.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void check(String route, String what, HttpResponse<String> r) {
    requests++;
    int status = r.statusCode();
    String type = r.headers().firstValue("Content-Type").orElse("");
    String where = route + " with " + abbreviate(what) + " -> " + status + " ";
    if (status >= 500) {
      failures.add(where + abbreviate(r.body()));
    } else if (status >= 400 && !type.startsWith("text/html")) {
      failures.add(where + "not a page (" + type + ")");
    } else if (r.body().contains("Exception") || r.body().contains("\tat ")) {
      failures.add(where + "names an exception: " + abbreviate(r.body()));
    } else if (r.body().contains(TOKEN) || r.headers().map().toString().contains(TOKEN)) {
      failures.add(where + "shows the token");
    } else if (r.headers().allValues("set-cookie").stream().anyMatch(c -> c.startsWith("a="))) {
      failures.add(where + "a header injected");
    }
  }

  /** A GET as a client that sends what Java's HTTP client refuses to (a malformed escape), with the session. */
  private String rawGet(String pathAndQuery) {
    java.net.HttpCookie session = browser.session();
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + ACCEPT
          + "\r\n"
          + (session == null ? "" : "Cookie: " + session.getName() + "=" + session.getValue() + "\r\n")
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void checkRaw(String route, String what, String answer) {
    requests++;
    int status = Integer.parseInt(answer.substring(9, 12));
    String where = route + " with " + what + " -> " + status + " ";
    if (status >= 500) {
      failures.add(where + abbreviate(answer));
    } else if (status >= 400 && !answer.substring(0, Math.max(0, answer.indexOf("\r\n\r\n")))
        .toLowerCase(java.util.Locale.ROOT).contains("content-type: text/html")) {
      failures.add(where + "not a page");
    } else if (answer.contains("Exception") || answer.contains(TOKEN)) {
      failures.add(where + "names an exception or shows the token: " + abbreviate(answer));
    }
  }

  private static List<String> names(JsonNode parameters) {
    List<String> names = new ArrayList<>();
    parameters.forEach(p -> names.add(p.path("name").asString()));
    return names;
  }

  /** A form's fields; a property of rows ({@code conditions}) gives {@code conditions[0].<field>} each. */
  private static List<String> formFields(JsonNode doc, JsonNode schema) {
    List<String> fields = new ArrayList<>();
    JsonNode properties = schema.path("properties");
    for (String name : properties.propertyNames()) {
      if (name.equals("_csrf")) {
        continue;
      }
      JsonNode items = properties.path(name).path("items");
      String ref = items.path("$ref").asString("");
      if (ref.startsWith("#/components/schemas/")) {
        JsonNode row = doc.path("components").path("schemas").path(ref.substring("#/components/schemas/".length()));
        row.path("properties").propertyNames().forEach(f -> fields.add(name + "[0]." + f));
      } else {
        fields.add(name);
      }
    }
    return fields;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
