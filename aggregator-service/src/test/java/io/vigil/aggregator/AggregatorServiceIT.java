package io.vigil.aggregator;

import io.vigil.common.testing.ConsumerWiringSupport;
import io.vigil.common.testing.Samples;
import java.util.List;

class AggregatorServiceIT extends ConsumerWiringSupport {

  @Override
  protected List<String> declaredFamilies() {
    return List.of();
  }

  /** Kafka Streams, not the kit's consumers: no consumer-state gauge. */
  @Override
  protected List<String> kitFamilies() {
    return super.kitFamilies().stream().filter(f -> !f.equals("vigil_kafka_consumer_waiting")).toList();
  }

  @Override
  protected List<String> readinessDependencies() {
    return List.of("kafka", "streams");
  }

  @Override
  protected List<ConsumedTopic> consumedTopics() {
    return List.of(Samples.pointBatches());
  }
}
