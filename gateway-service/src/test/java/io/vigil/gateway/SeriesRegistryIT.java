package io.vigil.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.MetricNames;
import io.vigil.common.store.StoreNames;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.fault.FaultProxy;
import io.vigil.gateway.ingest.SeriesRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The namespace's series cap against the real Redis: it holds across two gateway instances and
 * across a restart (a registry made anew), known series keep flowing at the cap, and with Redis away
 * an instance decides from its own memory, counted as degraded.
 */
class SeriesRegistryIT {

  @Test
  void theCapHoldsAcrossInstancesAndRestartsAndKnownSeriesKeepFlowing() {
    StoreNames names = new StoreNames(TestRun.indexPrefix(), TestRun.redisPrefix());
    Clock clock = Clock.systemUTC();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    DependencyMetrics deps = new DependencyMetrics(meters, Set.of("redis"));
    String ns = "cap/" + UUID.randomUUID().toString().substring(0, 8);
    try (FaultProxy proxy = FaultProxy.to(TestServers.redisHost(), TestServers.redisPort())) {
      SeriesRegistry a = new SeriesRegistry(NonceStoreIT.redis(TestServers.redisHost(), TestServers.redisPort()), names,
          deps, clock, Duration.ofHours(24), Duration.ofMinutes(1));
      SeriesRegistry b = new SeriesRegistry(NonceStoreIT.redis("127.0.0.1", proxy.port()), names, deps, clock,
          Duration.ofHours(24), Duration.ofMinutes(1));
      assertThat(a.refused(ns, 3, Set.of(1L, 2L))).isEmpty();
      Set<Long> refused = b.refused(ns, 3, Set.of(3L, 4L));
      assertThat(refused).as("the other instance sees the same cap: one of the two fits").hasSize(1)
          .isSubsetOf(3L, 4L);
      long admitted = refused.contains(3L) ? 4L : 3L;
      assertThat(b.refused(ns, 3, Set.of(1L, 2L, admitted))).as("known series flow at the cap").isEmpty();
      SeriesRegistry restarted = new SeriesRegistry(NonceStoreIT.redis(TestServers.redisHost(),
          TestServers.redisPort()), names, deps, clock, Duration.ofHours(24), Duration.ofMinutes(1));
      assertThat(restarted.refused(ns, 3, Set.of(5L))).as("after a restart").containsExactly(5L);
      assertThat(restarted.refused(ns, 3, Set.of(2L))).isEmpty();
      assertThat(restarted.count(ns)).isEqualTo(3);

      proxy.refuse();
      assertThat(b.refused(ns, 3, Set.of(6L, 7L))).as("Redis away: the instance's own memory decides")
          .hasSize(2);
      assertThat(meters.counter(MetricNames.DEGRADED, MetricNames.TAG_COMPONENT, "series_registry",
          MetricNames.TAG_REASON, "redis_down_local").count()).isGreaterThanOrEqualTo(1);
    }
  }
}
