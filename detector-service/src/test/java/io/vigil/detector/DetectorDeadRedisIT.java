package io.vigil.detector;

import io.vigil.common.testing.DeadDependencySupport;
import io.vigil.common.testing.VigilServiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/** Redis (the alert state's durable copy) on a dead port: the detector lives, is not ready, and says why. */
@VigilServiceTest
@TestPropertySource(properties = "spring.data.redis.port=1")
class DetectorDeadRedisIT {

  @LocalServerPort
  int port;

  @Test
  void readinessIsDownNamingRedis() {
    DeadDependencySupport.assertNotReadyBecauseOf(port, "redis", "redis");
  }
}
