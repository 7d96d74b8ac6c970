package io.vigil.policy.store;

/** How many changes wait in the outbox, and since when (epoch ms; null when none waits). */
public class OutboxBacklog {
  public long pending;
  public Long oldest;
}
