package io.vigil.common.semantics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;

/**
 * The fast path against {@code java.util.regex}: random patterns of the shapes it takes (and of
 * some it must refuse), random values over an alphabet with line terminators, non-ASCII letters and
 * surrogate pairs. Seeded, so a failure names its pattern and value.
 */
class SimpleRegexTest {

  static final String[] LITERALS = {"a", "b", "c", "-", "_", " ", "0", "9", "é", "Z", ":", "/", ",", "ж"};
  static final String[] ESCAPES = {"\\d", "\\w", "\\s", "\\D", "\\W", "\\S", "\\.", "\\-", "\\\\", "\\/", "\\["};
  static final String[] CLASS_ITEMS = {"a", "b-d", "0-9", "_", "-", "\\d", "\\w", "\\s", "\\]", "\\-", ".", "^", " ",
      "A-Z", "\\\\"};
  static final String[] QUANTIFIERS = {"", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "{2,}", "*?", "+?", "{0}"};
  /** Things the fast path leaves to java.util.regex. */
  static final String[] REFUSED = {"(a|b)", "^", "$", "\\b", "a*+", "[a&&b]", "[é]", "\\p{L}", "(?i)a", "\\Q.\\E",
      "[[a]b]", "\\t", "\\u0041", "\\x41"};
  static final String[] VALUE_PARTS = {"a", "b", "c", "-", "_", " ", "0", "5", "9", "é", "Z", ":", "/", ",", ".",
      "\n", "\r", "\u0085", "\u2028", "\t", "\\", "[", "]", "^", "\uD83D\uDE00", "ab", "abc", "ж", "aaaaaaaaa"};

  static String atom(Random r) {
    int kind = r.nextInt(10);
    if (kind < 4) {
      return LITERALS[r.nextInt(LITERALS.length)];
    }
    if (kind < 6) {
      return ".";
    }
    if (kind < 8) {
      return ESCAPES[r.nextInt(ESCAPES.length)];
    }
    StringBuilder c = new StringBuilder("[");
    if (r.nextInt(3) == 0) {
      c.append('^');
    }
    int n = 1 + r.nextInt(3);
    for (int i = 0; i < n; i++) {
      String item = CLASS_ITEMS[r.nextInt(CLASS_ITEMS.length)];
      if (i == 0 && item.equals("^")) {
        item = "a";
      }
      c.append(item);
    }
    return c.append(']').toString();
  }

  static String pattern(Random r) {
    StringBuilder p = new StringBuilder();
    int alternatives = r.nextInt(5) == 0 ? 2 + r.nextInt(2) : 1;
    for (int a = 0; a < alternatives; a++) {
      if (a > 0) {
        p.append('|');
      }
      int atoms = r.nextInt(6);
      for (int i = 0; i < atoms; i++) {
        if (r.nextInt(40) == 0) {
          p.append(REFUSED[r.nextInt(REFUSED.length)]);
          continue;
        }
        p.append(atom(r)).append(QUANTIFIERS[r.nextInt(QUANTIFIERS.length)]);
      }
    }
    return p.toString();
  }

  static String value(Random r) {
    StringBuilder v = new StringBuilder();
    int n = r.nextInt(8);
    for (int i = 0; i < n; i++) {
      v.append(VALUE_PARTS[r.nextInt(VALUE_PARTS.length)]);
    }
    return v.toString();
  }

  @Test
  void answersExactlyWhatJavaRegexAnswers() {
    int compiled = 0;
    int judged = 0;
    for (long seed = 1; seed <= 4000; seed++) {
      Random r = new Random(seed);
      String p = pattern(r);
      Pattern java;
      try {
        java = Pattern.compile(p);
      } catch (PatternSyntaxException e) {
        continue; // never saved as a filter
      }
      long[] fast = SimpleRegex.compile(p);
      if (fast == null) {
        continue;
      }
      compiled++;
      for (int i = 0; i < 60; i++) {
        String v = i == 0 ? "" : value(r);
        int m = SimpleRegex.matches(fast, v);
        if (m == SimpleRegex.UNKNOWN) {
          assertThat(v.chars().anyMatch(c -> Character.isSurrogate((char) c)))
              .as("only a surrogate makes it unknown: /%s/ on %s", p, v).isTrue();
          continue;
        }
        judged++;
        assertThat(m == SimpleRegex.YES).as("seed %d: /%s/ on \"%s\"", seed, p, v)
            .isEqualTo(java.matcher(v).matches());
      }
    }
    assertThat(compiled).as("most generated patterns take the fast path").isGreaterThan(2500);
    assertThat(judged).isGreaterThan(100_000);
  }

