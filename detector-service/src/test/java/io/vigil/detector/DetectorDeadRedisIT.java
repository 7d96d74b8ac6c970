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
 * not ready and says why; Lettuce's errors are an unavailable dependency; readiness returns. And
 * detection goes on from memory while Redis is away, counted, and Redis catches up when it returns.
 */
@VigilServiceTest
@org.springframework.test.annotation.DirtiesContext // its detector stops with the class: no other test's rollups judged twice
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
  @Autowired
  javax.sql.DataSource dataSource;
  @Autowired
  io.vigil.common.kafka.VigilPublisher publisher;
  @Autowired
  io.vigil.detector.policy.PolicyStore policies;
  @Autowired
  io.micrometer.core.instrument.MeterRegistry meters;
  @Autowired
  io.vigil.common.store.StoreNames names;

  @Test
  void withRedisAwayAlertsStillFireAndTheStateIsWrittenWhenItReturns() {
    var fx = new DetectionFixtures(dataSource, publisher, "default");
    var dims = java.util.Map.of("appid", "R1", "instance", "i-1");
    long version = fx.upsert("p-redis", "R1", DetectionFixtures.policy(DetectionFixtures.instanceIs("i-1"),
        DetectionFixtures.cpuAbove(80, 1, 1), "ANY"), true);
    io.vigil.common.testing.Awaits.until("policy held", () -> policies.snapshot().byId().containsKey("p-redis")
        && policies.snapshot().byId().get("p-redis").version() == version);
    long w = DetectionFixtures.minutesAgo(10);
    String key = io.vigil.common.series.AlertKey.ofSeries("p-redis", DetectionFixtures.cpu(dims, w, 0).seriesId())
        .value();
    double degradedBefore = degraded();
    proxy.refuse();
    try {
      fx.publish(DetectionFixtures.cpu(dims, w, 99));
      var fired = DetectionFixtures.events(key, 1, java.time.Duration.ofSeconds(30));
      org.assertj.core.api.Assertions.assertThat(fired).as("detected from memory").hasSize(1);
      org.assertj.core.api.Assertions.assertThat(degraded()).isGreaterThan(degradedBefore);
      org.assertj.core.api.Assertions.assertThat(meters.get("vigil.detector.states.dirty").gauge().value())
          .as("the state waits to be written").isGreaterThan(0);
    } finally {
      proxy.pass();
    }
    io.vigil.common.testing.Awaits.until("Redis is answering again", () -> {
      try {
        redis.opsForValue().get("probe");
        return true;
      } catch (RuntimeException e) {
        return false;
      }
    });
    // the next window of the partition writes the backlog: the open alert's copy is in Redis
    io.vigil.common.testing.Awaits.until("the state caught up in Redis", java.time.Duration.ofSeconds(30), () -> {
      fx.publish(DetectionFixtures.cpu(dims, w + 60_000, 99));
      for (int p = 0; p < io.vigil.common.kafka.Topics.rollup("default").partitions(); p++) {
        Object stored = redis.opsForHash().get(names.redisKey("detector", "default", "alerts", Integer.toString(p)), key);
        if (stored != null && stored.toString().contains("\"FIRING\"")) {
          return true;
        }
      }
      return false;
    });
    io.vigil.common.testing.Awaits.until("this detector's backlog written", java.time.Duration.ofSeconds(30),
        () -> meters.get("vigil.detector.states.dirty").gauge().value() == 0);
    org.assertj.core.api.Assertions.assertThat(DetectionFixtures.events(key, 2, java.time.Duration.ofSeconds(2)))
        .as("the alert stayed open: no second FIRING").hasSize(1);
  }

  private double degraded() {
    var c = meters.find(io.vigil.common.observability.MetricNames.DEGRADED).tag("component", "alert_state")
        .tag("reason", "redis_down").counter();
    return c == null ? 0 : c.count();
  }

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
