package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.observability.DependencyMetrics;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Tombstones only where they mean deletion; a null message is never sent as one by accident. */
class VigilPublisherTest {

  private final VigilPublisher publisher = new VigilPublisher(null, new MessageCodec(), new KafkaNaming("vigil.", "t"),
      new SimpleMeterRegistry(), new DependencyMetrics(new SimpleMeterRegistry(), Set.of()));

  @Test
  void tombstonesAreRefusedOnTopicsThatAreNotCompacted() {
    assertThatThrownBy(() -> publisher.tombstone(Topics.ALERTS_EVENTS, "k"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not compacted");
    assertThatThrownBy(() -> publisher.tombstone(Topics.CONTROL_CHANGES, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> publisher.publish(Topics.CONTROL_CHANGES, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tombstone");
  }

  @Test
  void aLookBackWindowMustBePositive() {
    assertThatThrownBy(() -> StartAt.lookBack(java.time.Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
