package io.vigil.policy.config;

import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The control plane publishes {@code control.changes}; it consumes nothing. */
@Configuration(proxyBeanMethods = false)
class KafkaWiring {

  @Bean
  InitializingBean declarePolicyTopics(VigilPublisher publisher) {
    return () -> publisher.declare(Topics.CONTROL_CHANGES);
  }
}
