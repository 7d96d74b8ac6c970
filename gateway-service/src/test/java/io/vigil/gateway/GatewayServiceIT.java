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
    return List.of(Samples.consumed("control.changes", Samples.controlChange()));
  }

  @org.springframework.beans.factory.annotation.Autowired
  javax.sql.DataSource dataSource;

  /** the control-plane schema is there, as policy-service would have made it: a reader never migrates. */
  @org.junit.jupiter.api.Test
  void theControlSchemaIsTheContractFromCommon() throws Exception {
    try (var c = dataSource.getConnection();
        var rs = c.createStatement().executeQuery(
            "SELECT value FROM control_meta WHERE name = 'schema'")) {
      org.assertj.core.api.Assertions.assertThat(rs.next()).isTrue();
      org.assertj.core.api.Assertions.assertThat(rs.getString(1)).isEqualTo("vigil-control");
    }
    try (var c = dataSource.getConnection();
        var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM flyway_history_control WHERE success = 1")) {
      rs.next();
      org.assertj.core.api.Assertions.assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(1);
    }
  }
}
