package io.vigil.common.outbox;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One service's outbox table, as {@link OutboxRelay} drives it. Every method but {@link #publish}
 * runs inside the relay's transaction.
 *
 * @param <R> a row of the table
 */
public interface Outbox<R> {

  /** Whether this transaction may relay: false while another instance holds the baton row. */
  boolean takeBaton();

  /** The oldest waiting rows in seq order, at most {@code limit}, locked until the transaction ends. */
  List<R> take(int limit);

  /** Sends one row to its topic; the relay waits for every send of a round before deleting. */
  CompletableFuture<?> publish(R row);

  /** Deletes the rows a round published. */
  void delete(List<R> rows);

  /** How much waits: the seq span and the creation time of the oldest row. */
  Backlog backlog();

  /**
   * The state of the outbox for the gauges.
   *
   * @param pending rows waiting, at most (rows deleted out of order leave gaps in the seq span)
   * @param oldestCreatedAtMs when the oldest waiting row was written; 0 when none waits
   */
  record Backlog(long pending, long oldestCreatedAtMs) {
    public static final Backlog EMPTY = new Backlog(0, 0);
  }
}
