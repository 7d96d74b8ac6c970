package io.vigil.policy;

import io.vigil.common.testing.ConsumerWiringSupport;
import io.vigil.common.testing.Samples;
import java.util.List;

/** The service contract, and its own follower of control.changes (caches of other instances' changes). */
class PolicyServiceIT extends ConsumerWiringSupport {

  @Override
  protected List<ConsumedTopic> consumedTopics() {
    return List.of(Samples.consumed("control.changes", Samples.controlChange()));
  }

  @Override
  protected List<String> declaredFamilies() {
    return PRODUCER_FAMILIES;
  }

  @Override
  protected List<String> readinessDependencies() {
    return List.of("kafka", "db");
  }

  @org.springframework.beans.factory.annotation.Autowired
  javax.sql.DataSource dataSource;

  /** the control-plane migrations from common were applied by this service itself (the only one that migrates). */
  @org.junit.jupiter.api.Test
  void theControlSchemaIsTheContractFromCommon() throws Exception {
    assertControlSchema(dataSource);
  }
}
