package io.vigil.detector.detect;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.kafka.ConsumedRecord;
import io.vigil.common.model.Rollup;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.detector.policy.PolicyStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class AlertEngineTest {

  @Test
  void beforeTheFirstPolicyLoadABatchWaitsAsForADependencyAndIsNotJudged() {
    var registry = new SimpleMeterRegistry();
    var dependencies = new DependencyMetrics(registry, Set.of("mysql", "redis"));
    // never loaded: the data source is never asked
    PolicyStore policies = new PolicyStore("default", new DriverManagerDataSource("jdbc:mysql://127.0.0.1:1/none"),
        16, registry);
    try (AlertEngine engine = new AlertEngine(policies, new io.vigil.detector.shard.PipelineProgress(12), null,
        null, null, Clock.systemUTC(), dependencies, registry)) {
      engine.loadWait(java.time.Duration.ofMillis(200));
      long w = System.currentTimeMillis() / 60_000 * 60_000;
      Rollup r = new Rollup(Rollup.SCHEMA_VERSION, 7, "qce/cvm", "gz", "cpu", Map.of("appid", "1"), "default", 60, w,
          99, 1, 99, 99, 99, w + 60_000, "1");
      var batch = List.of(new ConsumedRecord<>("metrics.rollup.default", 0, 0, "k", r, w, null, null));
      assertThatThrownBy(() -> engine.handle(batch)).isInstanceOf(DependencyUnavailableException.class)
          .hasMessageContaining("not loaded yet");
      assertThatThrownBy(() -> engine.events().handle(List.of())).isInstanceOf(DependencyUnavailableException.class);
      // a partition gained now is not restored yet (its Redis copy would be judged without policies)
      engine.assigned(List.of(new org.apache.kafka.common.TopicPartition("metrics.rollup.default", 3)));
      org.assertj.core.api.Assertions.assertThat(engine.describe("p:s:0000000000000007")).isNull();
    }
  }
}
