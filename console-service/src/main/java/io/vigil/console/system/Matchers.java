package io.vigil.console.system;

import io.vigil.common.semantics.FilterFunction;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Matcher and filter rows of the console's forms (silences, inhibition rules, the policy editor's
 * filters) as the control plane's filters: common's nine functions, a list function's value split at
 * commas, Exists without one.
 */
public final class Matchers {

  /** One row of a form: a field (a label or dimension), a function, a value. */
  public record MatcherRow(String field, String function, String value) {}

  /** The functions a row offers, in common's order. */
  public static final List<String> FUNCTIONS = Arrays.stream(FilterFunction.values()).map(Enum::name).toList();

  private Matchers() {}

  /** A row as the control plane's filter; an unknown function goes as typed, for the control plane to name. */
  public static Map<String, Object> matcher(MatcherRow r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Function", r.function());
    m.put("Field", r.field().strip());
    FilterFunction f = FUNCTIONS.contains(r.function()) ? FilterFunction.valueOf(r.function()) : null;
    if (f == FilterFunction.Exists) {
      return m;
    }
    String v = r.value() == null ? "" : r.value();
    m.put("Args", f != null && f.takesList()
        ? Arrays.stream(v.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList() : v);
    return m;
  }
}
