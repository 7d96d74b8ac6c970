package io.vigil.aggregator;

import io.vigil.common.testing.ConsumerWiringSupport;
import io.vigil.common.testing.Samples;
import java.util.List;

class AggregatorServiceIT extends ConsumerWiringSupport {

  @Override
  protected List<String> declaredFamilies() {
    return List.of("vigil_kafka_consumed_total", "vigil_kafka_dead_lettered_total", "vigil_kafka_consume_delay_seconds_count", "vigil_dependency_failures_total");
  }

  @Override
  protected List<String> readinessDependencies() {
    return List.of("kafka");
  }

  @Override
  protected List<ConsumedTopic> consumedTopics() {
    return List.of(Samples.consumed("metrics.raw", Samples.metricPoint()));
  }
}
