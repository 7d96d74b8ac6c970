package io.vigil.cmdb.instances;

import io.vigil.common.control.Names;
import io.vigil.common.error.Violations;
import java.util.Map;
import java.util.regex.Pattern;

/** What an instance's attributes and tags may hold. */
public final class InstanceRules {

  public static final int MAX_ATTRIBUTES = 64;
  public static final int MAX_TAGS = 64;
  public static final int MAX_ATTRIBUTE_VALUE = 1024;
  public static final int MAX_TAG_VALUE = 256;
  /** A tag key as clouds write them: {@code team}, {@code kubernetes.io/name}, {@code cost-center}. */
  public static final Pattern TAG_KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:/@-]{0,127}");

  private InstanceRules() {}

  public static void attributes(Violations v, String at, Map<String, String> attributes) {
    if (attributes == null) {
      return;
    }
    v.check(attributes.size() <= MAX_ATTRIBUTES, at + "attributes", "at most " + MAX_ATTRIBUTES + " attributes");
    for (Map.Entry<String, String> e : attributes.entrySet()) {
      String field = at + "attributes." + e.getKey();
      if (v.check(Names.matches(Names.KEY, e.getKey()), field, "a name of letters, digits, _ and ., at most 64")) {
        value(v, field, e.getValue(), MAX_ATTRIBUTE_VALUE);
      }
    }
  }

  public static void tags(Violations v, String at, Map<String, String> tags) {
    if (tags == null) {
      return;
    }
    v.check(tags.size() <= MAX_TAGS, at + "tags", "at most " + MAX_TAGS + " tags");
    for (Map.Entry<String, String> e : tags.entrySet()) {
      String field = at + "tags." + e.getKey();
      if (v.check(e.getKey() != null && TAG_KEY.matcher(e.getKey()).matches(), field,
          "a key of letters, digits and _ . : / @ -, at most 128")) {
        value(v, field, e.getValue(), MAX_TAG_VALUE);
      }
    }
  }

  private static void value(Violations v, String field, String value, int max) {
    if (v.check(value != null, field, "a value is required (leave the key out to drop it)")) {
      v.check(value.length() <= max, field, "at most " + max + " characters");
      v.check(value.chars().noneMatch(c -> c < 0x20 && c != '\t'), field, "no control characters");
    }
  }
}
