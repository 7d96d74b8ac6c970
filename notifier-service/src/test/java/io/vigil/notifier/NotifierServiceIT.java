package io.vigil.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.testing.ConsumerWiringSupport;
import io.vigil.common.testing.Samples;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.ProducerFactory;

// its notifier stops with the class: another context of this run would otherwise judge the same events
@org.springframework.test.annotation.DirtiesContext
class NotifierServiceIT extends ConsumerWiringSupport {

  @Autowired
  ProducerFactory<String, byte[]> producers;

  /** A record or two to a batch: lz4's unpooled 64 KB buffers per batch would cost more than they save. */
  @Test
  void recordsGoOutUncompressed() {
    assertThat(producers.getConfigurationProperties()).containsEntry("compression.type", "none");
  }

  @Override
  protected List<String> declaredFamilies() {
    return PRODUCER_FAMILIES;
  }

  @Override
  protected List<String> readinessDependencies() {
    return List.of("kafka", "db");
  }

  @Override
  protected List<ConsumedTopic> consumedTopics() {
    return List.of(Samples.consumed("alerts.events", Samples.alertEvent()), Samples.consumed("metrics.rollup.default", Samples.rollup()), Samples.consumed("control.changes", Samples.controlChange()), Samples.consumed("cmdb.changes", Samples.cmdbChange()));
  }
}
