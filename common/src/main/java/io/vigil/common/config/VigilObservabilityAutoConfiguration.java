package io.vigil.common.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.observability.DependencyHealthCounting;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.InstrumentedExecutor;
import io.vigil.common.observability.LabelGuard;
import io.vigil.common.observability.VigilObservabilityProperties;
import java.util.LinkedHashSet;
import java.util.concurrent.ThreadPoolExecutor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MeterRegistryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.concurrent.ConcurrentTaskExecutor;

/**
 * The observability kit: the label guard on every registry, and dependency/degraded counters with
 * the dependencies this service declares in {@code vigil.observability.dependencies} registered at
 * zero, and the application's task executor (async request handling, {@code @Async}) built as a
 * bounded, instrumented pool instead of Spring's default.
 */
@AutoConfiguration(before = TaskExecutionAutoConfiguration.class)
@EnableConfigurationProperties(VigilObservabilityProperties.class)
public class VigilObservabilityAutoConfiguration {

  @Bean
  LabelGuard labelGuard(VigilObservabilityProperties properties) {
    return new LabelGuard(properties.maxSeriesPerFamily());
  }

  @Bean
  MeterRegistryCustomizer<MeterRegistry> labelGuardCounter(LabelGuard guard) {
    return guard::countIn;
  }

  @Bean
  static DependencyHealthCounting dependencyHealthCounting(ObjectProvider<DependencyMetrics> metrics) {
    return new DependencyHealthCounting(metrics);
  }

  @Bean
  DependencyMetrics dependencyMetrics(MeterRegistry registry, VigilObservabilityProperties properties) {
    return new DependencyMetrics(registry, new LinkedHashSet<>(properties.dependencies()));
  }

  /**
   * Spring's {@code applicationTaskExecutor}, bounded and instrumented as {@code executor="app-tasks"}.
   * When its queue is full the caller runs the task (back-pressure), and the rejection is counted.
   */
  @Bean(destroyMethod = "shutdown")
  ThreadPoolExecutor appTasksPool(MeterRegistry registry, VigilObservabilityProperties properties) {
    VigilObservabilityProperties.Pool pool = properties.appTasks();
    return InstrumentedExecutor.create("app-tasks", pool.threads(), pool.threads(), pool.queue(),
        new ThreadPoolExecutor.CallerRunsPolicy(), registry);
  }

  @Bean(name = "applicationTaskExecutor")
  TaskExecutor applicationTaskExecutor(ThreadPoolExecutor appTasksPool) {
    return new ConcurrentTaskExecutor(appTasksPool);
  }
}
