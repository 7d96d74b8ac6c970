package io.vigil.common.semantics;

import java.util.ArrayList;
import java.util.List;

/**
 * A fast path for the regular expressions policies mostly use, matched without {@code
 * java.util.regex}: alternatives of sequences of single characters, {@code .}, simple classes
 * ({@code [a-z0-9_]}, {@code [^-.]}, {@code \d}, {@code \w}, {@code \s} and their negations) with
 * the quantifiers {@code * + ? {n} {n,} {n,m}} (greedy or lazy: for a whole-value match the two
 * accept the same values). Anything else (groups, anchors, back-references, flags, possessive
 * quantifiers, class unions and intersections, non-ASCII class members, most escapes) is not
 * compiled here and the filter keeps {@code java.util.regex}.
 *
 * <p>A sequence is run as a Thompson automaton over a 64-bit set of positions: no allocation, no
 * backtracking, a few operations a character. The detector evaluates thousands of cold patterns a
 * second; a {@code Matcher} made for each and a cold {@code Pattern} walked by it were 40% of its
 * index match at a million policies.
 *
 * <p>The meaning is {@code Pattern.compile(p).matcher(v).matches()}, which {@code
 * SimpleRegexTest} checks on random patterns and values. {@code .} does not match the five line
 * terminators, as in Java without flags. Java matches by code point: a value holding a surrogate is
 * left to {@code java.util.regex} ({@link #UNKNOWN}), so {@code .} never has to mean a pair.
 */
abstract class SimpleRegex {

  static final int NO = 0;
  static final int YES = 1;
  /** The value holds a surrogate: ask {@code java.util.regex}. */
  static final int UNKNOWN = -1;

  /** The most positions a sequence may expand to (one bit each, and one for the end). */
  private static final int MAX_POSITIONS = 63;

  private SimpleRegex() {}

  /**
   * This pattern compiled for the fast path, or null when it uses anything the fast path does not do.
   * A pattern of one alternative (most are) is its {@link Sequence} itself: a cold pattern is then
   * one object and one array away from its filter.
   */
  static SimpleRegex compile(String pattern) {
    try {
      List<Sequence> alternatives = new ArrayList<>();
      Parser p = new Parser(pattern);
      do {
        alternatives.add(p.sequence());
      } while (p.eat('|'));
      if (!p.done()) {
        return null;
      }
      return alternatives.size() == 1 ? alternatives.get(0) : new Alternatives(alternatives);
    } catch (Unsupported e) {
      return null;
    }
  }

  /** {@link #YES}, {@link #NO}, or {@link #UNKNOWN} when the value holds a surrogate. */
  abstract int matches(String value);

  /**
   * Reads the memory {@link #matches} starts with, so that a caller testing many cold patterns can
   * bring them into cache together; the number means nothing.
   */
  abstract long warm();

  /** Several alternatives: a value matches when one of them does. */
  private static final class Alternatives extends SimpleRegex {
    private final Sequence[] alternatives;

    Alternatives(List<Sequence> alternatives) {
      this.alternatives = alternatives.toArray(Sequence[]::new);
    }

    @Override
    int matches(String value) {
      int answer = NO;
      for (Sequence s : alternatives) {
        int m = s.matches(value);
        if (m == YES) {
          return YES;
        }
        if (m == UNKNOWN) {
          answer = UNKNOWN;
        }
      }
      return answer;
    }

    @Override
    long warm() {
      return alternatives[0].warm();
    }
  }

  // ------------------------------------------------------------------ character sets

  private static final int SINGLE = 0;
  private static final int DOT = 1;
  private static final int ASCII = 2;

  /** One position's characters: one character, {@code .}, or an ASCII set (maybe negated). */
  private record CharSet(int kind, char single, long low, long high, boolean negated) {

    static CharSet single(char c) {
      return new CharSet(SINGLE, c, 0, 0, false);
    }

    static final CharSet DOT_SET = new CharSet(DOT, '\0', 0, 0, false);
  }

  /** An ASCII set being built. */
  private static final class Bits {
    long low;
    long high;

    void add(int c) {
      if (c < 64) {
        low |= 1L << c;
      } else {
        high |= 1L << (c - 64);
      }
    }

    void range(int from, int to) {
      for (int c = from; c <= to; c++) {
        add(c);
      }
    }

    /** {@code \d}, {@code \w} or {@code \s} (Java's ASCII meanings, without UNICODE_CHARACTER_CLASS). */
    void predefined(char which) {
      switch (which) {
        case 'd' -> range('0', '9');
        case 'w' -> {
          range('a', 'z');
          range('A', 'Z');
          range('0', '9');
          add('_');
        }
        case 's' -> {
          add(' ');
          add('\t');
          add('\n');
          add(0x0B);
          add('\f');
          add('\r');
        }
        default -> throw new Unsupported();
      }
    }
  }

