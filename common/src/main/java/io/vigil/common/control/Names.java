package io.vigil.common.control;

import io.vigil.common.error.Violations;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The shapes of names and small values every control object uses, checked in one place. */
public final class Names {

  /** Products, shards, metric names, dimension keys, event types: lower-case words. */
  public static final Pattern SLUG = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");
  /** A namespace: {@code product/family}, e.g. {@code qce/cvm}. */
  public static final Pattern NAMESPACE = Pattern.compile("[a-z][a-z0-9_-]{0,31}/[a-z][a-z0-9_.-]{0,63}");
  /** A dimension key (also a metric name), as products send them. */
  public static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]{0,63}");
  /** A tenant id (the cloud account), e.g. {@code 1251763868}. */
  public static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  public static final int MAX_DISPLAY = 256;
  public static final int MAX_TEXT = 4096;
  public static final int MAX_LIST = 1000;

  private Names() {}

  public static boolean matches(Pattern p, String s) {
    return s != null && p.matcher(s).matches();
  }

  /**
   * A required display name: 1 to {@value #MAX_DISPLAY} characters, not blank, and text a person can
   * read as it is stored (see {@link #unreadable}: no control characters, no bidi overrides, no broken
   * surrogate pairs). Any script, accents (combining marks) and emoji are fine.
   */
  public static void displayName(Violations v, String field, String s) {
    if (v.check(s != null && !s.isBlank() && s.length() <= MAX_DISPLAY, field,
        "required, 1 to " + MAX_DISPLAY + " characters")) {
      String why = unreadable(s, false);
      v.check(why == null, field, why);
    }
  }

  /** Optional free text of at most {@code max} characters; line breaks and tabs allowed, see {@link #unreadable}. */
  public static void optionalText(Violations v, String field, String s, int max) {
    if (v.check(s == null || s.length() <= max, field, "at most " + max + " characters") && s != null) {
      String why = unreadable(s, true);
      v.check(why == null, field, why);
    }
  }

  /**
   * Why a text cannot be stored and shown as it is, or null when it can: an unpaired surrogate (not
   * text at all: the database would store a replacement character), a control character (tab, line
   * feed and carriage return only where {@code lineBreaks}), or a bidirectional override, embedding or
   * isolate (U+202A..U+202E, U+2066..U+2069), which make a name read differently from what it is.
   */
  public static String unreadable(String s, boolean lineBreaks) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return "not well-formed text: an unpaired surrogate at character " + i;
      }
      if (Character.isLowSurrogate(c)) {
        return "not well-formed text: an unpaired surrogate at character " + i;
      }
      if (Character.getType(c) == Character.CONTROL && !(lineBreaks && (c == '\t' || c == '\n' || c == '\r'))) {
        return "a control character (U+" + String.format("%04X", (int) c) + ") at character " + i;
      }
      if ((c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')) {
        return "a bidirectional control (U+" + String.format("%04X", (int) c) + ") at character " + i
            + ": it makes the text read differently from what it is";
      }
    }
    return null;
  }

  /** A list of unique values each matching {@code p}; null is an empty list. */
  public static void uniqueList(Violations v, String field, Collection<String> values, Pattern p, String shape) {
    if (values == null) {
      return;
    }
    if (!v.check(values.size() <= MAX_LIST, field, "at most " + MAX_LIST + " entries")) {
      return;
    }
    Set<String> seen = new HashSet<>();
    int i = 0;
    for (String s : values) {
      String at = field + "[" + i++ + "]";
      if (v.check(matches(p, s), at, shape) && !seen.add(s)) {
        v.add(at, "'" + s + "' appears twice");
      }
    }
  }

  public static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
