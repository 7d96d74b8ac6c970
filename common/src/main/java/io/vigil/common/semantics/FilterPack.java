package io.vigil.common.semantics;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Conjunctions of compiled filters (a bucket of policies, each with the filters it must pass) packed
 * into one array of longs, for a caller that evaluates many of them against cold memory: the
 * detector's index, where a look-up meets a bucket it has not read for a while. Evaluating a {@link
 * Filter.Compiled} reads the filter, then its argument or its pattern's program, each a cache miss
 * of its own; a pack holds the arguments' characters and the simple patterns' programs in place, so
 * a bucket's filters cost the lines of one array. The meaning is {@link Filter.Compiled#test}'s,
 * which {@code FilterPackTest} checks on random filters and values; filters the pack cannot hold in
 * place ({@code In}, {@code NotIn}, patterns {@link SimpleRegex} does not do, and a value with a
 * surrogate for a simple one) are evaluated by their {@code Compiled}, kept in the caller's list of
 * references.
 *
 * <p>The series' values are handed over as an array by field number (the caller's numbering, the
 * one it packed with), each read once per series however many filters read it. A caller may keep
 * many packs one after another in one array (the detector keeps a metric's in one), so each reader
 * takes the array and where the pack starts in it, its base.
 *
 * <pre>
 * [0] the caller's word (the detector keeps where the bucket's policies start)
 * [1] the number of conjunctions (low 32 bits) and the pack's length in longs
 * each conjunction: its filter count (low 32 bits) and its length in longs, this one included
 * each filter: kind (bits 0-7), passes when absent (bit 8), negated (bit 9), field number
 *   (bits 16-39), its length in longs, this one included (bits 40-63); then
 *   EQUAL, PREFIX, CONTAINS: the argument's length, then its characters, four to a long
 *   REGEX: the filter's place in the references, then its program
 *   OTHER: the filter's place in the references
 *   EXISTS: nothing
 * </pre>
 */
public final class FilterPack {

  private static final int EXISTS = 0;
  private static final int EQUAL = 1;
  private static final int PREFIX = 2;
  private static final int CONTAINS = 3;
  private static final int REGEX = 4;
  private static final int OTHER = 5;

  private static final long ABSENT_PASSES = 1L << 8;
  private static final long NEGATED = 1L << 9;
  private static final int MAX_FIELD = (1 << 24) - 1;

  /**
   * The most longs a filter takes when held in place (its head included): a longer argument or
   * program is left to its {@code Compiled}, so that a caller packing the same filter into many
   * packs (the detector, once per value combination of a policy) does not copy a large one each time.
   */
  public static final int MAX_IN_PLACE = 32;

  private FilterPack() {}

  /**
   * Packs these conjunctions (each may be empty: it passes every series).
   *
   * @param word kept as is for the caller ({@link #word})
   * @param fieldNumber the caller's number for a field: the place of its value in the array {@link
   *     #passes} is given
   * @param references where the filters evaluated by their {@code Compiled} are added; the caller
   *     hands them back to {@link #passes} as an array, in this order
   */
  public static long[] pack(long word, List<Filter.Compiled[]> conjunctions, ToIntFunction<String> fieldNumber,
      List<Object> references) {
    return pack(word, conjunctions, null, fieldNumber, references);
  }

  /**
   * The same, with a say per conjunction: where {@code inPlace[i]} is false, conjunction {@code i}'s
   * filters are all left to their {@code Compiled} (a caller that packs that conjunction many times).
   */
  public static long[] pack(long word, List<Filter.Compiled[]> conjunctions, boolean[] inPlace,
      ToIntFunction<String> fieldNumber, List<Object> references) {
    List<long[]> blocks = new ArrayList<>();
    int total = 2;
    for (int i = 0; i < conjunctions.size(); i++) {
      Filter.Compiled[] conjunction = conjunctions.get(i);
      boolean held = inPlace == null || inPlace[i];
      List<long[]> filters = new ArrayList<>(conjunction.length);
      int length = 1;
      for (Filter.Compiled c : conjunction) {
        long[] f = filter(c, fieldNumber.applyAsInt(c.filter().field()), held, references);
        filters.add(f);
        length += f.length;
      }
      long[] block = new long[length];
      block[0] = conjunction.length | (long) length << 32;
      int at = 1;
      for (long[] f : filters) {
        System.arraycopy(f, 0, block, at, f.length);
        at += f.length;
      }
      blocks.add(block);
      total += length;
    }
    long[] pack = new long[total];
    pack[0] = word;
    pack[1] = conjunctions.size() | (long) total << 32;
    int at = 2;
    for (long[] b : blocks) {
      System.arraycopy(b, 0, pack, at, b.length);
      at += b.length;
    }
    return pack;
  }

