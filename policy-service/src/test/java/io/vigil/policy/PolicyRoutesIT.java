package io.vigil.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.testing.Http;
import io.vigil.common.testing.ProblemContractTestController;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.VigilTestInitializer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * Every route the service serves, enumerated from the handler mapping (so a route added tomorrow is
 * covered tomorrow): each tenant route answers another tenant's operator 404 and a product
 * credential 403, each global route refuses writes by non-admins, and each is in the OpenAPI
 * document with its request schema and problem responses. A route that fits none of these fails.
 */
@VigilServiceTest
class PolicyRoutesIT {

  @LocalServerPort
  int port;

  @Autowired
  @Qualifier("requestMappingHandlerMapping")
  RequestMappingHandlerMapping mapping;

  record Route(String method, String pattern, boolean body) {}

  List<Route> routes() {
    List<Route> routes = new ArrayList<>();
    mapping.getHandlerMethods().forEach((info, handler) -> {
      if (handler.getBeanType().getName().startsWith("org.springdoc")
          || handler.getBeanType().getName().startsWith(ProblemContractTestController.class.getName())) {
        return; // the OpenAPI document itself, and the test-only contract endpoint
      }
      Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
      boolean body = java.util.Arrays.stream(handler.getMethodParameters())
          .anyMatch(p -> p.hasParameterAnnotation(org.springframework.web.bind.annotation.RequestBody.class));
      for (String pattern : info.getPatternValues()) {
        for (RequestMethod m : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
          routes.add(new Route(m.name(), pattern, body));
        }
      }
    });
    return routes;
  }

  @Test
  void everyRouteIsCoveredByTheTenancyCheck() {
    Http http = new Http(port);
    PolicyTestClient t2 = new PolicyTestClient(http, VigilTestInitializer.T2_OPERATOR_KEY);
    PolicyTestClient t1 = new PolicyTestClient(http, VigilTestInitializer.T1_OPERATOR_KEY);
    PolicyTestClient product = new PolicyTestClient(http, VigilTestInitializer.PRODUCT_KEY);
    List<String> uncovered = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    List<Route> routes = routes();
    assertThat(routes).hasSizeGreaterThan(60);
    for (Route r : routes) {
      boolean write = !r.method().equals("GET") || r.pattern().endsWith("/preview");
      String body = r.method().equals("POST") || r.method().equals("PUT") ? "{}" : null;
      if (r.pattern().startsWith("/v1/tenants/{tenant}/")) {
        String path = concrete(r.pattern(), "t1");
        expect(failures, r, "other tenant", t2.send(r.method(), path, body, "\"1\""), 404);
        expect(failures, r, "product", product.send(r.method(), path, body, "\"1\""), 403);
      } else if (r.pattern().startsWith("/v1/products") || r.pattern().startsWith("/v1/namespaces")
          || r.pattern().startsWith("/v1/tokens")) {
        String path = concrete(r.pattern(), "t1");
        expect(failures, r, "product", product.send(r.method(), path, body, "\"1\""), 403);
        if (write) {
          expect(failures, r, "operator write", t1.send(r.method(), path, body, "\"1\""), 403);
        }
      } else if (r.pattern().equals("/v1/me")) {
        // the caller itself: names no tenant's object; a product is refused as everywhere here
        expect(failures, r, "product", product.send(r.method(), r.pattern(), body, null), 403);
      } else if (!r.pattern().equals("/error")) {
        uncovered.add(r.method() + " " + r.pattern());
      }
    }
    assertThat(uncovered).as("routes no tenancy rule covers").isEmpty();
    assertThat(failures).isEmpty();
  }

  /**
   * The shared HTTP error contract on every route that takes a body, as the caller allowed to use it
   * sees it: malformed JSON, a wrong media type and a field of the wrong type are problems naming
   * what is wrong, never a 500 or a stack trace.
   */
  @Test
  void everyBodyRouteAnswersTheErrorContract() {
    Http http = new Http(port);
    PolicyTestClient admin = new PolicyTestClient(http, VigilTestInitializer.PLATFORM_ADMIN_KEY);
    PolicyApiIT.ensureAccessConfig(admin);
    List<String> failures = new ArrayList<>();
    for (Route r : routes()) {
      if (!r.body()) {
        continue;
      }
      String path = concrete(r.pattern(), "t1");
      HttpResponse<String> malformed = admin.send(r.method(), path, "{\"name\": ", "\"1\"");
      expectProblem(failures, r, "malformed JSON", malformed, 400, "malformed_body");
      HttpResponse<String> media = http.send(http.request(path)
          .header("Authorization", "Bearer " + VigilTestInitializer.PLATFORM_ADMIN_KEY)
          .header("Content-Type", "text/plain").header("If-Match", "\"1\"")
          .method(r.method(), java.net.http.HttpRequest.BodyPublishers.ofString("name=x")).build());
      expectProblem(failures, r, "text/plain", media, 415, "unsupported_media_type");
      HttpResponse<String> wrongType = admin.send(r.method(), path, "{\"name\": {\"nested\": true}}", "\"1\"");
      expectProblem(failures, r, "wrong field type", wrongType, 400, "malformed_body");
    }
    assertThat(failures).isEmpty();
  }

  private static void expectProblem(List<String> failures, Route r, String what, HttpResponse<String> response,
      int status, String code) {
    String type = response.headers().firstValue("Content-Type").orElse("");
    if (response.statusCode() != status || !type.startsWith("application/problem+json")
        || !response.body().contains("\"code\":\"" + code + "\"") || response.body().contains("Exception")) {
      failures.add(what + " " + r.method() + " " + r.pattern() + " answered " + response.statusCode() + " " + type
          + ": " + response.body());
    }
  }

  @Test
  void everyRouteIsInTheOpenApiDocumentWithItsSchemaAndProblems() {
    HttpResponse<String> docs = new Http(port).get("/v3/api-docs");
    assertThat(docs.statusCode()).isEqualTo(200);
    JsonNode paths = Http.json(docs).path("paths");
    Set<String> missing = new TreeSet<>();
    for (Route r : routes()) {
      if (r.pattern().equals("/error")) {
        continue;
      }
      JsonNode op = paths.path(r.pattern().replace("{*id}", "{id}")).path(r.method().toLowerCase());
      if (op.isMissingNode()) {
        missing.add(r.method() + " " + r.pattern());
        continue;
      }
      if (r.body()) {
        assertThat(op.path("requestBody").path("content").path("application/json").path("schema").isMissingNode())
            .as("request schema of %s", r).isFalse();
      }
      assertThat(op.path("responses").has("400")).as("problem responses of %s", r).isTrue();
    }
    assertThat(missing).as("routes not in /v3/api-docs (have: %s)", paths.propertyNames()).isEmpty();
  }

  private static void expect(List<String> failures, Route r, String who, HttpResponse<String> response, int status) {
    if (response.statusCode() != status) {
      failures.add(who + " " + r.method() + " " + r.pattern() + " answered " + response.statusCode() + " not " + status
          + ": " + response.body());
    }
  }

  private static String concrete(String pattern, String tenant) {
    return pattern.replace("{tenant}", tenant).replace("{*id}", "acme/vm").replace("{id}", "x_1")
        .replace("{product}", "acme").replace("{keyId}", "ak_x");
  }
}
