package io.vigil.detector.detect;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.store.StoreNames;
import io.vigil.detector.policy.PolicyStore;
import io.vigil.detector.shard.PipelineProgress;
import java.time.Clock;
import org.springframework.data.redis.core.StringRedisTemplate;

/** Builds the detection parts whose pieces stay package-private. */
public final class DetectorParts {

  private DetectorParts() {}

  public static AlertEngine alertEngine(PolicyStore policies, PipelineProgress progress, Baselines baselines,
      StringRedisTemplate redis, StoreNames names, VigilPublisher publisher, Clock clock,
      DependencyMetrics dependencies, MeterRegistry registry) {
    AlertStateStore store = new AlertStateStore(redis, names, policies.shard(), dependencies, clock);
    return new AlertEngine(policies, progress, baselines, store, publisher, clock, dependencies, registry);
  }
}
