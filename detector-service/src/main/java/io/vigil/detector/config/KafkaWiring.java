package io.vigil.detector.config;

import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * The detector's Kafka wiring: the rollups of its shard, product events, and control changes in;
 * alert events out. Detection itself arrives with the detection feature; until then the records
 * are only acknowledged.
 */
@Configuration(proxyBeanMethods = false)
class KafkaWiring {

  private static final Logger log = LoggerFactory.getLogger(KafkaWiring.class);

  @Bean
  InitializingBean declareDetectorTopics(VigilPublisher publisher) {
    return () -> publisher.declare(Topics.ALERTS_EVENTS);
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> rollupConsumer(ConsumerKit kit,
      @Value("${vigil.detector.shard:default}") String shard) {
    return kit.container(Topics.rollup(shard), "rollups",
        record -> log.debug("rollup {} period {}", record.key(), record.value().periodSeconds()));
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> eventConsumer(ConsumerKit kit) {
    return kit.container(Topics.EVENTS_RAW, "events",
        record -> log.debug("event {} {}", record.value().eventType(), record.value().objectId()));
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> controlChangesConsumer(ConsumerKit kit) {
    return kit.container(Topics.CONTROL_CHANGES, "control-changes",
        record -> log.debug("control change {}", record.value().key()));
  }
}
