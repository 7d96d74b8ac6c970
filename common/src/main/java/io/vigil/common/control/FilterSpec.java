package io.vigil.common.control;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.vigil.common.error.Violations;
import io.vigil.common.semantics.Filter;
import java.util.ArrayList;
import java.util.List;

/**
 * A filter or matcher in the seed's JSON shape, {@code {"Function": "In", "Field": "region", "Args":
 * ["gz", "sh"]}}, as stored; {@link #compile} turns it into common's evaluator (and is the check
 * when saving).
 */
public record FilterSpec(
    @JsonProperty("Function") String function,
    @JsonProperty("Field") String field,
    @JsonProperty("Args") Object args) {

  public Filter.Compiled compile(String path) {
    return Filter.compile(path, function, field, args);
  }

  /** Compiles every filter, recording each that fails under {@code path[i]}; the compiled ones in order. */
  public static List<Filter.Compiled> compileAll(Violations v, String path, List<FilterSpec> filters) {
    List<Filter.Compiled> out = new ArrayList<>();
    if (filters == null) {
      return out;
    }
    for (int i = 0; i < filters.size(); i++) {
      String at = path + "[" + i + "]";
      FilterSpec f = filters.get(i);
      if (f == null) {
        v.add(at, "a filter is required");
        continue;
      }
      Filter.Compiled c = v.capture(at, () -> f.compile(at));
      if (c != null) {
        out.add(c);
      }
    }
    return out;
  }
}
