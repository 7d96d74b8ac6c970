package io.vigil.gateway;

import io.vigil.common.testing.ConsumerWiringSupport;
import io.vigil.common.testing.Samples;
import java.util.List;

class GatewayServiceIT extends ConsumerWiringSupport {

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
    return List.of(Samples.consumed("control.changes", Samples.controlChange()),
        Samples.consumed("metrics.late", Samples.metricPoint()));
  }

  @org.springframework.beans.factory.annotation.Autowired
  javax.sql.DataSource dataSource;

  /** the control-plane schema is there, as policy-service would have made it: a reader never migrates. */
  @org.junit.jupiter.api.Test
  void theControlSchemaIsTheContractFromCommon() throws Exception {
    assertControlSchema(dataSource);
  }
}
