package io.vigil.cmdb;

import io.vigil.common.testing.ServiceContractSupport;
import java.util.List;

class CmdbServiceIT extends ServiceContractSupport {

  @Override
  protected List<String> declaredFamilies() {
    return PRODUCER_FAMILIES;
  }

  @Override
  protected List<String> readinessDependencies() {
    return List.of("kafka", "db");
  }
}
