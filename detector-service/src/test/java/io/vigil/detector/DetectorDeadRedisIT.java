package io.vigil.detector;

import static org.assertj.core.api.Assertions.catchThrowable;

import io.vigil.common.testing.DeadDependencySupport;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.fault.FaultProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Redis (the alert state's durable copy) refused, then hung, through a proxy: the detector lives, is
 * not ready and says why; Lettuce's errors are an unavailable dependency; readiness returns.
 */
@VigilServiceTest
class DetectorDeadRedisIT {

  static final FaultProxy proxy = FaultProxy.to(TestServers.redisHost(), TestServers.redisPort());

  @DynamicPropertySource
  static void throughTheProxy(DynamicPropertyRegistry registry) {
    registry.add("spring.data.redis.host", () -> "127.0.0.1");
    registry.add("spring.data.redis.port", proxy::port);
  }

  @AfterAll
  static void close() {
    proxy.close();
  }

  @LocalServerPort
  int port;

  @Autowired
  StringRedisTemplate redis;

  @Test
  void readinessIsDownNamingRedisAndComesBack() {
    proxy.refuse();
    try {
      DeadDependencySupport.assertNotReadyBecauseOf(port, "redis", "redis");
      DeadDependencySupport.assertClassedUnavailable(catchThrowable(() -> redis.opsForValue().get("probe")), "redis");
      proxy.blackhole();
      DeadDependencySupport.assertClassedUnavailable(catchThrowable(() -> redis.opsForValue().get("probe")), "redis");
    } finally {
      proxy.pass();
    }
    DeadDependencySupport.assertReadyAgain(port);
  }
}
