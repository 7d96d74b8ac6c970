package io.vigil.detector.index;

import java.util.List;

/**
 * An immutable map from a pair of 64-bit hashes of a key to a value: open addressing with linear
 * probing at a load of at most a half. The two hashes of a slot sit side by side in one array and
 * its value in another, so a look-up costs two cache lines where a {@code HashMap<Long, V>} costs a
 * node, a boxed key and a chain (each a likely miss in an index of millions of keys). Two keys whose
 * first hashes meet are told apart by the second: they simply take two slots.
 */
final class LongTable<V> {

  /** One entry: the key's first hash, its independent second hash, and its value. */
  record Entry<V>(long hash, long check, V value) {}

  private final long[] hashes; // slot i: [2i] the first hash, [2i + 1] the second
  private final Object[] values;
  private final int mask;

  private LongTable(long[] hashes, Object[] values) {
    this.hashes = hashes;
    this.values = values;
    this.mask = values.length - 1;
  }

  /**
   * The table of these entries.
   *
   * @throws IllegalArgumentException if two entries share both hashes, or a value is null
   */
  static <V> LongTable<V> of(List<Entry<V>> entries) {
    int capacity = Integer.highestOneBit(Math.max(2, entries.size() * 2 - 1)) << 1;
    long[] hashes = new long[capacity * 2];
    Object[] values = new Object[capacity];
    for (Entry<V> e : entries) {
      if (e.value() == null) {
        throw new IllegalArgumentException("no null values");
      }
      int i = slot(e.hash(), capacity - 1);
      while (values[i] != null) {
        if (hashes[2 * i] == e.hash() && hashes[2 * i + 1] == e.check()) {
          throw new IllegalArgumentException("two entries with the same hashes");
        }
        i = (i + 1) & (capacity - 1);
      }
      hashes[2 * i] = e.hash();
      hashes[2 * i + 1] = e.check();
      values[i] = e.value();
    }
    return new LongTable<>(hashes, values);
  }

  /** The value under these hashes, or null. */
  @SuppressWarnings("unchecked")
  V get(long hash, long check) {
    for (int i = slot(hash, mask); ; i = (i + 1) & mask) {
      Object v = values[i];
      if (v == null) {
        return null;
      }
      if (hashes[2 * i] == hash && hashes[2 * i + 1] == check) {
        return (V) v;
      }
    }
  }

  /** Where a look-up of this hash starts (for {@link #peek}). */
  int slot(long hash) {
    return slot(hash, mask);
  }

  /**
   * The value in this slot, whatever its key: reading it ahead, for several look-ups at once, lets
   * their cache misses overlap; {@link #get} then finds the lines in cache.
   */
  Object peek(int slot) {
    return values[slot];
  }

  /** The first hash in this slot (read ahead for the same reason as {@link #peek}). */
  long peekHash(int slot) {
    return hashes[2 * slot];
  }

  private static int slot(long hash, int mask) {
    long h = hash * 0x9e3779b97f4a7c15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
