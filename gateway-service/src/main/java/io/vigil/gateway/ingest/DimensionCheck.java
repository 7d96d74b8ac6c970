package io.vigil.gateway.ingest;

import io.vigil.common.control.Names;
import io.vigil.common.control.NamespaceConfig;
import java.util.Map;
import java.util.TreeMap;

/**
 * The dimensions of a point or an event against its namespace, the same for both: each declared (or
 * dropped, as the namespace says), values of 1 to {@value Names#MAX_DISPLAY} characters, every
 * required one (the tenant dimension among them) present.
 */
final class DimensionCheck {

  /** The dimensions to keep, in key order; or the field at fault with why and a reason code. */
  record Outcome(Map<String, String> dimensions, String field, String why, String code) {
    boolean ok() {
      return why == null;
    }
  }

  private DimensionCheck() {}

  /** @param declared {@code ns.dimensions()}, computed once for the whole request */
  static Outcome check(NamespaceConfig ns, java.util.Set<String> declared, Map<String, String> given, String at) {
    Map<String, String> dims = new TreeMap<>();
    if (given != null) {
      for (Map.Entry<String, String> e : given.entrySet()) {
        String k = e.getKey();
        String v = e.getValue();
        if (!declared.contains(k)) {
          if (ns.unknownDimensions() == NamespaceConfig.UnknownDimensions.DROP) {
            continue;
          }
          return new Outcome(null, at + ".dimensions." + k, "'" + k + "' is not a dimension of " + ns.name(),
              "unknown_dimension");
        }
        if (v == null || v.isEmpty() || v.length() > Names.MAX_DISPLAY) {
          return new Outcome(null, at + ".dimensions." + k, "a value of 1 to " + Names.MAX_DISPLAY + " characters",
              "bad_dimension");
        }
        dims.put(k, v);
      }
    }
    for (String required : ns.requiredDimensions()) {
      if (!dims.containsKey(required)) {
        return new Outcome(null, at + ".dimensions." + required, "required by " + ns.name(), "missing_dimension");
      }
    }
    return new Outcome(dims, null, null, null);
  }
}
