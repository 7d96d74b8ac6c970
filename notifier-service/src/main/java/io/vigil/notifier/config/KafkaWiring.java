package io.vigil.notifier.config;

import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilKafkaProperties;
import io.vigil.common.kafka.VigilPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * The notifier's Kafka wiring: alert events, rollups, control changes and cmdb changes in; notification
 * records out. The pipeline arrives with the notification feature; until then the records are only
 * acknowledged.
 */
@Configuration(proxyBeanMethods = false)
class KafkaWiring {

  private static final Logger log = LoggerFactory.getLogger(KafkaWiring.class);

  @Bean
  InitializingBean declareNotifierTopics(VigilPublisher publisher) {
    return () -> publisher.declare(Topics.NOTIFY_RECORDS);
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> alertEventConsumer(ConsumerKit kit) {
    return kit.container(Topics.ALERTS_EVENTS, "alerts",
        record -> log.debug("alert event {} {}", record.value().alertKey(), record.value().status()));
  }

  /** Recent values of series, for the notifications of alerts still open; every shard. */
  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> rollupConsumer(ConsumerKit kit, VigilKafkaProperties kafka) {
    return kit.container(kafka.shards().stream().map(Topics::rollup).toList(), "rollups",
        record -> log.debug("rollup {} period {}", record.key(), record.value().periodSeconds()));
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> controlChangesConsumer(ConsumerKit kit) {
    return kit.container(Topics.CONTROL_CHANGES, "control-changes",
        record -> log.debug("control change {}", record.value().key()));
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> cmdbChangesConsumer(ConsumerKit kit) {
    return kit.container(Topics.CMDB_CHANGES, "cmdb-changes",
        record -> log.debug("cmdb change {}", record.value().instance()));
  }
}
