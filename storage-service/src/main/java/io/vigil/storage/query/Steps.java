package io.vigil.storage.query;

import java.util.Arrays;

/**
 * The steps of one series, in columns: each step's start and its aggregates {@code [Σsum, Σcount,
 * min, max, last, lastAtMs, doc_count]} (NaN where the statistic did not ask for one), in ascending
 * time; and over all its steps, the series' {@code doc_count} and Σcount when the search asked for
 * them (to check that its documents carry {@code _doc_count}).
 *
 * <p>A day of minutes over 100 series is 144,000 steps. Held as a map of boxed times to arrays they
 * were a fifth of the service's time on such a query (hash puts, boxing) and most of its garbage; as
 * columns they are two arrays per series, filled in the order Elasticsearch's histogram returns
 * them, and found again by binary search. They grow by doubling: a series' {@code doc_count} would
 * not bound its steps (with {@code _doc_count} it counts points), and sizing by the most steps a
 * range can hold would reserve that for every sparse series.
 */
final class Steps {

  static final int SUM = 0;
  static final int COUNT = 1;
  static final int MIN = 2;
  static final int MAX = 3;
  static final int LAST = 4;
  static final int LAST_AT = 5;
  /** The bucket's {@code doc_count}: Σcount where the documents carry {@code _doc_count}. */
  static final int DOCS = 6;
  static final int WIDTH = 7;

  private long[] at;
  private double[] acc;
  private int size;
  private double seriesDocs = Double.NaN;
  private double seriesCounted = Double.NaN;

  Steps() {
    at = new long[16];
    acc = new double[16 * WIDTH];
  }

  /** Makes room for {@code capacity} steps in all. */
  void reserve(int capacity) {
    if (capacity > at.length) {
      at = Arrays.copyOf(at, capacity);
      acc = Arrays.copyOf(acc, capacity * WIDTH);
    }
  }

  int size() {
    return size;
  }

  /** The start of step {@code i}. */
  long at(int i) {
    return at[i];
  }

  double get(int i, int slot) {
    return acc[i * WIDTH + slot];
  }

  void set(int i, int slot, double value) {
    acc[i * WIDTH + slot] = value;
  }

  /**
   * Appends the step starting at {@code atMs}, later than every step held, with nothing aggregated
   * yet; returns its index.
   */
  int append(long atMs) {
    if (size > 0 && atMs <= at[size - 1]) {
      throw new IllegalStateException("steps out of order: " + atMs + " after " + at[size - 1]);
    }
    if (size == at.length) {
      reserve(size * 2);
    }
    at[size] = atMs;
    int base = size * WIDTH;
    acc[base + SUM] = 0;
    acc[base + COUNT] = 0;
    Arrays.fill(acc, base + MIN, base + WIDTH, Double.NaN);
    return size++;
  }

  /** The index of the step starting at {@code atMs}, or -1. */
  int indexOf(long atMs) {
    int i = Arrays.binarySearch(at, 0, size, atMs);
    return i >= 0 ? i : -1;
  }

  void seriesDocs(double docs) {
    seriesDocs = docs;
  }

  void seriesCounted(double counted) {
    seriesCounted = counted;
  }

  /**
   * Whether every step's {@code doc_count} is its Σcount: the series' {@code doc_count} equals the
   * sum of its documents' {@code count}. A document without {@code _doc_count} adds 1 to the first
   * and its count to the second, so they agree only when each such document counted one point.
   */
  boolean docsAreCounts() {
    return !Double.isNaN(seriesDocs) && seriesDocs == seriesCounted;
  }

  /** Step {@code i}'s aggregates as {@code [Σsum, Σcount, min, max, last, lastAtMs, doc_count]}, a copy. */
  double[] aggregates(int i) {
    return Arrays.copyOfRange(acc, i * WIDTH, i * WIDTH + WIDTH);
  }
}
