package io.vigil.common.control;

import io.vigil.common.error.Violations;
import java.util.List;

/**
 * While an alert passing the source matchers fires, alerts passing the target matchers with equal
 * values of every dimension in {@code equal} are muted (e.g. a host down mutes its disk alerts).
 */
public record InhibitionRule(String name, List<FilterSpec> sourceMatchers, List<FilterSpec> targetMatchers,
    List<String> equal) {

  public void validate(Violations v) {
    Names.displayName(v, "name", name);
    v.check(sourceMatchers != null && !sourceMatchers.isEmpty(), "sourceMatchers", "one or more matchers");
    v.check(targetMatchers != null && !targetMatchers.isEmpty(), "targetMatchers", "one or more matchers");
    FilterSpec.compileAll(v, "sourceMatchers", sourceMatchers);
    FilterSpec.compileAll(v, "targetMatchers", targetMatchers);
    Names.uniqueList(v, "equal", equal, Names.KEY, "a dimension or label key");
  }
}
