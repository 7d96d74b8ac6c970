package io.vigil.console.system;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The console's OpenAPI document says what its routes really are: pages and forms for a browser.
 * A form's fields are an {@code application/x-www-form-urlencoded} body with Spring Security's
 * {@code _csrf} token; every answer is a page ({@code text/html}) or a redirect, errors included,
 * never a problem document; a route needs the session cookie (sign-in excepted). The sign-out route,
 * which Spring Security serves rather than a controller, is added here. {@code ConsoleFuzzIT} drives
 * its bad input from this document.
 */
@Configuration(proxyBeanMethods = false)
public class ConsoleOpenApi {

  static final String PAGE = "text/html";
  static final String FORM = "application/x-www-form-urlencoded";
  /** The form field and header that carry the CSRF token (Spring Security's defaults). */
  static final String CSRF_FIELD = "_csrf";
  static final String CSRF_HEADER = "X-CSRF-TOKEN";

  @Bean
  OpenApiCustomizer consolePages(@Value("${vigil.openapi.description:}") String description,
      @Value("${server.servlet.session.cookie.name:VIGIL_CONSOLE}") String cookie) {
    return api -> {
      api.info(new Info().title("Vigil console").version("v1").description(description));
      api.getComponents().addSecuritySchemes("session", new SecurityScheme().type(SecurityScheme.Type.APIKEY)
          .in(SecurityScheme.In.COOKIE).name(cookie).description("the session of a signed-in user (POST /sign-in)"));
      api.getComponents().addSecuritySchemes("csrf", new SecurityScheme().type(SecurityScheme.Type.APIKEY)
          .in(SecurityScheme.In.HEADER).name(CSRF_HEADER)
          .description("the session's CSRF token (or the form field " + CSRF_FIELD + "): every POST needs it"));
      api.setSecurity(List.of(new SecurityRequirement().addList("session")));
      if (api.getPaths() == null) {
        return;
      }
      api.getPaths().addPathItem("/sign-out", new PathItem().post(new Operation().summary("Sign out: the session ends")
          .operationId("signOut").addTagsItem("sign-in")));
      api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) ->
          describe(api, path, method, op)));
    };
  }

  private static void describe(OpenAPI api, String path, PathItem.HttpMethod method, Operation op) {
    boolean signIn = path.equals("/sign-in");
    boolean form = method == PathItem.HttpMethod.POST;
    if (form) {
      asFormBody(op);
      op.setSecurity(List.of(signIn ? new SecurityRequirement().addList("csrf")
          : new SecurityRequirement().addList("session").addList("csrf")));
    } else if (signIn) {
      op.setSecurity(List.of());
    }
    ApiResponses answers = new ApiResponses();
    if (form) {
      answers.addApiResponse("200", page("the form again, its errors beside their fields (or the dry run's result)"));
      answers.addApiResponse("302", redirect("done: back to a page of this console with a message"
          + (signIn ? "" : "; without a session, to /sign-in")));
    } else {
      answers.addApiResponse("200", page("the page"));
      if (!signIn) {
        answers.addApiResponse("302", redirect("not signed in (or the session ended): to /sign-in"));
        answers.addApiResponse("401", page("an htmx refresh of an ended session: HX-Redirect to /sign-in"));
      }
    }
    answers.addApiResponse("400", page("a parameter or field is not valid (named on the page)"));
    answers.addApiResponse("403", page(form ? "no valid CSRF token, or the user's role may not do this"
        : "the user's role may not see this"));
    answers.addApiResponse("404", page("no such page or object, or it is another tenant's"));
    answers.addApiResponse("405", page("the route does not take that method"));
    answers.addApiResponse("409", page("changed by someone else since it was read"));
    answers.addApiResponse("502", page("a service refused the console's call"));
    answers.addApiResponse("503", page("a service this page needs, or the session store, is not answering"));
    op.setResponses(answers);
  }

  /** A form's parameters, as springdoc lists them, become its body (Spring binds either). */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static void asFormBody(Operation op) {
    ObjectSchema body = new ObjectSchema();
    List<String> required = new ArrayList<>();
    List<Parameter> rest = new ArrayList<>();
    for (Parameter p : op.getParameters() == null ? List.<Parameter>of() : op.getParameters()) {
      if (!"query".equals(p.getIn())) {
        rest.add(p);
        continue;
      }
      Schema schema = p.getSchema();
      if ("array".equals(schema.getType()) && schema.getItems() != null && schema.getItems().get$ref() != null) {
        schema.description("rows, sent as " + p.getName() + "[i].<field>");
      }
      body.addProperty(p.getName(), schema);
      if (Boolean.TRUE.equals(p.getRequired())) {
        required.add(p.getName());
      }
    }
    body.addProperty(CSRF_FIELD, new StringSchema().description("the CSRF token of the page the form is on"));
    required.add(CSRF_FIELD);
    body.setRequired(required);
    op.setParameters(rest.isEmpty() ? null : rest);
    op.setRequestBody(new RequestBody().required(true).content(new Content().addMediaType(FORM,
        new MediaType().schema(body))));
  }

  private static ApiResponse page(String what) {
    return new ApiResponse().description(what).content(new Content().addMediaType(PAGE, new MediaType()
        .schema(new StringSchema())));
  }

  private static ApiResponse redirect(String what) {
    return new ApiResponse().description(what).headers(Map.of("Location",
        new io.swagger.v3.oas.models.headers.Header().description("a path of this console")
            .schema(new StringSchema())));
  }
}
