package io.vigil.common.semantics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One filter of the seed's model, {@code {"Function": "Equal", "Field": "appid", "Args": "1251763868"}}
 * ({@code Args} is a list for {@code In} and {@code NotIn}, absent for {@code Exists}), compiled once
 * and evaluated against a dimension map. The one evaluator every service uses: the policy API
 * validates with {@link #compile}, the detector and the notifier evaluate with {@link #test}.
 *
 * <p>Meaning, stated once:
 *
 * <ul>
 *   <li>Strings compare exactly: case-sensitive, code point by code point, no Unicode
 *       normalisation (a composed and a decomposed "é" differ, as they do in the stored dimension).
 *   <li>An absent dimension makes {@code Equal}, {@code In}, {@code Regex}, {@code Prefix} and
 *       {@code Contains} false, their negations true, and {@code Exists} false. An empty value is
 *       present.
 *   <li>{@code Regex} matches the whole value (as Prometheus does), Java syntax, at most {@value
 *       #MAX_PATTERN} characters; a pattern that does not compile is refused when saved.
 *   <li>{@code In}/{@code NotIn} take 1 to {@value #MAX_LIST} values; every other function but
 *       {@code Exists} takes exactly one text argument; {@code Exists} takes none.
 * </ul>
 *
 * @param field the dimension key the filter reads
 */
public record Filter(FilterFunction function, String field, List<String> args) {

  public static final int MAX_PATTERN = 1024;
  public static final int MAX_LIST = 1000;
  public static final int MAX_TEXT = 1024;

  public Filter {
    args = args == null ? List.of() : List.copyOf(args);
  }

  /**
   * Checks and compiles a filter as it arrives in JSON ({@code Args} a text or a list of texts).
   *
   * @param path where the filter stands in the request, for the error's field, e.g. {@code filters[2]}
   */
  public static Compiled compile(String path, String function, String field, Object args) {
    FilterFunction f;
    try {
      f = FilterFunction.valueOf(function == null ? "" : function);
    } catch (IllegalArgumentException e) {
      throw new InvalidFilterException(path + ".Function", "unknown function '" + function + "'; one of "
          + List.of(FilterFunction.values()));
    }
    if (field == null || field.isBlank() || field.length() > MAX_TEXT) {
      throw new InvalidFilterException(path + ".Field", "a dimension name is required (at most " + MAX_TEXT + ")");
    }
    List<String> values = new ArrayList<>();
    if (f == FilterFunction.Exists) {
      if (args != null && !(args instanceof List<?> l && l.isEmpty()) && !"".equals(args)) {
        throw new InvalidFilterException(path + ".Args", "Exists takes no argument");
      }
    } else if (f.takesList()) {
      if (!(args instanceof List<?> list) || list.isEmpty() || list.size() > MAX_LIST) {
        throw new InvalidFilterException(path + ".Args", f + " takes a list of 1 to " + MAX_LIST + " values");
      }
      for (int i = 0; i < list.size(); i++) {
        if (!(list.get(i) instanceof String s) || s.length() > MAX_TEXT) {
          throw new InvalidFilterException(path + ".Args[" + i + "]", "a text of at most " + MAX_TEXT + " characters");
        }
        values.add(s);
      }
    } else {
      if (!(args instanceof String s) || s.length() > (f == FilterFunction.Regex || f == FilterFunction.NotRegex
          ? MAX_PATTERN : MAX_TEXT)) {
        throw new InvalidFilterException(path + ".Args", f + " takes one text argument");
      }
      values.add(s);
    }
    return new Filter(f, field, values).compile(path);
  }

  /** Compiles a filter built in code (its arguments already shaped). */
  public Compiled compile(String path) {
    Pattern pattern = null;
    if (function == FilterFunction.Regex || function == FilterFunction.NotRegex) {
      try {
        pattern = Pattern.compile(args.get(0));
      } catch (PatternSyntaxException | IndexOutOfBoundsException e) {
        throw new InvalidFilterException(path + ".Args", "not a regular expression: "
            + (e instanceof PatternSyntaxException p ? p.getDescription() : "missing"));
      }
    }
    return new Compiled(this, pattern, function.takesList() ? Set.copyOf(new HashSet<>(args)) : Set.of());
  }

  /**
   * A filter ready to evaluate: the regex compiled, an {@code In} list hashed, and the field, function
   * and argument held here directly (a test reads no record or list: the detector runs millions of
   * them against cold memory). Immutable, thread-safe; equal when their filters are.
   */
  public static final class Compiled {
    private final Filter filter;
    private final FilterFunction function;
    private final String field;
    private final String arg;
    private final Pattern pattern;
    /** The fast path's program of a simple pattern ({@link SimpleRegex}); null: {@code java.util.regex} alone. */
    private final long[] simple;
    private final Set<String> set;

    private Compiled(Filter filter, Pattern pattern, Set<String> set) {
      this.filter = filter;
      this.function = filter.function();
      this.field = filter.field();
      this.arg = filter.args().isEmpty() ? null : filter.args().get(0);
      this.pattern = pattern;
      this.simple = pattern == null ? null : SimpleRegex.compile(pattern.pattern());
      this.set = set;
    }

    public Filter filter() {
      return filter;
    }

    /** Whether the dimensions pass this filter. */
    public boolean test(Map<String, String> dimensions) {
      return testValue(dimensions == null ? null : dimensions.get(field));
    }

    /** Whether a series whose dimension {@link Filter#field} has this value (null: absent) passes. */
    public boolean testValue(String value) {
      if (value == null) {
        return function.trueWhenAbsent();
      }
      return switch (function) {
        case Equal -> value.equals(arg);
        case NotEqual -> !value.equals(arg);
        case In -> set.contains(value);
        case NotIn -> !set.contains(value);
        case Regex -> regex(value);
        case NotRegex -> !regex(value);
        case Prefix -> value.startsWith(arg);
        case Contains -> value.contains(arg);
        case Exists -> true;
      };
    }

    /** The program of a simple pattern ({@link SimpleRegex}), or null; not to be changed. */
    long[] simpleProgram() {
      return simple;
    }

    FilterFunction function() {
      return function;
    }

    String argument() {
      return arg;
    }

    private boolean regex(String value) {
      if (simple != null) {
        int m = SimpleRegex.matches(simple, value);
        if (m != SimpleRegex.UNKNOWN) {
          return m == SimpleRegex.YES;
        }
      }
      return javaRegex(value);
    }

    /** The pattern run by {@code java.util.regex} alone (for a value the fast path has answered UNKNOWN). */
    boolean javaRegex(String value) {
      return pattern.matcher(value).matches();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Compiled c && filter.equals(c.filter);
    }

    @Override
    public int hashCode() {
      return filter.hashCode();
    }

    @Override
    public String toString() {
      return filter.toString();
    }
  }

  /** Whether the dimensions pass every filter (a policy's filters are ANDed); no filter passes all. */
  public static boolean all(List<Compiled> filters, Map<String, String> dimensions) {
    for (int i = 0, n = filters.size(); i < n; i++) {
      if (!filters.get(i).test(dimensions)) {
        return false;
      }
    }
    return true;
  }
}
