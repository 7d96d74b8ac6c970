package io.vigil.common.kafka;

import java.util.Collection;
import org.apache.kafka.common.TopicPartition;

/**
 * Told when this instance gains or loses partitions of a work consumer (cooperative rebalancing:
 * only the partitions that move are named). {@link #assigned} runs before the first record of those
 * partitions is handled (the detector restores alert state there); {@link #revoked} runs after the
 * records in hand for them were finished and committed (the notifier has drained its lanes). Both
 * run on the consumer's thread: keep them short. Topic names carry the deployment prefix.
 */
public interface PartitionHook {

  PartitionHook NONE = new PartitionHook() {};

  default void assigned(Collection<TopicPartition> partitions) {}

  default void revoked(Collection<TopicPartition> partitions) {}

  /**
   * Partitions taken away without a revocation: this member was dropped from the group (its session
   * or poll interval ran out) and another may own them already, even another consumer of this same
   * process that gained them before this one heard. Nothing was committed for them. A hook that keeps
   * state per partition lets go only of what this consumer gained. By default, as {@link #revoked}.
   */
  default void lost(Collection<TopicPartition> partitions) {
    revoked(partitions);
  }
}
