package io.vigil.storage.config;

import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilKafkaProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * Storage's Kafka wiring: rollups, alert events and notification records in, each in its own
 * consumer group. Indexing arrives with the storage feature; until then records are only
 * acknowledged.
 */
@Configuration(proxyBeanMethods = false)
class KafkaWiring {

  private static final Logger log = LoggerFactory.getLogger(KafkaWiring.class);

  /** Storage keeps the rollups of every shard of the deployment. */
  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> rollupConsumer(ConsumerKit kit, VigilKafkaProperties kafka) {
    return kit.container(kafka.shards().stream().map(Topics::rollup).toList(), "rollups",
        record -> log.debug("rollup {} period {}", record.key(), record.value().periodSeconds()));
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> alertHistoryConsumer(ConsumerKit kit) {
    return kit.container(Topics.ALERTS_EVENTS, "alert-history",
        record -> log.debug("alert event {}", record.value().alertKey()));
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> notificationHistoryConsumer(ConsumerKit kit) {
    return kit.container(Topics.NOTIFY_RECORDS, "notification-history",
        record -> log.debug("notification record {}", record.value().notificationId()));
  }
}
