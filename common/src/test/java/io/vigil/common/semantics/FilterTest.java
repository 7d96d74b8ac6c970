package io.vigil.common.semantics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The filter evaluator's meaning, one row per rule: present, absent, empty, unicode, regex anchoring. */
class FilterTest {

  private static final Map<String, String> DIMS = Map.of(
      "appid", "1251763868",
      "region", "ap-guangzhou",
      "name", "web-01.prod",
      "empty", "",
      "composed", "caf\u00e9",
      "emoji", "\uD83D\uDE00-host");

  static Stream<Arguments> table() {
    return Stream.of(
        // function, field, args, expected
        Arguments.of("Equal", "appid", "1251763868", true),
        Arguments.of("Equal", "appid", "125176386", false),
        Arguments.of("Equal", "region", "AP-GUANGZHOU", false), // case-sensitive
        Arguments.of("Equal", "missing", "x", false),
        Arguments.of("Equal", "empty", "", true),
        Arguments.of("Equal", "composed", "cafe\u0301", false), // no normalisation: decomposed differs
        Arguments.of("Equal", "composed", "caf\u00e9", true),
        Arguments.of("NotEqual", "appid", "1", true),
        Arguments.of("NotEqual", "appid", "1251763868", false),
        Arguments.of("NotEqual", "missing", "x", true),
        Arguments.of("In", "region", List.of("ap-beijing", "ap-guangzhou"), true),
        Arguments.of("In", "region", List.of("ap-beijing"), false),
        Arguments.of("In", "missing", List.of("x"), false),
        Arguments.of("NotIn", "region", List.of("ap-beijing"), true),
        Arguments.of("NotIn", "region", List.of("ap-guangzhou"), false),
        Arguments.of("NotIn", "missing", List.of("x"), true),
        Arguments.of("Regex", "name", "web-\\d+\\.prod", true),
        Arguments.of("Regex", "name", "web", false), // anchored: a part is not a match
        Arguments.of("Regex", "name", ".*prod", true),
        Arguments.of("Regex", "emoji", "\\p{So}-host", true), // a code point, not two UTF-16 units
        Arguments.of("Regex", "missing", ".*", false),
        Arguments.of("NotRegex", "name", "web", true),
        Arguments.of("NotRegex", "name", "web-.*", false),
        Arguments.of("NotRegex", "missing", ".*", true),
        Arguments.of("Prefix", "name", "web-", true),
        Arguments.of("Prefix", "name", "prod", false),
        Arguments.of("Prefix", "missing", "", false),
        Arguments.of("Contains", "name", "01.pr", true),
        Arguments.of("Contains", "name", "02", false),
        Arguments.of("Contains", "emoji", "\uD83D\uDE00", true),
        Arguments.of("Exists", "empty", null, true),
        Arguments.of("Exists", "appid", null, true),
        Arguments.of("Exists", "missing", null, false));
  }

  @ParameterizedTest(name = "{0}({1}, {2}) = {3}")
  @MethodSource("table")
  void evaluates(String function, String field, Object args, boolean expected) {
    Filter.Compiled filter = Filter.compile("filters[0]", function, field, args);
    assertThat(filter.test(DIMS)).isEqualTo(expected);
    // packed for the detector's index, alone, it answers the same
    java.util.List<Object> references = new java.util.ArrayList<>();
    long[] pack = FilterPack.pack(0, List.<Filter.Compiled[]>of(new Filter.Compiled[] {filter}), f -> 0, references);
    assertThat(FilterPack.passes(pack, FilterPack.first(0), new String[] {DIMS.get(field)}, references.toArray()))
        .isEqualTo(expected);
  }

  @Test
  void aPolicysFiltersAreAnded() {
    var filters = List.of(Filter.compile("filters[0]", "Equal", "appid", "1251763868"),
        Filter.compile("filters[1]", "Prefix", "name", "web-"));
    assertThat(Filter.all(filters, DIMS)).isTrue();
    assertThat(Filter.all(List.of(filters.get(0), Filter.compile("filters[1]", "Exists", "missing", null)), DIMS))
        .isFalse();
    assertThat(Filter.all(List.of(), DIMS)).as("no filter passes everything").isTrue();
    assertThat(Filter.all(filters, null)).as("no dimensions: as if all are absent").isFalse();
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("Equals", "appid", "1", "filters[3].Function"),
        Arguments.of(null, "appid", "1", "filters[3].Function"),
        Arguments.of("Equal", "", "1", "filters[3].Field"),
        Arguments.of("Equal", "appid", List.of("1"), "filters[3].Args"),
        Arguments.of("Equal", "appid", null, "filters[3].Args"),
        Arguments.of("In", "appid", "1", "filters[3].Args"),
        Arguments.of("In", "appid", List.of(), "filters[3].Args"),
        Arguments.of("In", "appid", List.of("1", 2), "filters[3].Args[1]"),
        Arguments.of("Regex", "name", "web-(", "filters[3].Args"),
        Arguments.of("Regex", "name", "a".repeat(Filter.MAX_PATTERN + 1), "filters[3].Args"),
        Arguments.of("Exists", "name", "x", "filters[3].Args"));
  }

  @ParameterizedTest(name = "{0}({1}, {2}) refused at {3}")
  @MethodSource("refused")
  void refusesWhatCannotBeEvaluatedNamingTheField(String function, String field, Object args, String at) {
    assertThatThrownBy(() -> Filter.compile("filters[3]", function, field, args))
        .isInstanceOf(InvalidFilterException.class)
        .satisfies(e -> assertThat(((InvalidFilterException) e).field()).isEqualTo(at));
  }
}
