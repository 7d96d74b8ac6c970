package io.vigil.common.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.LabelGuard;
import java.util.LinkedHashSet;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MeterRegistryCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * The observability kit: the label guard on every registry, and dependency/degraded counters with
 * the dependencies this service declares in {@code vigil.observability.dependencies} registered at
 * zero.
 */
@AutoConfiguration
public class VigilObservabilityAutoConfiguration {

  @Bean
  LabelGuard labelGuard(@Value("${vigil.observability.max-label-values:200}") int maxValues) {
    return new LabelGuard(maxValues);
  }

  @Bean
  MeterRegistryCustomizer<MeterRegistry> labelGuardCounter(LabelGuard guard) {
    return guard::countIn;
  }

  @Bean
  DependencyMetrics dependencyMetrics(MeterRegistry registry,
      @Value("${vigil.observability.dependencies:kafka}") List<String> dependencies) {
    return new DependencyMetrics(registry, new LinkedHashSet<>(dependencies));
  }
}
