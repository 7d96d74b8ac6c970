package io.vigil.gateway.config;

import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.ControlChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * The gateway's Kafka wiring: it publishes points and events, and follows {@code control.changes}
 * to refresh its copy of the access config (the refresh itself comes with the ingestion feature;
 * until then a change is only acknowledged).
 */
@Configuration(proxyBeanMethods = false)
class KafkaWiring {

  private static final Logger log = LoggerFactory.getLogger(KafkaWiring.class);

  @Bean
  InitializingBean declareGatewayTopics(VigilPublisher publisher) {
    return () -> {
      publisher.declare(Topics.METRICS_RAW);
      publisher.declare(Topics.EVENTS_RAW);
    };
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> controlChangesConsumer(ConsumerKit kit) {
    return kit.container(Topics.CONTROL_CHANGES, "control-changes",
        record -> acknowledge(record.value()));
  }

  private static void acknowledge(ControlChange change) {
    log.debug("control change {} v{} {}", change.key(), change.version(), change.op());
  }
}
