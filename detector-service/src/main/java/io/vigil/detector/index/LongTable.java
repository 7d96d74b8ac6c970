package io.vigil.detector.index;

import java.util.Map;

/**
 * An immutable map from long keys, open addressing with linear probing at a load of at most a half:
 * a look-up touches the key array and the value array, where a {@code HashMap<Long, V>} also goes
 * through a node and a boxed key (each a likely cache miss in an index of millions of keys).
 */
final class LongTable<V> {

  private final long[] keys;
  private final Object[] values;
  private final int mask;

  private LongTable(long[] keys, Object[] values) {
    this.keys = keys;
    this.values = values;
    this.mask = keys.length - 1;
  }

  static <V> LongTable<V> of(Map<Long, V> entries) {
    int capacity = Integer.highestOneBit(Math.max(2, entries.size() * 2 - 1)) << 1;
    long[] keys = new long[capacity];
    Object[] values = new Object[capacity];
    entries.forEach((k, v) -> {
      if (v == null) {
        throw new IllegalArgumentException("no null values");
      }
      int i = slot(k, capacity - 1);
      while (values[i] != null) {
        i = (i + 1) & (capacity - 1);
      }
      keys[i] = k;
      values[i] = v;
    });
    return new LongTable<>(keys, values);
  }

  @SuppressWarnings("unchecked")
  V get(long key) {
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      Object v = values[i];
      if (v == null) {
        return null;
      }
      if (keys[i] == key) {
        return (V) v;
      }
    }
  }

  private static int slot(long key, int mask) {
    long h = key * 0x9e3779b97f4a7c15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
