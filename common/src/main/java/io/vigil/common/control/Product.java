package io.vigil.common.control;

import io.vigil.common.error.Violations;
import java.util.List;

/**
 * A cloud product that pushes metrics and events (e.g. {@code qce}); its name is its id and the first
 * part of its namespaces. Global: platform admins write it.
 */
public record Product(String name, String description, List<String> owners) {

  public void validate(Violations v) {
    v.check(Names.matches(Names.SLUG, name), "name", "a lower-case name: letters, digits, '_', '.', '-' (at most 64)");
    Names.optionalText(v, "description", description, Names.MAX_TEXT);
    if (owners != null) {
      v.check(owners.size() <= 50, "owners", "at most 50 owners");
      for (int i = 0; i < owners.size(); i++) {
        Names.displayName(v, "owners[" + i + "]", owners.get(i));
      }
    }
  }
}
