package io.vigil.detector;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.testing.VigilTestInitializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** A detector configured with a shard that can never name a topic does not start. */
class DetectorShardIT {

  @Test
  void aBadShardNameFailsTheStartNamingTheProperty() {
    assertThatThrownBy(() -> new SpringApplicationBuilder(DetectorApplication.class)
        .web(WebApplicationType.NONE)
        .properties("spring.application.name=detector", "vigil.detector.shard=Big.Product",
            "vigil.kafka.provision-topics=false")
        .initializers(new VigilTestInitializer())
        .run().close())
        .hasStackTraceContaining("vigil.detector.shard")
        .hasStackTraceContaining("lower-case letters, digits and '-'");
  }
}
