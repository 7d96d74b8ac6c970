package io.vigil.aggregator;

import io.vigil.common.testing.ConsumerWiringSupport;
import io.vigil.common.testing.Samples;
import java.util.List;

class AggregatorServiceIT extends ConsumerWiringSupport {

  @Override
  protected List<String> declaredFamilies() {
    return List.of();
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
