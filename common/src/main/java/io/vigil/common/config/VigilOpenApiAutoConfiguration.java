package io.vigil.common.config;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Completes the generated OpenAPI document with what annotations cannot say: the problem+json body
 * every error has (RFC 9457 with Vigil's {@code code}, {@code field} and {@code errors}), the error
 * statuses each kind of operation can answer, and the bearer key every route needs. Fuzzers read
 * the document, so an error they provoke must be one it declares.
 */
@org.springframework.boot.autoconfigure.AutoConfiguration
@org.springframework.boot.autoconfigure.condition.ConditionalOnClass(name = "org.springdoc.core.customizers.OpenApiCustomizer")
public class VigilOpenApiAutoConfiguration {

  static final String PROBLEM = "Problem";

  /** An API's errors; a service of pages (the console) says {@code vigil.openapi.problems=false} and its own. */
  @Bean
  @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "vigil.openapi.problems",
      havingValue = "true", matchIfMissing = true)
  OpenApiCustomizer vigilProblems(@org.springframework.beans.factory.annotation.Value("${spring.application.name}")
      String service, @org.springframework.beans.factory.annotation.Value("${vigil.openapi.description:}")
      String summary) {
    return api -> {
      api.info(new Info().title("Vigil " + service).version("v1").description(summary));
      api.getComponents().addSchemas(PROBLEM, problemSchema());
      api.getComponents().addSecuritySchemes("apiKey",
          new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").description("an operator token"));
      api.addSecurityItem(new SecurityRequirement().addList("apiKey"));
      if (api.getPaths() == null) {
        return;
      }
      api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
        boolean body = method == PathItem.HttpMethod.POST || method == PathItem.HttpMethod.PUT;
        boolean change = body || method == PathItem.HttpMethod.DELETE;
        boolean item2 = path.contains("{id}");
        Map<String, String> statuses = new LinkedHashMap<>();
        statuses.put("400", "invalid fields or parameters (each named in errors)");
        statuses.put("401", "no valid API key");
        statuses.put("403", "the caller's role or kind may not do this");
        statuses.put("404", "no such object, or another tenant's");
        if (body) {
          statuses.put("413", "the body is too large");
          statuses.put("415", "the body is not application/json");
          statuses.put("422", "a referenced object does not exist (each named in errors)");
        }
        if (change) {
          statuses.put("409", "the object changed since the version in If-Match, or the name is taken");
        }
        if (change && item2) {
          statuses.put("428", "If-Match is missing");
        }
        statuses.put("500", "an internal error");
        statuses.put("503", "a dependency (MySQL, Kafka) is unavailable; retry later");
        statuses.forEach((status, description) -> addProblem(op, status, description));
      }));
    };
  }

  private static void addProblem(Operation op, String status, String description) {
    if (op.getResponses().containsKey(status)) {
      op.getResponses().get(status).content(problemContent()).description(description);
      return;
    }
    op.getResponses().addApiResponse(status, new ApiResponse().description(description).content(problemContent()));
  }

  private static Content problemContent() {
    return new Content().addMediaType("application/problem+json",
        new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM)));
  }

  @SuppressWarnings("rawtypes")
  private static Schema problemSchema() {
    ObjectSchema fieldProblem = new ObjectSchema();
    fieldProblem.addProperty("field", new StringSchema());
    fieldProblem.addProperty("reason", new StringSchema());
    ObjectSchema p = new ObjectSchema();
    p.description("RFC 9457 problem details with Vigil's members");
    p.addProperty("type", new StringSchema().format("uri"));
    p.addProperty("title", new StringSchema());
    p.addProperty("status", new IntegerSchema());
    p.addProperty("detail", new StringSchema());
    p.addProperty("instance", new StringSchema());
    p.addProperty("code", new StringSchema().description("machine-readable, e.g. validation_failed"));
    p.addProperty("field", new StringSchema().description("the first field at fault"));
    p.addProperty("errors", new ArraySchema().items(fieldProblem));
    return p;
  }
}
