package io.vigil.common.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class VigilObservabilityPropertiesTest {

  @Test
  void anUnknownDependencyIsRefusedAtStartUpByName() {
    assertThatThrownBy(() -> new VigilObservabilityProperties(List.of("kafka", "postgres"), 200,
        new VigilObservabilityProperties.Pool(4, 1000)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("postgres");
  }

  @Test
  void knownDependenciesAreKept() {
    var properties = new VigilObservabilityProperties(List.of("kafka", "mysql", "redis"), 200,
        new VigilObservabilityProperties.Pool(4, 1000));
    assertThat(properties.dependencies()).containsExactly("kafka", "mysql", "redis");
  }
}
