package io.vigil.gateway;

import static org.assertj.core.api.Assertions.catchThrowable;

import io.vigil.common.testing.DeadDependencySupport;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.fault.FaultProxy;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The control-plane database taken away through a proxy: the gateway lives, is not ready and says
 * why, the driver's error is an unavailable dependency, and readiness returns with the database.
 */
@VigilServiceTest
class GatewayDeadMysqlIT {

  static final FaultProxy proxy = FaultProxy.to(TestServers.mysqlHost(), TestServers.mysqlPort());

  @DynamicPropertySource
  static void throughTheProxy(DynamicPropertyRegistry registry) {
    registry.add("vigil.mysql.url-base", () -> "jdbc:mysql://127.0.0.1:" + proxy.port());
  }

  @AfterAll
  static void close() {
    proxy.close();
  }

  @LocalServerPort
  int port;

  @Autowired
  DataSource dataSource;

  @Test
  void readinessIsDownNamingTheDatabaseAndComesBack() {
    proxy.refuse();
    try {
      DeadDependencySupport.assertNotReadyBecauseOf(port, "db", "mysql");
      DeadDependencySupport.assertClassedUnavailable(catchThrowable(() -> dataSource.getConnection().close()), "mysql");
    } finally {
      proxy.pass();
    }
    DeadDependencySupport.assertReadyAgain(port);
  }
}
