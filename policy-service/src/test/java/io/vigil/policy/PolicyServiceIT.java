package io.vigil.policy;

import io.vigil.common.testing.ServiceContractSupport;
import java.util.List;

class PolicyServiceIT extends ServiceContractSupport {

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
