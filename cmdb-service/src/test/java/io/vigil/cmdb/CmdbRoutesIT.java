package io.vigil.cmdb;

import static io.vigil.common.testing.VigilTestInitializer.SERVICE_KEY;
import static io.vigil.common.testing.VigilTestInitializer.T1_OPERATOR_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.testing.Http;
import io.vigil.common.testing.VigilServiceTest;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Every route of /v3/api-docs is documented with its problem responses (and a request schema where
 * it takes a body), and driven from the document with bad input: always a 4xx problem, never a 5xx.
 */
@VigilServiceTest
class CmdbRoutesIT {

  @LocalServerPort
  int port;

  @Test
  void everyRouteIsDocumentedAndNoBadInputMakesA5xx() {
    Http http = new Http(port);
    JsonNode paths = Http.json(http.get("/v3/api-docs")).path("paths");
    List<String> documented = new ArrayList<>(paths.propertyNames());
    assertThat(documented).contains("/v1/instances", "/v1/instances/batch", "/v1/instances/lookup",
        "/v1/instances/{product}/{family}/{region}/{instanceId}", "/v1/knowledge/search");
    List<String> failures = new ArrayList<>();
    String[] junk = {"x", "-1", "99999999999999999999", "", "%00", "1e400", "[]", "a=b=c", "%E4%B8%AD"};
    String[] bodies = {"", "{}", "[]", "null", "{\"version\":\"x\"}", "{\"items\":[null,1]}", "{\"keys\":[{}]}",
        "{\"version\":1,\"attributes\":{\"appid\":[]}}", "{\"items\":{}}", "{\"onStale\":7,\"items\":[]}"};
    assertThat(documented).contains("/mcp");
    assertThat(paths.path("/mcp").path("post").path("requestBody").isMissingNode()).isFalse();
    for (String body : bodies) {
      HttpResponse<String> r = send(http, "post", "/mcp", body);
      // MCP answers in JSON-RPC, not problem+json: bad input is a 4xx, never a 5xx
      if (r.statusCode() >= 500 || r.statusCode() < 400) {
        failures.add("post /mcp " + body + " -> " + r.statusCode() + " " + r.body());
      }
    }
    for (String template : documented) {
      if (!template.startsWith("/v1/")) {
        continue;
      }
      for (String method : paths.path(template).propertyNames()) {
        JsonNode op = paths.path(template).path(method);
        assertThat(op.path("responses").has("400")).as("problem responses of %s %s", method, template).isTrue();
        List<String> concrete = new ArrayList<>();
        concrete.add(template.replace("{product}", "acme").replace("{family}", "vm").replace("{region}", "ap-guangzhou")
            .replace("{instanceId}", "fuzz-1"));
        if (template.contains("{")) {
          for (String j : junk) {
            // an encoded NUL in the path is refused by Tomcat itself (400, before any filter), below
            if (!j.isEmpty() && !j.equals("%00")) {
              concrete.add(template.replaceAll("\\{[a-zA-Z]+}", j));
            }
          }
        }
        for (String path : concrete) {
          if (method.equals("post") || method.equals("put")) {
            assertThat(op.path("requestBody").path("content").path("application/json").path("schema").isMissingNode())
                .as("request schema of %s %s", method, template).isFalse();
            for (String body : bodies) {
              check(failures, method + " " + path, body, send(http, method, path, body), true);
            }
          } else {
            for (JsonNode p : op.path("parameters")) {
              if (p.path("in").asString().equals("path")) {
                continue;
              }
              for (String v : junk) {
                String q = path + "?" + p.path("name").asString() + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8);
                check(failures, method + " " + q, "", send(http, method, q, null), false);
              }
            }
            check(failures, method + " " + path, "", send(http, method, path, null), false);
          }
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(send(http, "get", "/v1/instances/acme/vm/ap-guangzhou/%00", null).statusCode()).isEqualTo(400);
  }

  private static HttpResponse<String> send(Http http, String method, String path, String body) {
    HttpRequest.Builder b;
    try {
      b = http.request(path);
    } catch (IllegalArgumentException e) {
      return null; // not even a URI: nothing a client could send
    }
    b.header("Authorization", "Bearer " + (method.equals("get") ? SERVICE_KEY : T1_OPERATOR_KEY));
    if (body == null) {
      b.method(method.toUpperCase(), HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method.toUpperCase(), HttpRequest.BodyPublishers.ofString(body));
    }
    return http.send(b.build());
  }

  private static void check(List<String> failures, String what, String body, HttpResponse<String> r,
      boolean mustRefuse) {
    if (r == null || r.statusCode() < 400 && !mustRefuse) {
      return;
    }
    if (r.statusCode() >= 500 || r.statusCode() < 400) {
      failures.add(what + " " + body + " -> " + r.statusCode() + " " + r.body());
    } else if (!r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
      failures.add(what + " " + body + " -> " + r.statusCode() + " not problem+json");
    }
  }
}
