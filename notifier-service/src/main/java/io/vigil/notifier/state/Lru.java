package io.vigil.notifier.state;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded least-recently-used map behind one lock: the in-memory copies the notifier keeps beside
 * Redis and MySQL (policies read on demand, handled sequences and delivered marks while Redis is
 * away). A lock is cheap beside the round trip a miss costs.
 */
public final class Lru<K, V> {

  private final LinkedHashMap<K, V> map;

  public Lru(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1");
    }
    this.map = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
      }
    };
  }

  public synchronized V get(K k) {
    return map.get(k);
  }

  public synchronized void put(K k, V v) {
    map.put(k, v);
  }

  public synchronized void remove(K k) {
    map.remove(k);
  }

  public synchronized void clear() {
    map.clear();
  }

  public synchronized int size() {
    return map.size();
  }
}
