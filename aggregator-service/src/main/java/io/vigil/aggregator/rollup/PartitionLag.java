package io.vigil.aggregator.rollup;

/**
 * How far this instance's consumer is behind the end of a partition of {@code metrics.raw}: what tells
 * an idle partition (nothing more to read) from one whose records are late to arrive (a backlog, a
 * rebalance, a slow fetch). Only a partition known to be caught up follows the clock.
 */
@FunctionalInterface
public interface PartitionLag {

  /** Records behind the end of {@code partition}, or -1 when not known (not assigned yet, no fetch yet). */
  long lag(int partition);

  PartitionLag CAUGHT_UP = partition -> 0;
}