  // ------------------------------------------------------------------ sequences

  /**
   * Positions {@code 0..n-1}, each a character set that is required, optional, or repeated (a star:
   * optional and looping); bit {@code n} is the end. Packed into one array of longs, three a position
   * (kind, flags and single character; the low and high halves of an ASCII set), and the leading
   * literal characters into a long, so that a cold pattern costs this object and one array: the
   * detector evaluates thousands of distinct patterns, each rarely in cache.
   */
  private static final class Sequence extends SimpleRegex {
    private static final long NEGATED = 1L << 8;
    private static final long STAR = 1L << 9;

    final long[] code;
    final long optional; // bit j: position j may be skipped
    final int n;
    /** Up to 8 leading required single characters below 256, 8 bits each, checked before anything else. */
    final long prefixBits;
    final int prefixLength;
    /** The leading literal when it is longer or wider than {@link #prefixBits} holds; else null. */
    final String longPrefix;
    final long start;

    Sequence(List<CharSet> sets, List<Boolean> optionals, List<Boolean> stars) {
      this.n = sets.size();
      this.code = new long[3 * n];
      long opt = 0;
      for (int j = 0; j < n; j++) {
        CharSet c = sets.get(j);
        code[3 * j] = c.kind() | (c.negated() ? NEGATED : 0) | (stars.get(j) ? STAR : 0) | ((long) c.single() << 16);
        code[3 * j + 1] = c.low();
        code[3 * j + 2] = c.high();
        if (optionals.get(j)) {
          opt |= 1L << j;
        }
      }
      this.optional = opt;
      StringBuilder p = new StringBuilder();
      while (p.length() < n && sets.get(p.length()).kind() == SINGLE && !optionals.get(p.length())) {
        p.append(sets.get(p.length()).single());
      }
      this.prefixLength = p.length();
      boolean narrow = p.length() <= 8 && p.chars().allMatch(c -> c < 256);
      long bits = 0;
      for (int i = 0; narrow && i < p.length(); i++) {
        bits |= (long) p.charAt(i) << (8 * i);
      }
      this.prefixBits = bits;
      this.longPrefix = narrow ? null : p.toString();
      this.start = closure(1L << prefixLength);
    }

    /** The state with every position an optional one lets the automaton skip to. */
    private long closure(long state) {
      long x = state;
      while (true) {
        long more = ((x & optional) << 1) & ~x;
        if (more == 0) {
          return x;
        }
        x |= more;
      }
    }

    private boolean contains(int j, char c) {
      long head = code[3 * j];
      int kind = (int) (head & 0xff);
      if (kind == SINGLE) {
        return c == (char) (head >>> 16);
      }
      if (kind == DOT) {
        return c != '\n' && c != '\r' && c != '\u0085' && c != '\u2028' && c != '\u2029';
      }
      boolean in = c < 64 ? (code[3 * j + 1] >>> c & 1) != 0 : c < 128 && (code[3 * j + 2] >>> (c - 64) & 1) != 0;
      return in != ((head & NEGATED) != 0);
    }

    private boolean hasPrefix(String value) {
      if (longPrefix != null) {
        return value.startsWith(longPrefix);
      }
      if (value.length() < prefixLength) {
        return false;
      }
      long bits = prefixBits;
      for (int i = 0; i < prefixLength; i++, bits >>>= 8) {
        if (value.charAt(i) != (char) (bits & 0xff)) {
          return false;
        }
      }
      return true;
    }

    @Override
    long warm() {
      // the first position the automaton reads, past the literal prefix it checks from a long
      long n = prefixBits + (longPrefix == null ? 0 : longPrefix.length());
      return code.length == 0 ? n : n + code[Math.min(code.length - 1, 3 * prefixLength)];
    }

    @Override
    int matches(String value) {
      // the prefix's characters are no surrogates: a value without them cannot match in Java either
      if (!hasPrefix(value)) {
        return NO;
      }
      long state = start;
      for (int i = prefixLength; i < value.length(); i++) {
        char c = value.charAt(i);
        if (Character.isSurrogate(c)) {
          return UNKNOWN;
        }
        long next = 0;
        for (long s = state; s != 0; s &= s - 1) {
          int j = Long.numberOfTrailingZeros(s);
          if (j < n && contains(j, c)) {
            next |= (code[3 * j] & STAR) != 0 ? 1L << j : 1L << (j + 1);
          }
        }
        if (next == 0) {
          // no prefix of the value matches: java.util.regex, reading the same code points, agrees
          return NO;
        }
        state = closure(next);
      }
      return (state >>> n & 1) != 0 ? YES : NO;
    }
  }

  // ------------------------------------------------------------------ parsing

  /** Thrown inside the parser for anything the fast path does not do. */
  private static final class Unsupported extends RuntimeException {
    Unsupported() {
      super(null, null, false, false);
    }
  }

  private static final class Parser {
    private final String p;
    private int at;