  private static long[] filter(Filter.Compiled c, int field, boolean held, List<Object> references) {
    if (field < 0 || field > MAX_FIELD) {
      throw new IllegalArgumentException("field number out of range: " + field);
    }
    FilterFunction function = c.function();
    long flags = (function.trueWhenAbsent() ? ABSENT_PASSES : 0) | (long) field << 16;
    int length = held ? inPlaceLength(c) : -1;
    long[] f;
    if (length < 0 || length > MAX_IN_PLACE) {
      f = new long[] {OTHER, references.size()};
      references.add(c);
    } else {
      f = new long[length];
      switch (function) {
        case Exists -> f[0] = EXISTS;
        case Regex, NotRegex -> {
          long[] program = c.simpleProgram();
          f[0] = REGEX | (function == FilterFunction.NotRegex ? NEGATED : 0);
          f[1] = references.size(); // for a value with a surrogate
          System.arraycopy(program, 0, f, 2, program.length);
          references.add(c);
        }
        default -> { // Equal, NotEqual, Prefix, Contains: the others have no length in place
          String arg = c.argument();
          f[0] = function == FilterFunction.Prefix ? PREFIX : function == FilterFunction.Contains ? CONTAINS
              : function == FilterFunction.NotEqual ? EQUAL | NEGATED : EQUAL;
          f[1] = arg.length();
          for (int i = 0; i < arg.length(); i++) {
            f[2 + (i >> 2)] |= (long) arg.charAt(i) << ((i & 3) << 4);
          }
        }
      }
    }
    f[0] |= flags | (long) f.length << 40;
    return f;
  }

  /** The longs the filter takes held in place (its head included), or -1 when it cannot be. */
  private static int inPlaceLength(Filter.Compiled c) {
    return switch (c.function()) {
      case Exists -> 1;
      case Equal, NotEqual, Prefix, Contains -> c.argument() == null ? -1 : 2 + (c.argument().length() + 3) / 4;
      case Regex, NotRegex -> c.simpleProgram() == null ? -1 : 2 + c.simpleProgram().length;
      default -> -1;
    };
  }

  /** The word the caller packed, of the pack at {@code base} in {@code packs}. */
  public static long word(long[] packs, int base) {
    return packs[base];
  }

  /** How many conjunctions the pack at {@code base} holds. */
  public static int conjunctions(long[] packs, int base) {
    return (int) packs[base + 1];
  }

  /** How many longs the pack at {@code base} takes. */
  public static int length(long[] packs, int base) {
    return (int) (packs[base + 1] >>> 32);
  }

  /** Where the first conjunction of the pack at {@code base} starts. */
  public static int first(int base) {
    return base + 2;
  }

  /** Where the conjunction after the one at {@code at} starts. */
  public static int next(long[] pack, int at) {
    return at + (int) (pack[at] >>> 32);
  }

  /**
   * Whether a series with these values (by field number; null: absent) passes the conjunction at
   * {@code at} (the first at {@link #first}, each next at {@link #next}).
   */
  public static boolean passes(long[] pack, int at, String[] values, Object[] references) {
    int filters = (int) pack[at];
    int f = at + 1;
    for (int i = 0; i < filters; i++) {
      if (!test(pack, f, values, references)) {
        return false;
      }
      f += (int) (pack[f] >>> 40);
    }
    return true;
  }

  /**
   * Reads the first {@code longs} longs of the pack at {@code base} (a line in eight, and the last),
   * so that a caller evaluating many cold packs can bring them into cache together; the number means
   * nothing. The caller says how many (at most the pack's {@link #length}), so that the reads do not
   * wait for the pack's first line to say where it ends.
   */
  public static long warm(long[] packs, int base, int longs) {
    int end = base + longs;
    long n = packs[end - 1];
    for (int i = base; i < end; i += 8) {
      n += packs[i];
    }
    return n;
  }

  private static boolean test(long[] pack, int f, String[] values, Object[] references) {
    long head = pack[f];
    String value = values[(int) (head >>> 16) & MAX_FIELD];
    if (value == null) {
      return (head & ABSENT_PASSES) != 0;
    }
    boolean negated = (head & NEGATED) != 0;
    return switch ((int) head & 0xff) {
      case EXISTS -> true;
      case EQUAL -> {
        int length = (int) pack[f + 1];
        yield (value.length() == length && SimpleRegex.sameChars(pack, f + 2, value, 0, length)) != negated;
      }
      case PREFIX -> {
        int length = (int) pack[f + 1];
        yield value.length() >= length && SimpleRegex.sameChars(pack, f + 2, value, 0, length);
      }
      case CONTAINS -> contains(pack, f + 2, (int) pack[f + 1], value);
      case REGEX -> {
        int m = SimpleRegex.matches(pack, f + 2, value);
        boolean matches = m == SimpleRegex.UNKNOWN
            ? ((Filter.Compiled) references[(int) pack[f + 1]]).javaRegex(value) : m == SimpleRegex.YES;
        yield matches != negated;
      }
      default -> ((Filter.Compiled) references[(int) pack[f + 1]]).testValue(value);
    };
  }

  private static boolean contains(long[] pack, int chars, int length, String value) {
    if (length == 0) {
      return true;
    }
    char first = (char) pack[chars];
    int last = value.length() - length;
    for (int from = value.indexOf(first); from >= 0 && from <= last; from = value.indexOf(first, from + 1)) {
      if (SimpleRegex.sameChars(pack, chars, value, from, length)) {
        return true;
      }
    }
    return false;
  }
}
