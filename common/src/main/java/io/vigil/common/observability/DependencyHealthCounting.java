package io.vigil.common.observability;

import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import reactor.core.publisher.Mono;

/**
 * Counts a failed health check of MySQL, Redis or Elasticsearch in {@code
 * vigil_dependency_failures_total{dependency}}, as the Kafka indicator does for Kafka: each
 * readiness probe that finds a dependency down is one failed connection attempt. Boot's own
 * indicators are wrapped; what they report is unchanged.
 */
public class DependencyHealthCounting implements BeanPostProcessor {

  /** Boot's indicator classes (by simple name, so no store's library is needed here) → dependency tag. */
  static final Map<String, String> DEPENDENCY_OF_INDICATOR = Map.of(
      "DataSourceHealthIndicator", "mysql",
      "DataRedisHealthIndicator", "redis",
      "DataRedisReactiveHealthIndicator", "redis",
      "ElasticsearchRestClientHealthIndicator", "elasticsearch");

  private final ObjectProvider<DependencyMetrics> metrics;

  public DependencyHealthCounting(ObjectProvider<DependencyMetrics> metrics) {
    this.metrics = metrics;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    String dependency = DEPENDENCY_OF_INDICATOR.get(bean.getClass().getSimpleName());
    if (dependency == null) {
      return bean;
    }
    if (bean instanceof HealthIndicator indicator) {
      return new Counting(indicator, dependency, metrics);
    }
    if (bean instanceof ReactiveHealthIndicator indicator) {
      return new ReactiveCounting(indicator, dependency, metrics);
    }
    return bean;
  }

  static void count(Health health, String dependency, ObjectProvider<DependencyMetrics> metrics) {
    if (health != null && Status.DOWN.equals(health.getStatus())) {
      metrics.getObject().failure(dependency);
    }
  }

  record Counting(HealthIndicator delegate, String dependency, ObjectProvider<DependencyMetrics> metrics)
      implements HealthIndicator {

    @Override
    public Health health(boolean includeDetails) {
      Health health = delegate.health(includeDetails);
      count(health, dependency, metrics);
      return health;
    }

    @Override
    public Health health() {
      Health health = delegate.health();
      count(health, dependency, metrics);
      return health;
    }
  }

  /** The same for Boot's reactive indicators (Redis, where Reactor is on the classpath). */
  record ReactiveCounting(ReactiveHealthIndicator delegate, String dependency,
      ObjectProvider<DependencyMetrics> metrics) implements ReactiveHealthIndicator {

    @Override
    public Mono<Health> health(boolean includeDetails) {
      return delegate.health(includeDetails).doOnNext(h -> count(h, dependency, metrics));
    }

    @Override
    public Mono<Health> health() {
      return delegate.health().doOnNext(h -> count(h, dependency, metrics));
    }
  }
}
