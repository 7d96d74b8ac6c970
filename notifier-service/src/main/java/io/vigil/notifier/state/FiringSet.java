package io.vigil.notifier.state;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * A tenant's firing alerts (alertKey to labels) as one notifier instance sees them — the sources
 * inhibition rules look for — with a {@link SourceIndex} per rule asked of, kept up to date as alerts
 * start and stop firing. Built on first use of a rule (and again when the rule changed); a rule not
 * asked of for ten minutes has its index dropped.
 *
 * <p>Changes run concurrently, each under the read lock; the changes of one alert come one at a time
 * (its events are handled in order, one after the other). Replacing the set with Redis's copy takes
 * the write lock, and keeps what this instance changed shortly before or while Redis was read: its
 * own write of that change may not have reached Redis yet.
 */
public final class FiringSet {

  private static final long UNUSED_MS = 10 * 60_000L;

  private record Indexed(Object rule, SourceIndex index, AtomicLong usedAtMs) {}

  private final Map<String, Map<String, String>> alerts = new ConcurrentHashMap<>();
  /** When this instance last changed an alert (kept a grace period, so a refresh does not undo it). */
  private final Map<String, Long> changedAtMs = new ConcurrentHashMap<>();
  private final Map<String, Indexed> indexes = new ConcurrentHashMap<>();
  /** How long a change made here is kept over Redis's copy: the refresh interval (its write may lag). */
  private final long keepMs;
  private final AtomicLong changes = new AtomicLong();
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  /** Whether Redis's copy was ever read into this set, when last, and whether a read is under way. */
  volatile boolean read;
  volatile long readAtMs;
  final AtomicBoolean refreshing = new AtomicBoolean();

  /** @param keepMs how long a change made here outweighs Redis's copy at a refresh (the refresh interval) */
  public FiringSet(long keepMs) {
    this.keepMs = keepMs;
  }

  public void put(String alertKey, Map<String, String> labels, long nowMs) {
    lock.readLock().lock();
    try {
      changed(alertKey, nowMs);
      set(alertKey, labels);
    } finally {
      lock.readLock().unlock();
    }
  }

  public void remove(String alertKey, long nowMs) {
    lock.readLock().lock();
    try {
      changed(alertKey, nowMs);
      set(alertKey, null);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The alert fires with these labels (null: fires no more), in the set and in every index. */
  private void set(String alertKey, Map<String, String> labels) {
    if (labels == null) {
      alerts.remove(alertKey);
    } else {
      alerts.put(alertKey, labels);
    }
    for (Indexed i : indexes.values()) {
      if (labels == null) {
        i.index().remove(alertKey);
      } else {
        i.index().put(alertKey, labels);
      }
    }
  }

  /**
   * Notes the change's time; every 1,024th change forgets those older than {@code keepMs}, so a
   * tenant whose set is never re-read (no rule targets its alerts) does not keep every alert it
   * ever had.
   */
  private void changed(String alertKey, long nowMs) {
    changedAtMs.put(alertKey, nowMs);
    if ((changes.incrementAndGet() & 1023) == 0) {
      forgetChangesBefore(nowMs - keepMs);
    }
  }

  /** Forgets the changes made here before the time: Redis's copy is the one to trust for them. */
  private void forgetChangesBefore(long keepFrom) {
    changedAtMs.values().removeIf(at -> at < keepFrom);
  }

  /**
   * Redis's copy, read from {@code readStartedMs} on, becomes the set — but an alert this instance
   * changed since {@code readStartedMs - keepMs} keeps its own state (its write may have reached
   * Redis after the read). Only what differs is applied, to the set and its indexes alike; unused
   * indexes are dropped.
   */
  public void replace(Map<String, Map<String, String>> fresh, long readStartedMs) {
    lock.writeLock().lock();
    try {
      forgetChangesBefore(readStartedMs - keepMs);
      dropUnused(readStartedMs);
      for (String k : List.copyOf(alerts.keySet())) {
        if (!fresh.containsKey(k) && !changedAtMs.containsKey(k)) {
          set(k, null);
        }
      }
      fresh.forEach((k, labels) -> {
        if (!changedAtMs.containsKey(k) && !labels.equals(alerts.get(k))) {
          set(k, labels);
        }
      });
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
          // the indexes of rules deleted or not asked of for long go here too, not only at a refresh
          dropUnused(nowMs);
          i = new Indexed(rule, build(source, equal), new AtomicLong(nowMs));
          indexes.put(ruleId, i);
        }
      } finally {
        lock.writeLock().unlock();
      }
    }
    i.usedAtMs().set(nowMs);
    return i.index().inhibitor(target, targetKey);
  }

  /** The firing alerts now (a live, read-only view). */
  public Map<String, Map<String, String>> alerts() {
    return java.util.Collections.unmodifiableMap(alerts);
  }

  /** Changes remembered over Redis's copy now (bounded; for tests). */
  int changesKept() {
    return changedAtMs.size();
  }

  /** Rules with an index now. */
  public int indexed() {
    return indexes.size();
  }

  /** Under the write lock: drops the indexes not asked of for ten minutes (their rules deleted, or idle). */
  private void dropUnused(long nowMs) {
    indexes.values().removeIf(i -> nowMs - i.usedAtMs().get() > UNUSED_MS);
  }

  /** Under the write lock: an index of the set as it is. */
  private SourceIndex build(Predicate<Map<String, String>> source, List<String> equal) {
    SourceIndex index = new SourceIndex(source, equal);
    alerts.forEach(index::put);
    return index;
  }
}
