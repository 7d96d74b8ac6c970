package io.vigil.storage.config;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.kafka.StartAt;
import io.vigil.common.kafka.Topics;
import io.vigil.common.store.StoreNames;
import io.vigil.storage.rollup.RetentionSweeper;
import io.vigil.storage.rollup.RollupIndexer;
import io.vigil.storage.rollup.RollupIndices;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * Storage's Kafka wiring: rollups, alert events and notification records in, each in its own
 * consumer group. Rollups are indexed (one bulk request a poll); alert and notification history
 * arrive with the rest of the storage issue, until then those records are only acknowledged. History
 * is complete: every group here starts at the earliest record it can find.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RollupIndexProperties.class)
class KafkaWiring {

  private static final Logger log = LoggerFactory.getLogger(KafkaWiring.class);

  @Bean
  RollupIndices rollupIndices(StoreNames names, RollupIndexProperties properties) {
    return new RollupIndices(names, properties.retentions());
  }

  @Bean
  RollupIndexer rollupIndexer(ElasticsearchClient client, RollupIndices indices, RollupIndexProperties properties,
      MessageCodec codec) {
    return new RollupIndexer(client, indices, properties.settings(), codec);
  }

  @Bean
  RetentionSweeper retentionSweeper(ElasticsearchClient client, RollupIndices indices, Clock clock,
      MeterRegistry registry, RollupIndexProperties properties) {
    return new RetentionSweeper(client, indices, clock, registry, properties.retentionCheck());
  }

  /** Storage keeps the rollups of every shard, shards created while it runs included (by pattern). */
  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> rollupConsumer(ConsumerKit kit, RollupIndexer indexer) {
    // progress markers say nothing storage keeps: skipped on purpose
    return kit.consumeAllShards("rollups", StartAt.EARLIEST).ignoringProgress().batches(indexer);
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
