package io.vigil.aggregator.rollup;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A map from primitive longs (the series of a task by seriesId; the stores' entries by key): open
 * addressing with linear probing and backward-shift deletion, so the lookup every point makes neither
 * boxes its key nor chases a chain. Not thread-safe: one task, one stream thread.
 */
final class LongMap<V> {

  private long[] keys;
  private Object[] values;
  private int size;
  private int mask;

  LongMap() {
    allocate(1 << 12);
  }

  private void allocate(int capacity) {
    keys = new long[capacity];
    values = new Object[capacity];
    mask = capacity - 1;
  }

  private static int slot(long key, int mask) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }

  @SuppressWarnings("unchecked")
  V get(long key) {
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      V v = (V) values[i];
      if (v == null) {
        return null;
      }
      if (keys[i] == key) {
        return v;
      }
    }
  }

  @SuppressWarnings("unchecked")
  void put(long key, V value) {
    if ((size + 1) * 4 > values.length * 3) {
      long[] oldKeys = keys;
      Object[] oldValues = values;
      allocate(values.length * 2);
      size = 0;
      for (int i = 0; i < oldValues.length; i++) {
        if (oldValues[i] != null) {
          put(oldKeys[i], (V) oldValues[i]);
        }
      }
    }
    for (int i = slot(key, mask); ; i = (i + 1) & mask) {
      if (values[i] == null) {
        keys[i] = key;
        values[i] = value;
        size++;
        return;
      }
      if (keys[i] == key) {
        values[i] = value;
        return;
      }
    }
  }

  /** Removes the key; returns what it mapped to, or null. */
  @SuppressWarnings("unchecked")
  V remove(long key) {
    int i = slot(key, mask);
    while (values[i] != null && keys[i] != key) {
      i = (i + 1) & mask;
    }
    if (values[i] == null) {
      return null;
    }
    V old = (V) values[i];
    values[i] = null;
    size--;
    // shift back the entries after it that probed past the freed slot
    for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
      int home = slot(keys[j], mask);
      boolean between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (!between) {
        keys[i] = keys[j];
        values[i] = values[j];
        values[j] = null;
        i = j;
      }
    }
    return old;
  }

  int size() {
    return size;
  }

  void clear() {
    Arrays.fill(values, null);
    size = 0;
  }

  @SuppressWarnings("unchecked")
  void forEach(Consumer<V> action) {
    for (Object v : values) {
      if (v != null) {
        action.accept((V) v);
      }
    }
  }

  /** Each key with its value. */
  @SuppressWarnings("unchecked")
  void forEach(java.util.function.BiConsumer<Long, V> action) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] != null) {
        action.accept(keys[i], (V) values[i]);
      }
    }
  }
}
