package io.vigil.gateway;

import io.vigil.common.testing.DeadDependencySupport;
import io.vigil.common.testing.VigilServiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/** The control-plane database on a dead port: the gateway lives, is not ready, and says why. */
@VigilServiceTest
@TestPropertySource(properties = "vigil.mysql.url-base=jdbc:mysql://127.0.0.1:1")
class GatewayDeadMysqlIT {

  @LocalServerPort
  int port;

  @Test
  void readinessIsDownNamingTheDatabase() {
    DeadDependencySupport.assertNotReadyBecauseOf(port, "db", "mysql");
  }
}
