package io.vigil.detector.detect;

/**
 * A partition's series alert states by seriesId, for the path every rollup takes: open addressing
 * on the id, the state itself (or, when several policies judge the series, an array of them) in the
 * slot. A look-up reads two arrays and the state, where the partition's {@code HashMap} by key also
 * goes through a node and a key object, each a likely cache miss among a million states. The map
 * by key stays the record of every state; this mirrors its series states (not object or event
 * ones). Not thread-safe: used under the partition's lock.
 */
final class SeriesStates {

  private long[] keys = new long[16];
  private Object[] values = new Object[16]; // AlertState or AlertState[]; null: free
  private int size;

  /** The state of this policy for this series, or null. */
  AlertState get(long seriesId, String policyId) {
    int mask = values.length - 1;
    for (int i = slot(seriesId, mask); ; i = (i + 1) & mask) {
      Object v = values[i];
      if (v == null) {
        return null;
      }
      if (keys[i] == seriesId) {
        if (v instanceof AlertState s) {
          return s.policyId.equals(policyId) ? s : null;
        }
        for (AlertState s : (AlertState[]) v) {
          if (s.policyId.equals(policyId)) {
            return s;
          }
        }
        return null;
      }
    }
  }

  void add(AlertState s) {
    if ((size + 1) * 2 > values.length) {
      grow();
    }
    int mask = values.length - 1;
    int i = slot(s.seriesId, mask);
    while (values[i] != null && keys[i] != s.seriesId) {
      i = (i + 1) & mask;
    }
    Object v = values[i];
    if (v == null) {
      keys[i] = s.seriesId;
      values[i] = s;
      size++;
    } else if (v instanceof AlertState one) {
      // one state per (policy, series), as in the map by key: a new one replaces the old
      values[i] = one.policyId.equals(s.policyId) ? s : new AlertState[] {one, s};
    } else {
      AlertState[] many = (AlertState[]) v;
      for (int k = 0; k < many.length; k++) {
        if (many[k].policyId.equals(s.policyId)) {
          many[k] = s;
          return;
        }
      }
      AlertState[] more = java.util.Arrays.copyOf(many, many.length + 1);
      more[many.length] = s;
      values[i] = more;
    }
  }

  void remove(AlertState s) {
    int mask = values.length - 1;
    for (int i = slot(s.seriesId, mask); ; i = (i + 1) & mask) {
      Object v = values[i];
      if (v == null) {
        return;
      }
      if (keys[i] != s.seriesId) {
        continue;
      }
      if (v == s) {
        removeAt(i);
      } else if (v instanceof AlertState[] many) {
        int at = -1;
        for (int k = 0; k < many.length; k++) {
          if (many[k] == s) {
            at = k;
          }
        }
        if (at >= 0) {
          if (many.length == 2) {
            values[i] = many[1 - at];
          } else {
            AlertState[] fewer = new AlertState[many.length - 1];
            System.arraycopy(many, 0, fewer, 0, at);
            System.arraycopy(many, at + 1, fewer, at, many.length - at - 1);
            values[i] = fewer;
          }
        }
      }
      return;
    }
  }

  int size() {
    return size;
  }

  /** Frees slot {@code i}, moving back the entries after it that would no longer be found. */
  private void removeAt(int i) {
    int mask = values.length - 1;
    int hole = i;
    for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
      int home = slot(keys[j], mask);
      // the entry at j may fill the hole unless its home lies cyclically in (hole, j]
      boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!stays) {
        keys[hole] = keys[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    values[hole] = null;
    keys[hole] = 0;
    size--;
  }

  private void grow() {
    long[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new long[oldKeys.length * 2];
    values = new Object[oldValues.length * 2];
    int mask = values.length - 1;
    for (int k = 0; k < oldValues.length; k++) {
      if (oldValues[k] != null) {
        int i = slot(oldKeys[k], mask);
        while (values[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[k];
        values[i] = oldValues[k];
      }
    }
  }

  private static int slot(long seriesId, int mask) {
    long h = seriesId * 0x9e3779b97f4a7c15L;
    return (int) (h ^ (h >>> 32)) & mask;
  }
}
