package io.vigil.storage.config;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.kafka.StartAt;
import io.vigil.common.kafka.Topics;
import io.vigil.common.store.StoreNames;
import io.vigil.storage.history.AlertHistoryIndexer;
import io.vigil.storage.history.AlertSummaries;
import io.vigil.storage.history.HistoryIndices;
import io.vigil.storage.history.IndexFamily;
import io.vigil.storage.history.LatePointIndexer;
import io.vigil.storage.history.NotificationHistoryIndexer;
import io.vigil.storage.rollup.BlockWriter;
import io.vigil.storage.rollup.RetentionSweeper;
import io.vigil.storage.rollup.RollupIndexer;
import io.vigil.storage.rollup.RollupIndices;
import java.time.Clock;
import java.util.List;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * Storage's Kafka wiring: rollups, alert events, notification records and late points in, each in
 * its own consumer group and indexed one bulk request a poll. History is complete: every group here
 * starts at the earliest record it can find.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({RollupIndexProperties.class, HistoryProperties.class, QueryProperties.class,
    BlockProperties.class})
class KafkaWiring {

  @Bean
  RollupIndices rollupIndices(StoreNames names, RollupIndexProperties properties) {
    return new RollupIndices(names, properties.retentions());
  }

  /** Hour blocks of 60 s rollups: their own indices, kept as long as the 60 s rollups. */
  @Bean
  IndexFamily minuteBlocks(StoreNames names, RollupIndices indices) {
    return new IndexFamily(names, "minute-blocks", indices.retention(60));
  }

  @Bean
  BlockWriter blockWriter(ElasticsearchClient client, RollupIndices indices, IndexFamily minuteBlocks,
      RollupIndexProperties properties, BlockProperties blocks, Clock clock, MeterRegistry registry) {
    blocks.checkAgainst(properties.refreshInterval());
    return new BlockWriter(client, indices, minuteBlocks, properties.settings(), blocks.settings(), clock, registry,
        blocks.enabled());
  }

  @Bean
  RollupIndexer rollupIndexer(ElasticsearchClient client, RollupIndices indices, RollupIndexProperties properties,
      MessageCodec codec, BlockWriter blockWriter, BlockProperties blocks) {
    return new RollupIndexer(client, indices, properties.settings(), codec, blocks.enabled() ? blockWriter : null);
  }

  @Bean
  HistoryIndices historyIndices(StoreNames names, HistoryProperties history, RollupIndexProperties properties) {
    return new HistoryIndices(names, history.alertRetention(), history.notificationRetention(),
        history.lateRetention(), properties.settings());
  }

  @Bean
  io.vigil.storage.query.SeriesQueries seriesQueries(ElasticsearchClient client, RollupIndices indices,
      HistoryIndices history, MeterRegistry registry, QueryProperties query, IndexFamily minuteBlocks,
      BlockProperties blocks) {
    return new io.vigil.storage.query.SeriesQueries(client, indices, history, registry, query.maxBuckets(),
        query.identities(), query.maxTotalPoints(), blocks.enabled() ? minuteBlocks : null, blocks.maxPerQuery());
  }

  /**
   * Doubles written by Schubfach's shortest round-tripping digits: on Java 17 the JDK's own
   * conversion was 6% of the service's time on a wide series answer (144,000 values).
   */
  @Bean
  org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer fastDoubles() {
    return builder -> builder.enable(tools.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER);
  }

  @Bean
  io.vigil.storage.promql.PromEvaluator promEvaluator(io.vigil.storage.query.SeriesQueries queries,
      RollupIndices indices) {
    return new io.vigil.storage.promql.PromEvaluator(queries, indices.periods());
  }

  @Bean
  io.vigil.storage.query.HistoryQueries historyQueries(ElasticsearchClient client, HistoryIndices history) {
    return new io.vigil.storage.query.HistoryQueries(client, history);
  }

  @Bean
  AlertSummaries alertSummaries(ElasticsearchClient client, HistoryIndices indices, MeterRegistry registry) {
    return new AlertSummaries(client, indices, registry);
  }

  @Bean
  RetentionSweeper retentionSweeper(ElasticsearchClient client, RollupIndices indices, HistoryIndices history,
      IndexFamily minuteBlocks, Clock clock, MeterRegistry registry, RollupIndexProperties properties) {
    return new RetentionSweeper(client, List.of(indices, history.alertEvents(), history.notifications(),
        history.latePoints(), minuteBlocks), clock, registry, properties.retentionCheck())
        .alsoSweeping(List.of(now -> history.deleteClosedSummaries(client, now)));
  }

  /** Storage keeps the rollups of every shard, shards created while it runs included (by pattern). */
  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> rollupConsumer(ConsumerKit kit, RollupIndexer indexer) {
    // progress markers say nothing storage keeps: skipped on purpose
    return kit.consumeAllShards("rollups", StartAt.EARLIEST).ignoringProgress().batches(indexer);
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> alertHistoryConsumer(ConsumerKit kit, ElasticsearchClient client,
      HistoryIndices indices, AlertSummaries summaries, MessageCodec codec) {
    return kit.consume(Topics.ALERTS_EVENTS, "alert-history", StartAt.EARLIEST)
        .batches(new AlertHistoryIndexer(client, indices, summaries, codec));
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> notificationHistoryConsumer(ConsumerKit kit,
      ElasticsearchClient client, HistoryIndices indices, AlertSummaries summaries, MessageCodec codec) {
    return kit.consume(Topics.NOTIFY_RECORDS, "notification-history", StartAt.EARLIEST)
        .batches(new NotificationHistoryIndexer(client, indices, summaries, codec));
  }

  /** Points later than their window's grace: kept, so they stay queryable (marked late). */
  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> latePointConsumer(ConsumerKit kit, ElasticsearchClient client,
      HistoryIndices indices, MessageCodec codec) {
    return kit.consume(Topics.METRICS_LATE, "late-points", StartAt.EARLIEST)
        .batches(new LatePointIndexer(client, indices, codec));
  }
}
