package io.vigil.aggregator.rollup;

import java.util.Set;

/** Where the shard rollup topics are and how many partitions {@code metrics.raw} has. */
public interface RollupShards {

  /** The shards whose rollup topic exists. */
  Set<String> shards();

  int rawPartitions();
}
