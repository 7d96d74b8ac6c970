package io.vigil.common.kafka;

import io.vigil.common.model.RollupProgress;

/**
 * What a consumer of rollup topics does with the aggregator's progress markers ({@link
 * RollupProgress}), which share those topics with the rollups. Every such consumer says so
 * explicitly ({@link ConsumerSpec#progress} or {@link ConsumerSpec#ignoringProgress}); a marker never
 * reaches the rollup handler and is never dead-lettered as a bad rollup. A marker is handed over after
 * every record before it on its partition was handled (for lanes: when it is taken, in its partition's
 * order of arrival).
 */
@FunctionalInterface
public interface ProgressHandler {

  ProgressHandler IGNORE = (topic, partition, offset, progress) -> { };

  /** {@code topic} is the base name ({@code metrics.rollup.<shard>}). */
  void handle(String topic, int partition, long offset, RollupProgress progress) throws Exception;
}
