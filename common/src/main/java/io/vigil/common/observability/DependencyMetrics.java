package io.vigil.common.observability;

import static io.vigil.common.observability.MetricNames.*;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;

/**
 * Counts the paths that do not fail a request but cost freshness or completeness: a dependency that
 * could not be reached, a degraded path taken. A log line is easy to miss at volume; a counter is
 * alerted on.
 */
public final class DependencyMetrics {

  /** The dependency names used as tag values; anything else is a programming error. */
  public static final Set<String> DEPENDENCIES =
      Set.of("kafka", "mysql", "redis", "elasticsearch", "smtp", "sms", "phone", "webhook", "bot",
          "gateway", "aggregator", "storage", "detector", "notifier", "policy", "cmdb", "unknown");

  private final MeterRegistry registry;

  public DependencyMetrics(MeterRegistry registry, Set<String> used) {
    this.registry = registry;
    for (String dependency : used) {
      failures(dependency); // registered at zero, so a dashboard shows the family from the start
    }
  }

  public void failure(String dependency) {
    failures(dependency).increment();
  }

  /** A degraded path taken: {@code component} and {@code reason} are fixed words of the code. */
  public void degraded(String component, String reason) {
    Counter.builder(DEGRADED).tag(TAG_COMPONENT, component).tag(TAG_REASON, reason)
        .description("degraded paths taken instead of failing").register(registry).increment();
  }

  private Counter failures(String dependency) {
    if (!DEPENDENCIES.contains(dependency)) {
      throw new IllegalArgumentException("unknown dependency " + dependency + "; known: " + DEPENDENCIES);
    }
    return Counter.builder(DEPENDENCY_FAILURES).tag(TAG_DEPENDENCY, dependency)
        .description("failed calls or connection attempts to a dependency").register(registry);
  }
}
