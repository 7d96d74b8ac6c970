package io.vigil.storage;

import io.vigil.common.testing.ConsumerWiringSupport;
import io.vigil.common.testing.Samples;
import java.util.List;
import org.springframework.test.context.TestPropertySource;

/** Storage with two shards: it keeps the rollups of both. */
@TestPropertySource(properties = "vigil.kafka.shards=default,big-product")
class StorageServiceIT extends ConsumerWiringSupport {

  @Override
  protected List<String> declaredFamilies() {
    return List.of();
  }

  @Override
  protected List<String> readinessDependencies() {
    return List.of("kafka", "elasticsearch");
  }

  @Override
  protected List<ConsumedTopic> consumedTopics() {
    return List.of(Samples.consumed("metrics.rollup.default", Samples.rollup()),
        Samples.consumed("metrics.rollup.big-product", Samples.rollup()),
        Samples.consumed("alerts.events", Samples.alertEvent()),
        Samples.consumed("notify.records", Samples.notificationRecord()),
        Samples.consumed("metrics.late", Samples.metricPoint()));
  }
}
