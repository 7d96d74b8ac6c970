package io.vigil.storage.config;

import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.StartAt;
import io.vigil.common.kafka.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * Storage's Kafka wiring: rollups, alert events and notification records in, each in its own
 * consumer group. Indexing arrives with the storage feature; until then records are only
 * acknowledged. History is complete: every group here starts at the earliest record it can find.
 */
@Configuration(proxyBeanMethods = false)
class KafkaWiring {

  private static final Logger log = LoggerFactory.getLogger(KafkaWiring.class);

  /** Storage keeps the rollups of every shard, shards created while it runs included (by pattern). */
  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> rollupConsumer(ConsumerKit kit) {
    // progress markers say nothing storage keeps: skipped on purpose
    return kit.consumeAllShards("rollups", StartAt.EARLIEST).ignoringProgress()
        .batches(batch -> log.debug("{} rollups", batch.size()));
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> alertHistoryConsumer(ConsumerKit kit) {
    return kit.consume(Topics.ALERTS_EVENTS, "alert-history", StartAt.EARLIEST)
        .batches(batch -> log.debug("{} alert events", batch.size()));
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> notificationHistoryConsumer(ConsumerKit kit) {
    return kit.consume(Topics.NOTIFY_RECORDS, "notification-history", StartAt.EARLIEST)
        .batches(batch -> log.debug("{} notification records", batch.size()));
  }
}
