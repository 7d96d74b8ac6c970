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
}
