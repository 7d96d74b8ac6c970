package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.testing.VigilTestInitializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.annotation.KafkaListener;

/** A plain {@code @KafkaListener} would skip dead letters, error classes, meters and tracing: the start fails, saying so. */
class ListenerRefusedIT {

  /** Not a @Configuration, so the kit tests' component scan never picks it up; registered as a source here only. */
  static class PlainListener {
    @Bean
    Object listener() {
      return new Object() {
        @KafkaListener(topics = "anything", groupId = "plain")
        void on(String value) {}
      };
    }
  }

  @Test
  void aPlainKafkaListenerFailsTheStartWithTheReason() {
    assertThatThrownBy(() -> new SpringApplicationBuilder(KitTestApplication.class, PlainListener.class)
        .web(WebApplicationType.NONE)
        .properties("spring.application.name=kit-refused", "vigil.kafka.provision-topics=false")
        .initializers(new VigilTestInitializer())
        .run().close())
        .hasStackTraceContaining("plain @KafkaListener")
        .hasStackTraceContaining("ConsumerKit");
  }
}
