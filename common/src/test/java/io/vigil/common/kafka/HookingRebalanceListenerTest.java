package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The hook hears of each move once, by its kind. The calls below are in the order spring-kafka 4.0's
 * listener container makes them (read from its {@code ListenerConsumerRebalanceListener}: a loss is
 * {@code onPartitionsLost}, then {@code onPartitionsRevoked}, which ends in {@code
 * onPartitionsRevokedAfterCommit}).
 */
class HookingRebalanceListenerTest {

  final List<String> heard = new ArrayList<>();
  final List<String> seeks = new ArrayList<>();
  final HookingRebalanceListener listener = new HookingRebalanceListener(new PartitionHook() {
    @Override
    public void assigned(Collection<TopicPartition> partitions) {
      heard.add("assigned " + partitions);
    }

    @Override
    public void revoked(Collection<TopicPartition> partitions) {
      heard.add("revoked " + partitions);
    }

    @Override
    public void lost(Collection<TopicPartition> partitions) {
      heard.add("lost " + partitions);
    }
  }, Runnable::run, (c, partitions) -> seeks.add("seek " + partitions));

  static final TopicPartition P0 = new TopicPartition("t", 0);
  static final TopicPartition P1 = new TopicPartition("t", 1);

  @Test
  void aLossFollowedBySpringsRevocationOfTheSamePartitionsIsHeardOnceAsLost() {
    listener.onPartitionsAssigned(null, List.of(P0, P1));
    listener.onPartitionsLost(null, List.of(P0, P1));
    listener.onPartitionsRevokedAfterCommit(null, List.of(P0, P1));
    assertThat(heard).containsExactly("assigned [t-0, t-1]", "lost [t-0, t-1]");
    assertThat(seeks).containsExactly("seek [t-0, t-1]");
  }

  @Test
  void aRevocationIsHeardAsOneAndALaterOneAfterALossStillIs() {
    listener.onPartitionsAssigned(null, List.of(P0, P1));
    listener.onPartitionsRevokedAfterCommit(null, List.of(P1));
    listener.onPartitionsLost(null, List.of(P0));
    listener.onPartitionsRevokedAfterCommit(null, List.of(P0));
    listener.onPartitionsAssigned(null, List.of(P0));
    listener.onPartitionsRevokedAfterCommit(null, List.of(P0));
    assertThat(heard).containsExactly("assigned [t-0, t-1]", "revoked [t-1]", "lost [t-0]", "assigned [t-0]",
        "revoked [t-0]");
  }

  @Test
  void aRevocationOfMoreThanWasLostTellsTheRestAsRevoked() {
    listener.onPartitionsLost(null, List.of(P0));
    listener.onPartitionsRevokedAfterCommit(null, List.of(P0, P1));
    assertThat(heard).containsExactly("lost [t-0]", "revoked [t-1]");
  }
}
