package io.vigil.notifier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.pipeline.Stage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineFactoryTest {

  static final Map<String, Stage> AVAILABLE = new LinkedHashMap<>();

  static {
    for (String name : List.of("intake", "silence", "convergence", "routing", "render", "dispatch")) {
      AVAILABLE.put(name, new Stage() {
        @Override
        public String name() {
          return name;
        }

        @Override
        public Outcome apply(io.vigil.notifier.pipeline.Notice notice) {
          return Outcome.CONTINUE;
        }
      });
    }
  }

  @Test
  void composesTheConfiguredOrder() {
    assertThat(PipelineFactory.compose(List.of("intake", "silence", "routing", "render", "dispatch"), AVAILABLE))
        .extracting(Stage::name).containsExactly("intake", "silence", "routing", "render", "dispatch");
    assertThat(PipelineFactory.compose(List.of("intake", "routing", "render", "dispatch"), AVAILABLE))
        .as("a filtering stage may be left out").hasSize(4);
  }

  @Test
  void refusesWhatBreaksAStagesContract() {
    assertThatThrownBy(() -> PipelineFactory.compose(List.of("intake", "silense", "routing", "render", "dispatch"),
        AVAILABLE)).hasMessageContaining("unknown stage 'silense'");
    assertThatThrownBy(() -> PipelineFactory.compose(List.of("silence", "intake", "routing", "render", "dispatch"),
        AVAILABLE)).hasMessageContaining("intake comes first");
    assertThatThrownBy(() -> PipelineFactory.compose(List.of("intake", "render", "routing", "dispatch"), AVAILABLE))
        .hasMessageContaining("in that order");
    assertThatThrownBy(() -> PipelineFactory.compose(List.of("intake", "routing", "render", "dispatch", "silence"),
        AVAILABLE)).hasMessageContaining("dispatch is the last");
    assertThatThrownBy(() -> PipelineFactory.compose(List.of("intake", "routing", "convergence", "render", "dispatch"),
        AVAILABLE)).hasMessageContaining("convergence comes before routing");
    assertThatThrownBy(() -> PipelineFactory.compose(List.of("intake", "silence", "silence", "routing", "render",
        "dispatch"), AVAILABLE)).hasMessageContaining("twice");
  }
}
