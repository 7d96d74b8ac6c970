package io.vigil.common.semantics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;

/**
 * A pack against the filters it was made of: random conjunctions of every function over three
 * fields (patterns from {@link SimpleRegexTest}, simple and not), evaluated on random series, some
 * values absent, empty, or holding surrogates. Seeded, so a failure names its case.
 */
class FilterPackTest {

  static final String[] FIELDS = {"appid", "instance", "host"};
  /** Their numbers, the last past 16 bits. */
  static final int[] NUMBERS = {0, 1, 70_000};

  static Filter.Compiled randomFilter(Random r) {
    FilterFunction function = FilterFunction.values()[r.nextInt(FilterFunction.values().length)];
    String field = FIELDS[r.nextInt(FIELDS.length)];
    Object args;
    if (function == FilterFunction.Exists) {
      args = null;
    } else if (function.takesList()) {
      List<String> list = new ArrayList<>();
      for (int i = 1 + r.nextInt(3); i > 0; i--) {
        list.add(SimpleRegexTest.value(r));
      }
      args = list;
    } else if (function == FilterFunction.Regex || function == FilterFunction.NotRegex) {
      args = SimpleRegexTest.pattern(r);
    } else {
      // short arguments, often an exact piece of a value, so that Equal, Prefix and Contains pass too
      args = r.nextInt(5) == 0 ? "" : SimpleRegexTest.VALUE_PARTS[r.nextInt(SimpleRegexTest.VALUE_PARTS.length)]
          + (r.nextBoolean() ? "" : SimpleRegexTest.value(r));
      if (r.nextInt(10) == 0) {
        // about the longest argument held in place (120 characters), either side of it
        args = "a".repeat(115 + r.nextInt(10)) + args;
      }
    }
    return Filter.compile("filters[0]", function.name(), field, args);
  }

  static Map<String, String> randomSeries(Random r) {
    Map<String, String> dims = new HashMap<>();
    for (String f : FIELDS) {
      if (r.nextInt(5) > 0) {
        dims.put(f, (r.nextInt(10) == 0 ? "a".repeat(120) : "") + SimpleRegexTest.value(r));
      }
    }
    return dims;
  }

