package io.vigil.notifier;

import io.vigil.common.testing.ConsumerWiringSupport;
import io.vigil.common.testing.Samples;
import java.util.List;

class NotifierServiceIT extends ConsumerWiringSupport {

  @Override
  protected List<String> declaredFamilies() {
    return List.of("vigil_kafka_consumed_total", "vigil_kafka_failed_total", "vigil_kafka_dead_lettered_total", "vigil_kafka_consume_delay_seconds_count", "vigil_kafka_processing_seconds_count", "vigil_kafka_produced_total", "vigil_kafka_produce_failed_total", "vigil_dependency_failures_total");
  }

  @Override
  protected List<String> readinessDependencies() {
    return List.of("kafka", "db", "redis");
  }

  @Override
  protected List<ConsumedTopic> consumedTopics() {
    return List.of(Samples.consumed("alerts.events", Samples.alertEvent()), Samples.consumed("metrics.rollup.default", Samples.rollup()), Samples.consumed("control.changes", Samples.controlChange()), Samples.consumed("cmdb.changes", Samples.cmdbChange()));
  }
}