  @Test
  void leavesWhatItDoesNotDoToJavaRegex() {
    for (String p : REFUSED) {
      assertThat(SimpleRegex.compile("a" + p)).as(p).isNull();
    }
    assertThat(SimpleRegex.compile("a{1,2000}")).as("too many positions").isNull();
    assertThat(SimpleRegex.compile("ins-[0-9]+")).isNotNull();
  }

  @Test
  void patternsAtTheLimitsOfTheProgramAnswerAsJavaDoes() {
    // 63 positions (the end is bit 63), long literals (many longs of four characters), and a literal
    // followed by an optional or repeated position
    String[] patterns = {"a{63}", "a{62}b?", "a{62}b*", "a{61}[bc]{2}", "abcdefghijklmnopqrstuvwxyz0123456789.*",
        "ins-1234567890-[0-9]+", "abcd", "abcdefgh", "ab?", "ab*c", "abc|abd|ab", "", "x{3,5}y"};
    String[] values = {"", "a", "a".repeat(62), "a".repeat(63), "a".repeat(64), "a".repeat(62) + "b",
        "a".repeat(62) + "bb", "a".repeat(61) + "bc", "a".repeat(61) + "bd",
        "abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz012345678",
        "abcdefghijklmnopqrstuvwxyz0123456789!",
        "ins-1234567890-7", "ins-1234567890-", "ins-1234567891-7", "abcd", "abc", "abcdefgh", "abcdefgi", "ab", "abb",
        "abbbc", "ac", "abd", "xxxy", "xxxxxxy", "xxy"};
    for (String p : patterns) {
      long[] program = SimpleRegex.compile(p);
      assertThat(program).as(p).isNotNull();
      for (String v : values) {
        assertThat(SimpleRegex.matches(program, v) == SimpleRegex.YES).as("/%s/ on %s", p, v)
            .isEqualTo(Pattern.compile(p).matcher(v).matches());
      }
    }
    assertThat(SimpleRegex.compile("a{63}b*")).as("64 positions").isNull();
    assertThat(SimpleRegex.compile("a{64}")).as("64 positions").isNull();
  }

  @Test
  void onlyASurrogateTheAutomatonMustReadMakesAnAnswerUnknown() {
    long[] program = SimpleRegex.compile("ab.*|x");
    assertThat(SimpleRegex.matches(program, "zz\uD83D\uDE00")).as("the literals already fail")
        .isEqualTo(SimpleRegex.NO);
    assertThat(SimpleRegex.matches(program, "ab\uD83D\uDE00")).isEqualTo(SimpleRegex.UNKNOWN);
    long[] either = SimpleRegex.compile(".*|a.*");
    assertThat(SimpleRegex.matches(either, "a\uD83D\uDE00")).as("unknown, unknown").isEqualTo(SimpleRegex.UNKNOWN);
    long[] second = SimpleRegex.compile("a.*|\\w{2}");
    assertThat(SimpleRegex.matches(second, "b-\uD83D\uDE00")).as("both fail before the surrogate")
        .isEqualTo(SimpleRegex.NO);
    assertThat(SimpleRegex.matches(second, "bb\uD83D\uDE00")).as("the automaton reaches it")
        .isEqualTo(SimpleRegex.UNKNOWN);
  }

  @Test
  void theFilterGivesJavasAnswerWhateverPathItTakes() {
    String[] patterns = {"ins-[0-9]+", ".*web.*", "a.b", "(a|b)c", "web-\\d{2}", "ins-1234-abcd-[0-9].*", "жж-\\d"};
    String[] values = {"ins-12", "ins-", "xwebx", "x\nweb", "a\uD83D\uDE00b", "axb", "ac", "bc", "web-07", "web-7",
        "ins-1234-abcd-7x", "ins-1234-abcd-", "ins-1234-abce-7", "жж-5", "жж-", "жэ-5"};
    for (String p : patterns) {
      Filter.Compiled f = Filter.compile("filters[0]", "Regex", "host", p);
      Filter.Compiled not = Filter.compile("filters[0]", "NotRegex", "host", p);
      for (String v : values) {
        boolean expected = Pattern.compile(p).matcher(v).matches();
        assertThat(f.test(java.util.Map.of("host", v))).as("/%s/ on %s", p, v).isEqualTo(expected);
        assertThat(not.test(java.util.Map.of("host", v))).isEqualTo(!expected);
      }
    }
  }
}
