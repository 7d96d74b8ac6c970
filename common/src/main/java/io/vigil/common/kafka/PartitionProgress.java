package io.vigil.common.kafka;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * Which records of one partition are handed out and which are finished, when they finish out of
 * order (key-ordered lanes). The committable position is one past the last record such that it and
 * every record handed out before it are finished: never past unfinished work. Offsets need not be
 * consecutive (transaction markers and compaction leave gaps), only increasing. Thread-safe: the
 * poll thread hands out and commits, lane threads finish.
 */
final class PartitionProgress {

  private final ArrayDeque<Long> pending = new ArrayDeque<>();
  private final Set<Long> finishedOutOfOrder = new HashSet<>();
  private long committable = -1;
  private long committed = -1;
  private volatile boolean revoked;

  synchronized void handedOut(long offset) {
    Long last = pending.peekLast();
    if ((last != null && offset <= last) || offset < committable) {
      throw new IllegalStateException("offset " + offset + " handed out after " + Math.max(last == null ? -1 : last,
          committable - 1));
    }
    pending.addLast(offset);
  }

  /** Whether {@code offset} may be handed out next (offsets only grow). */
  synchronized boolean accepts(long offset) {
    Long last = pending.peekLast();
    return (last == null || offset > last) && offset >= committable;
  }

  synchronized void finished(long offset) {
    finishedOutOfOrder.add(offset);
    while (!pending.isEmpty() && finishedOutOfOrder.remove(pending.peekFirst())) {
      committable = pending.pollFirst() + 1;
    }
  }

  /** Records handed out and not finished, including those finished behind an unfinished one. */
  synchronized int inFlight() {
    return pending.size();
  }

  /** The position to commit if it moved since the last {@link #committed}; -1 otherwise. */
  synchronized long toCommit() {
    return committable > committed ? committable : -1;
  }

  synchronized void committed(long position) {
    committed = Math.max(committed, position);
  }

  /** The partition left this instance: work still queued for it is dropped (the next owner redelivers it). */
  void revoke() {
    revoked = true;
  }

  boolean revoked() {
    return revoked;
  }
}
