package io.vigil.notifier;

import io.vigil.common.testing.ConsumerWiringSupport;
import io.vigil.common.testing.Samples;
import java.util.List;

// its notifier stops with the class: another context of this run would otherwise judge the same events
@org.springframework.test.annotation.DirtiesContext
class NotifierServiceIT extends ConsumerWiringSupport {

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
