package io.vigil.common.observability;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The observability kit's settings.
 *
 * @param dependencies the dependencies this service uses, from {@link DependencyMetrics#DEPENDENCIES};
 *     their failure counters are served at zero from start-up
 * @param maxSeriesPerFamily distinct tag combinations (series) a {@code vigil_} family may have
 *     before the label guard refuses new ones: a cap on the family's cardinality, whatever tag grows
 * @param appTasks the bounded pool behind Spring's {@code applicationTaskExecutor}
 */
@Validated
@ConfigurationProperties("vigil.observability")
public record VigilObservabilityProperties(
    @DefaultValue("kafka") List<String> dependencies,
    @DefaultValue("5000") @Min(1) int maxSeriesPerFamily,
    @DefaultValue @Valid Pool appTasks) {

  public VigilObservabilityProperties {
    dependencies = List.copyOf(dependencies);
    for (String dependency : dependencies) {
      if (!DependencyMetrics.DEPENDENCIES.contains(dependency)) {
        throw new IllegalArgumentException("vigil.observability.dependencies: unknown dependency '" + dependency
            + "'; known: " + DependencyMetrics.DEPENDENCIES);
      }
    }
  }

  /** A pool's size: threads and the bounded queue in front of them. */
  public record Pool(@DefaultValue("4") @Min(1) int threads, @DefaultValue("1000") @Min(1) int queue) {}
}
