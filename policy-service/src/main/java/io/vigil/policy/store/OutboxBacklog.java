package io.vigil.policy.store;

/** The first and last seq waiting in the outbox; both null when none waits. */
public class OutboxBacklog {
  public Long first;
  public Long last;

  /** How many changes wait, at most (rows deleted out of order leave gaps in the span). */
  public long pending() {
    return first == null ? 0 : last - first + 1;
  }
}
