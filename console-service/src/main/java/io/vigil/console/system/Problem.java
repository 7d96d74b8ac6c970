package io.vigil.console.system;

import io.vigil.common.services.ServiceCallException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads a peer's problem document (RFC 9457) so a page can say what was refused and why. */
public final class Problem {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Problem() {}

  /** One line for the user: the detail, else the title, else the status. */
  public static String describe(ServiceCallException e) {
    JsonNode p = parse(e);
    String detail = p.path("detail").asString("");
    if (detail.isBlank()) {
      detail = p.path("title").asString("");
    }
    String field = p.path("field").asString("");
    if (detail.isBlank()) {
      return e.service() + " answered " + e.status();
    }
    return field.isBlank() ? detail : field + ": " + detail;
  }

  /** The field errors (field to reason), in the order the peer gave them. */
  public static Map<String, String> fieldErrors(ServiceCallException e) {
    JsonNode p = parse(e);
    Map<String, String> errors = new LinkedHashMap<>();
    for (JsonNode err : p.path("errors")) {
      errors.merge(err.path("field").asString(""), err.path("reason").asString(""), (a, b) -> a + "; " + b);
    }
    if (errors.isEmpty() && !p.path("field").asString("").isBlank()) {
      errors.put(p.path("field").asString(""), p.path("detail").asString(""));
    }
    return errors;
  }

  public static List<String> lines(Map<String, String> errors) {
    List<String> out = new ArrayList<>();
    errors.forEach((f, r) -> out.add(f.isBlank() ? r : f + ": " + r));
    return out;
  }

  private static JsonNode parse(ServiceCallException e) {
    if (e.body() == null || e.body().isBlank()) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(e.body());
    } catch (RuntimeException notJson) {
      return JSON.createObjectNode();
    }
  }
}
