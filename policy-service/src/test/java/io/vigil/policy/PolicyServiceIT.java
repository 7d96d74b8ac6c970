package io.vigil.policy;

import io.vigil.common.testing.ServiceContractSupport;
import java.util.List;

class PolicyServiceIT extends ServiceContractSupport {

  @Override
  protected List<String> declaredFamilies() {
    return List.of("vigil_kafka_produced_total", "vigil_kafka_produce_failed_total", "vigil_dependency_failures_total");
  }

  @Override
  protected List<String> readinessDependencies() {
    return List.of("kafka", "db");
  }
}