  @Test
  void passesExactlyWhatTheFiltersPass() {
    int passed = 0;
    int failed = 0;
    String[] values = new String[NUMBERS[NUMBERS.length - 1] + 1];
    for (long seed = 1; seed <= 3000; seed++) {
      Random r = new Random(seed);
      List<Filter.Compiled[]> conjunctions = new ArrayList<>();
      for (int c = r.nextInt(5); c >= 0; c--) {
        List<Filter.Compiled> filters = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
          try {
            filters.add(randomFilter(r));
          } catch (InvalidFilterException | PatternSyntaxException e) {
            // a pattern that does not compile is never saved
          }
        }
        conjunctions.add(filters.toArray(Filter.Compiled[]::new));
      }
      List<Object> references = new ArrayList<>();
      references.add("someone else's"); // the pack's places count from wherever the caller's list is
      // some conjunctions left to their filters, as the detector does for a policy of many combinations
      boolean[] inPlace = new boolean[conjunctions.size()];
      for (int i = 0; i < inPlace.length; i++) {
        inPlace[i] = r.nextInt(4) > 0;
      }
      long[] alone = FilterPack.pack(seed, conjunctions, inPlace, f -> NUMBERS[List.of(FIELDS).indexOf(f)],
          references);
      // read where a caller keeps it, behind others' longs
      int base = r.nextInt(20);
      long[] pack = new long[base + alone.length + r.nextInt(3)];
      System.arraycopy(alone, 0, pack, base, alone.length);
      Object[] refs = references.toArray();
      assertThat(FilterPack.word(pack, base)).isEqualTo(seed);
      assertThat(FilterPack.conjunctions(pack, base)).isEqualTo(conjunctions.size());
      assertThat(FilterPack.length(pack, base)).isEqualTo(alone.length);
      for (int s = 0; s < 20; s++) {
        Map<String, String> dims = randomSeries(r);
        for (int f = 0; f < FIELDS.length; f++) {
          values[NUMBERS[f]] = dims.get(FIELDS[f]);
        }
        int at = FilterPack.first(base);
        for (Filter.Compiled[] conjunction : conjunctions) {
          boolean expected = Filter.all(List.of(conjunction), dims);
          assertThat(FilterPack.passes(pack, at, values, refs)).as("seed %d: %s on %s", seed, List.of(conjunction),
              dims).isEqualTo(expected);
          if (expected) {
            passed++;
          } else {
            failed++;
          }
          at = FilterPack.next(pack, at);
        }
        assertThat(at).isEqualTo(base + alone.length);
      }
    }
    // both answers were seen often enough to mean something
    assertThat(passed).isGreaterThan(5000);
    assertThat(failed).isGreaterThan(5000);
  }

  @Test
  void holdsArgumentsAndSimplePatternsInPlace() {
    Filter.Compiled prefix = Filter.compile("f", "Prefix", "host", "web-");
    Filter.Compiled contains = Filter.compile("f", "Contains", "host", "b-1");
    Filter.Compiled regex = Filter.compile("f", "Regex", "instance", "ins-1-[0-4].*");
    Filter.Compiled notRegex = Filter.compile("f", "NotRegex", "instance", "(ins)-9");
    Filter.Compiled in = Filter.compile("f", "In", "host", List.of("web-1", "web-2"));
    List<Object> references = new ArrayList<>();
    long[] pack = FilterPack.pack(7, List.of(new Filter.Compiled[] {prefix, contains},
        new Filter.Compiled[] {regex, notRegex, in}, new Filter.Compiled[0]), List.of(FIELDS)::indexOf, references);
    // the simple pattern's filter is kept for values with surrogates; the others are evaluated by it
    assertThat(references).containsExactly(regex, notRegex, in);
    String[] values = {null, "ins-1-3x", "web-12"};
    int first = FilterPack.first(0);
    int second = FilterPack.next(pack, first);
    int third = FilterPack.next(pack, second);
    assertThat(FilterPack.passes(pack, first, values, references.toArray())).isTrue();
    assertThat(FilterPack.passes(pack, second, values, references.toArray())).isFalse(); // web-12 is not In
    assertThat(FilterPack.passes(pack, third, values, references.toArray())).isTrue();
    values[2] = "web-2";
    assertThat(FilterPack.passes(pack, first, values, references.toArray())).isFalse(); // no "b-1"
    assertThat(FilterPack.passes(pack, second, values, references.toArray())).isTrue();
    values[1] = "ins-1-\uD83D\uDE00"; // a surrogate: java.util.regex decides, and says no
    assertThat(FilterPack.passes(pack, second, values, references.toArray())).isFalse();
    assertThat(FilterPack.warm(pack, 0, FilterPack.length(pack, 0))).isNotZero();
  }

  @Test
  void leavesLongArgumentsAndProgramsToTheirFilters() {
    String held = "x".repeat(4 * (FilterPack.MAX_IN_PLACE - 2));
    Filter.Compiled fits = Filter.compile("f", "Equal", "host", held);
    Filter.Compiled tooLong = Filter.compile("f", "Prefix", "host", held + "x");
    Filter.Compiled longPattern = Filter.compile("f", "Regex", "host", "[x-y]{40}.*"); // 41 positions, 3 longs each
    List<Object> references = new ArrayList<>();
    long[] pack = FilterPack.pack(0, List.<Filter.Compiled[]>of(new Filter.Compiled[] {fits},
        new Filter.Compiled[] {tooLong}, new Filter.Compiled[] {longPattern}), x -> 0, references);
    assertThat(references).containsExactly(tooLong, longPattern);
    // the first held in place, the other two two longs each
    assertThat(FilterPack.length(pack, 0)).isEqualTo(2 + (1 + FilterPack.MAX_IN_PLACE) + 2 * (1 + 2));
    int first = FilterPack.first(0);
    int second = FilterPack.next(pack, first);
    int third = FilterPack.next(pack, second);
    Object[] refs = references.toArray();
    assertThat(FilterPack.passes(pack, first, new String[] {held}, refs)).isTrue();
    assertThat(FilterPack.passes(pack, first, new String[] {held + "x"}, refs)).isFalse();
    assertThat(FilterPack.passes(pack, second, new String[] {held + "xy"}, refs)).isTrue();
    assertThat(FilterPack.passes(pack, second, new String[] {held}, refs)).isFalse();
    assertThat(FilterPack.passes(pack, third, new String[] {"x".repeat(41)}, refs)).isTrue();
    assertThat(FilterPack.passes(pack, third, new String[] {"x".repeat(39)}, refs)).isFalse();
  }

  @Test
  void refusesAFieldNumberOutOfRange() {
    Filter.Compiled f = Filter.compile("f", "Exists", "host", null);
    List<Filter.Compiled[]> one = List.<Filter.Compiled[]>of(new Filter.Compiled[] {f});
    assertThatThrownBy(() -> FilterPack.pack(0, one, x -> -1, new ArrayList<>()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