    Parser(String pattern) {
      this.p = pattern;
    }

    boolean done() {
      return at == p.length();
    }

    boolean eat(char c) {
      if (at < p.length() && p.charAt(at) == c) {
        at++;
        return true;
      }
      return false;
    }

    Sequence sequence() {
      List<CharSet> sets = new ArrayList<>();
      List<Boolean> optionals = new ArrayList<>();
      List<Boolean> stars = new ArrayList<>();
      while (at < p.length() && p.charAt(at) != '|') {
        CharSet atom = atom();
        int min = 1;
        int max = 1; // -1: unbounded
        if (at < p.length()) {
          char q = p.charAt(at);
          if (q == '*' || q == '+' || q == '?') {
            at++;
            min = q == '+' ? 1 : 0;
            max = q == '?' ? 1 : -1;
            modifier();
          } else if (q == '{') {
            at++;
            min = number();
            max = min;
            if (eat(',')) {
              max = at < p.length() && p.charAt(at) == '}' ? -1 : number();
            }
            if (!eat('}') || (max >= 0 && max < min)) {
              throw new Unsupported();
            }
            modifier();
          }
        }
        for (int k = 0; k < min; k++) {
          sets.add(atom);
          optionals.add(false);
          stars.add(false);
        }
        if (max < 0) {
          sets.add(atom);
          optionals.add(true);
          stars.add(true);
        } else {
          for (int k = min; k < max; k++) {
            sets.add(atom);
            optionals.add(true);
            stars.add(false);
          }
        }
        if (sets.size() > MAX_POSITIONS) {
          throw new Unsupported();
        }
      }
      return new Sequence(sets, optionals, stars);
    }

    /** After a quantifier: lazy is the same language; possessive is not (it never gives back). */
    private void modifier() {
      if (at < p.length()) {
        char m = p.charAt(at);
        if (m == '?') {
          at++;
        } else if (m == '+' || m == '*' || m == '{') {
          throw new Unsupported();
        }
      }
    }

    private int number() {
      int start = at;
      while (at < p.length() && p.charAt(at) >= '0' && p.charAt(at) <= '9' && at - start < 3) {
        at++;
      }
      if (at == start || (at < p.length() && Character.isDigit(p.charAt(at)))) {
        throw new Unsupported();
      }
      return Integer.parseInt(p, start, at, 10);
    }

    private CharSet atom() {
      char c = p.charAt(at++);
      switch (c) {
        case '.':
          return CharSet.DOT_SET;
        case '[':
          return charClass();
        case '\\':
          return escape();
        case '(', ')', '^', '$', '*', '+', '?', '{', '}', ']':
          throw new Unsupported();
        default:
          if (Character.isSurrogate(c)) {
            throw new Unsupported();
          }
          return CharSet.single(c);
      }
    }

    private CharSet escape() {
      if (at >= p.length()) {
        throw new Unsupported();
      }
      char e = p.charAt(at++);
      if (e == 'd' || e == 'w' || e == 's' || e == 'D' || e == 'W' || e == 'S') {
        Bits b = new Bits();
        b.predefined(Character.toLowerCase(e));
        return new CharSet(ASCII, '\0', b.low, b.high, Character.isUpperCase(e));
      }
      if (e < 128 && !Character.isLetterOrDigit(e)) {
        return CharSet.single(e); // an escaped punctuation character is itself
      }
      throw new Unsupported(); // word boundaries, quoting, properties, back-references, control and hex escapes: java.util.regex
    }

    private CharSet charClass() {
      boolean negated = eat('^');
      if (at >= p.length() || p.charAt(at) == ']') {
        throw new Unsupported();
      }
      Bits b = new Bits();
      while (true) {
        if (at >= p.length()) {
          throw new Unsupported();
        }
        char c = p.charAt(at++);
        if (c == ']') {
          break;
        }
        int from;
        if (c == '[' || c == '&') {
          throw new Unsupported(); // unions and intersections
        } else if (c == '\\') {
          if (at >= p.length()) {
            throw new Unsupported();
          }
          char e = p.charAt(at++);
          if (e == 'd' || e == 'w' || e == 's') {
            b.predefined(e);
            continue;
          }
          if (e >= 128 || Character.isLetterOrDigit(e)) {
            throw new Unsupported();
          }
          from = e;
        } else if (c >= 128) {
          throw new Unsupported();
        } else {
          from = c;
        }
        if (at + 1 < p.length() && p.charAt(at) == '-' && p.charAt(at + 1) != ']') {
          char to = p.charAt(at + 1);
          if (to == '\\' || to == '[' || to == '&' || to >= 128 || to < from) {
            throw new Unsupported();
          }
          at += 2;
          b.range(from, to);
        } else {
          b.add(from);
        }
      }
      return new CharSet(ASCII, '\0', b.low, b.high, negated);
    }
  }
}
