package io.vigil.common.kafka;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

/**
 * Tells a work consumer's {@link PartitionHook} of its partitions moving, through spring-kafka's
 * listener container: gained, revoked (after the commit), lost. Spring-kafka follows a loss with a
 * revocation of the same partitions on the same thread ({@code onPartitionsLost}, then {@code
 * onPartitionsRevoked}); the hook hears of those once, as lost, since a revocation would let go of
 * what another consumer of the process may have gained by then. One instance serves every child
 * container of a concurrent container, each on its own thread.
 */
final class HookingRebalanceListener implements ConsumerAwareRebalanceListener {

  private final PartitionHook hook;
  private final Consumer<Runnable> calling;
  private final BiConsumer<org.apache.kafka.clients.consumer.Consumer<?, ?>, Collection<TopicPartition>> onAssigned;
  /** The partitions this thread's consumer was just told it lost, until their revocation comes. */
  private final ThreadLocal<Set<TopicPartition>> justLost = new ThreadLocal<>();

  /**
   * @param calling runs a call of the hook (the kit's guard: a failing hook never breaks a rebalance)
   * @param onAssigned what the kit does first with partitions gained (its seek)
   */
  HookingRebalanceListener(PartitionHook hook, Consumer<Runnable> calling,
      BiConsumer<org.apache.kafka.clients.consumer.Consumer<?, ?>, Collection<TopicPartition>> onAssigned) {
    this.hook = hook;
    this.calling = calling;
    this.onAssigned = onAssigned;
  }

  @Override
  public void onPartitionsAssigned(org.apache.kafka.clients.consumer.Consumer<?, ?> c,
      Collection<TopicPartition> partitions) {
    justLost.remove();
    onAssigned.accept(c, partitions);
    calling.accept(() -> hook.assigned(partitions));
  }

  @Override
  public void onPartitionsRevokedAfterCommit(org.apache.kafka.clients.consumer.Consumer<?, ?> c,
      Collection<TopicPartition> partitions) {
    Set<TopicPartition> lost = justLost.get();
    justLost.remove();
    Collection<TopicPartition> revoked = lost == null ? partitions
        : partitions.stream().filter(tp -> !lost.contains(tp)).toList();
    if (lost == null || !revoked.isEmpty()) {
      calling.accept(() -> hook.revoked(revoked));
    }
  }

  @Override
  public void onPartitionsLost(org.apache.kafka.clients.consumer.Consumer<?, ?> c,
      Collection<TopicPartition> partitions) {
    justLost.set(new HashSet<>(partitions));
    calling.accept(() -> hook.lost(List.copyOf(partitions)));
  }
}
