package io.vigil.common.control;

import io.vigil.common.error.Violations;
import io.vigil.common.model.ControlChange.EntityType;
import java.util.List;

/** A named set of a tenant's users, notified together. */
public record UserGroup(String name, String description, List<String> members) {

  public void validate(Violations v) {
    Names.displayName(v, "name", name);
    Names.optionalText(v, "description", description, Names.MAX_TEXT);
    v.check(members == null || members.size() <= 500, "members", "at most 500 members");
  }

  public void references(Violations v, String tenant, ControlLookup lookup) {
    AlertPolicy.refs(v, "members", members, EntityType.USER, tenant, lookup);
  }
}
