package io.vigil.notifier.state;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * A tenant's firing alerts (alertKey to labels) as one notifier instance sees them — the sources
 * inhibition rules look for — with a {@link SourceIndex} per rule asked of, kept up to date as alerts
 * start and stop firing. Built on first use of a rule (and again when the rule changed); a rule not
 * asked of for a while has its index dropped at the next refresh.
 *
 * <p>Changes alert by alert run concurrently (each under the read lock); replacing the whole set
 * after a refresh from Redis takes the write lock, so no change made meanwhile is lost to an index.
 */
public final class FiringSet {

  private static final long UNUSED_MS = 10 * 60_000L;

  private record Indexed(Object rule, SourceIndex index, long[] usedAtMs) {}

  private final Map<String, Map<String, String>> alerts = new ConcurrentHashMap<>();
  private final Map<String, Indexed> indexes = new ConcurrentHashMap<>();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  /** When Redis's copy was last read into this set ({@code NotifierState}'s refresh), and whether one is under way. */
  volatile long readAtMs = Long.MIN_VALUE;
  final AtomicBoolean refreshing = new AtomicBoolean();

  public void put(String alertKey, Map<String, String> labels) {
    lock.readLock().lock();
    try {
      alerts.put(alertKey, labels);
      for (Indexed i : indexes.values()) {
        i.index().put(alertKey, labels);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  public void remove(String alertKey) {
    lock.readLock().lock();
    try {
      alerts.remove(alertKey);
      for (Indexed i : indexes.values()) {
        i.index().remove(alertKey);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The set becomes exactly {@code fresh}; every index is rebuilt from it, unused ones dropped. */
  public void replace(Map<String, Map<String, String>> fresh, long nowMs) {
    lock.writeLock().lock();
    try {
      alerts.keySet().retainAll(fresh.keySet());
      alerts.putAll(fresh);
      indexes.values().removeIf(i -> nowMs - i.usedAtMs()[0] > UNUSED_MS);
      for (Map.Entry<String, Indexed> e : indexes.entrySet()) {
        Indexed i = e.getValue();
        e.setValue(new Indexed(i.rule(), build(i.index().source(), i.index().equal()), i.usedAtMs()));
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * A firing alert other than the target that inhibits it under the rule: one its source matchers
   * match, agreeing with the target on the rule's {@code equal} labels; null if none.
   *
   * @param ruleId the rule's id; {@code rule} the rule as it is now (a different object after a change)
   */
  public String inhibitor(String ruleId, Object rule, Predicate<Map<String, String>> source, List<String> equal,
      Map<String, String> target, String targetKey, long nowMs) {
    Indexed i = indexes.get(ruleId);
    if (i == null || i.rule() != rule) {
      lock.writeLock().lock();
      try {
        i = indexes.get(ruleId);
        if (i == null || i.rule() != rule) {
          i = new Indexed(rule, build(source, equal), new long[1]);
          indexes.put(ruleId, i);
        }
      } finally {
        lock.writeLock().unlock();
      }
    }
    i.usedAtMs()[0] = nowMs;
    return i.index().inhibitor(target, targetKey);
  }

  /** The firing alerts now (a live, read-only view). */
  public Map<String, Map<String, String>> alerts() {
    return java.util.Collections.unmodifiableMap(alerts);
  }

  /** Rules with an index now. */
  public int indexed() {
    return indexes.size();
  }

  /** Under the write lock: an index of the set as it is. */
  private SourceIndex build(Predicate<Map<String, String>> source, List<String> equal) {
    SourceIndex index = new SourceIndex(source, equal);
    alerts.forEach(index::put);
    return index;
  }
}
