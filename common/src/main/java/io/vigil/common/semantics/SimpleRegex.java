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
final class SimpleRegex {

  static final int NO = 0;
  static final int YES = 1;
  /** The value holds a surrogate: ask {@code java.util.regex}. */
  static final int UNKNOWN = -1;

  /** The most positions a sequence may expand to (one bit each, and one for the end). */
  private static final int MAX_POSITIONS = 63;

  private SimpleRegex() {}

  /**
   * This pattern compiled for the fast path as one program (the layout is under "programs" below),
   * or null when it uses anything the fast path does not do.
   */
  static long[] compile(String pattern) {
    try {
      List<Sequence> alternatives = new ArrayList<>();
      Parser p = new Parser(pattern);
      do {
        alternatives.add(p.sequence());
      } while (p.eat('|'));
      if (!p.done()) {
        return null;
      }
      return program(alternatives);
    } catch (Unsupported e) {
      return null;
    }
  }

  /** {@link #YES}, {@link #NO}, or {@link #UNKNOWN} when the value holds a surrogate. */
  static int matches(long[] program, String value) {
    return matches(program, 0, value);
  }

  /**
   * The same, for a program copied into a larger array at {@code start} (as {@link FilterPack} keeps
   * it, beside the rest of a bucket's filters).
   */
  static int matches(long[] program, int start, String value) {
    int answer = NO;
    int at = start + 1;
    for (long a = program[start]; a > 0; a--, at += blockLength(program[at])) {
      int m = matchesSequence(program, at, value);
      if (m == YES) {
        return YES;
      }
      if (m == UNKNOWN) {
        answer = UNKNOWN;
      }
    }
    return answer;
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

  // ------------------------------------------------------------------ programs

  /*
   * A program is one array of longs, so that a cold pattern costs its filter and this array (a line
   * or two) and nothing else: the detector evaluates thousands of distinct patterns, each rarely in
   * cache. [0] holds the number of alternatives; then each alternative's block:
   *   [0] its positions n (bits 0-7), its leading literal's length L (bits 8-15), the block's length
   *       in longs (bits 16-31);
   *   [1] the optional positions (bit j: position j may be skipped);
   *   [2] the start state: the positions after the literal, with those an optional one lets it skip to;
   *   then the literal's characters, four to a long (16 bits each), checked before anything else;
   *   then three longs per position from L to n - 1 (the literal's are never read): kind, flags and
   *   single character; the low and high halves of an ASCII set.
   * Positions 0..n-1 of a sequence are each a character set that is required, optional, or repeated
   * (a star: optional and looping); bit n of a state is the end. The sequence runs as a Thompson
   * automaton over a 64-bit set of positions: no allocation, no backtracking.
   */

  private static final long NEGATED = 1L << 8;
  private static final long STAR = 1L << 9;

  /** A sequence as the parser builds it. */
  private record Sequence(List<CharSet> sets, List<Boolean> optionals, List<Boolean> stars) {}

  private static int blockLength(long head) {
    return (int) (head >>> 16 & 0xffff);
  }

  private static long[] program(List<Sequence> alternatives) {
    List<long[]> blocks = new ArrayList<>();
    int total = 1;
    for (Sequence q : alternatives) {
      long[] b = block(q);
      blocks.add(b);
      total += b.length;
    }
    long[] program = new long[total];
    program[0] = alternatives.size();
    int at = 1;
    for (long[] b : blocks) {
      System.arraycopy(b, 0, program, at, b.length);
      at += b.length;
    }
    return program;
  }

  private static long[] block(Sequence q) {
    int n = q.sets().size();
    long optional = 0;
    for (int j = 0; j < n; j++) {
      if (q.optionals().get(j)) {
        optional |= 1L << j;
      }
    }
    int literal = 0;
    while (literal < n && q.sets().get(literal).kind() == SINGLE && !q.optionals().get(literal)) {
      literal++;
    }
    int literalLongs = (literal + 3) / 4;
    long[] b = new long[3 + literalLongs + 3 * (n - literal)];
    b[0] = n | (long) literal << 8 | (long) b.length << 16;
    b[1] = optional;
    b[2] = closure(1L << literal, optional);
    for (int i = 0; i < literal; i++) {
      b[3 + (i >> 2)] |= (long) q.sets().get(i).single() << ((i & 3) << 4);
    }
    int code = 3 + literalLongs;
    for (int j = literal; j < n; j++) {
      CharSet c = q.sets().get(j);
      int k = code + 3 * (j - literal);
      b[k] = c.kind() | (c.negated() ? NEGATED : 0) | (q.stars().get(j) ? STAR : 0) | ((long) c.single() << 16);
      b[k + 1] = c.low();
      b[k + 2] = c.high();
    }
    return b;
  }

  /** The state with every position an optional one lets the automaton skip to. */
  private static long closure(long state, long optional) {
    long x = state;
    while (true) {
      long more = ((x & optional) << 1) & ~x;
      if (more == 0) {
        return x;
      }
      x |= more;
    }
  }

  /**
   * Whether the value's characters from {@code from} are the {@code length} characters kept four to a
   * long (16 bits each, the first lowest) from {@code program[at]}: four compared at a time.
   */
  static boolean sameChars(long[] program, int at, String value, int from, int length) {
    int i = 0;
    for (; i + 4 <= length; i += 4) {
      int c = from + i;
      long word = value.charAt(c) | (long) value.charAt(c + 1) << 16 | (long) value.charAt(c + 2) << 32
          | (long) value.charAt(c + 3) << 48;
      if (word != program[at + (i >> 2)]) {
        return false;
      }
    }
    for (; i < length; i++) {
      if (value.charAt(from + i) != (char) (program[at + (i >> 2)] >>> ((i & 3) << 4))) {
        return false;
      }
    }
    return true;
  }

  /** Whether the position whose three longs start at {@code k} takes this character. */
  private static boolean takes(long[] program, int k, char c) {
    long head = program[k];
    int kind = (int) (head & 0xff);
    if (kind == SINGLE) {
      return c == (char) (head >>> 16);
    }
    if (kind == DOT) {
      return c != '\n' && c != '\r' && c != '\u0085' && c != '\u2028' && c != '\u2029';
    }
    boolean in = c < 64 ? (program[k + 1] >>> c & 1) != 0 : c < 128 && (program[k + 2] >>> (c - 64) & 1) != 0;
    return in != ((head & NEGATED) != 0);
  }

  private static int matchesSequence(long[] program, int at, String value) {
    long head = program[at];
    int n = (int) (head & 0xff);
    int literal = (int) (head >>> 8 & 0xff);
    long optional = program[at + 1];
    int code = at + 3 + (literal + 3) / 4;
    // the literal's characters are no surrogates: a value without them cannot match in Java either
    if (value.length() < literal) {
      return NO;
    }
    if (!sameChars(program, at + 3, value, 0, literal)) {
      return NO;
    }
    long state = program[at + 2];
    for (int i = literal; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isSurrogate(c)) {
        return UNKNOWN;
      }
      long next = 0;
      for (long s = state; s != 0; s &= s - 1) {
        int j = Long.numberOfTrailingZeros(s);
        if (j < n) {
          int k = code + 3 * (j - literal);
          if (takes(program, k, c)) {
            next |= (program[k] & STAR) != 0 ? 1L << j : 1L << (j + 1);
          }
        }
      }
      if (next == 0) {
        // no prefix of the value matches: java.util.regex, reading the same code points, agrees
        return NO;
      }
      state = closure(next, optional);
    }
    return (state >>> n & 1) != 0 ? YES : NO;
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
      return new Sequence(List.copyOf(sets), List.copyOf(optionals), List.copyOf(stars));
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
