package io.vigil.common.kafka;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets through only what is newer than anything seen for its key: how a reader of at-least-once
 * changes ({@code control.changes}, {@code cmdb.changes}, an outbox relay's redeliveries, a
 * snapshot racing its own change stream) drops a duplicate or a stale change. Keys are whatever
 * identifies the changed thing; versions only grow.
 */
public final class VersionGate<K> {

  private final ConcurrentHashMap<K, Long> latest = new ConcurrentHashMap<>();

  /** True if {@code version} is newer than every version seen for {@code key}; it is then remembered. */
  public boolean admit(K key, long version) {
    boolean[] newer = {false};
    latest.compute(key, (k, seen) -> {
      if (seen == null || version > seen) {
        newer[0] = true;
        return version;
      }
      return seen;
    });
    return newer[0];
  }

  /** The newest version seen for {@code key}, or -1. */
  public long version(K key) {
    Long v = latest.get(key);
    return v == null ? -1 : v;
  }

  public int size() {
    return latest.size();
  }
}
