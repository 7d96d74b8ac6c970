package io.vigil.cmdb.config;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.cmdb.knowledge.BgeSmallZhEmbedder;
import io.vigil.cmdb.knowledge.Embedder;
import io.vigil.cmdb.knowledge.KnowledgeIndex;
import io.vigil.cmdb.knowledge.KnowledgeIndexer;
import io.vigil.cmdb.knowledge.KnowledgeSearch;
import io.vigil.common.control.ControlDataSource;
import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.ConsumerStates;
import io.vigil.common.kafka.StartAt;
import io.vigil.common.kafka.Topics;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.InstrumentedExecutor;
import io.vigil.common.store.StoreNames;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * The knowledge index: the embedding model, the index and its search, the two consumers that keep
 * it current, and the reconcile from the control tables. Knowledge indexing works beside the cmdb's
 * main job: Elasticsearch away pauses it (and search answers 503) without taking the instances API
 * out of readiness.
 */
@Configuration(proxyBeanMethods = false)
class KnowledgeConfig {

  private static final Logger log = LoggerFactory.getLogger(KnowledgeConfig.class);

  /** {@code bge-small-zh} (default): the model in the JVM; {@code none}: keyword search only. */
  @Bean
  Embedder embedder(@Value("${vigil.cmdb.knowledge.embedder:bge-small-zh}") String embedder, MeterRegistry registry) {
    return switch (embedder) {
      case "bge-small-zh" -> new BgeSmallZhEmbedder(registry);
      case "none" -> Embedder.NONE;
      default -> throw new IllegalStateException("vigil.cmdb.knowledge.embedder: bge-small-zh or none, not " + embedder);
    };
  }

  @Bean
  KnowledgeIndex knowledgeIndex(ElasticsearchClient client, StoreNames names, Embedder embedder,
      @Value("${vigil.cmdb.knowledge.replicas:0}") int replicas, MeterRegistry registry) {
    return new KnowledgeIndex(client, names, embedder, replicas, registry);
  }

  @Bean
  KnowledgeSearch knowledgeSearch(KnowledgeIndex index, DependencyMetrics dependencies, MeterRegistry registry) {
    return new KnowledgeSearch(index, dependencies, registry);
  }

  @Bean
  KnowledgeIndexer knowledgeIndexer(KnowledgeIndex index, ControlDataSource control,
      @Value("${vigil.region:local}") String region) {
    return new KnowledgeIndexer(index, control.dataSource(), region);
  }

  /** Namespaces, metrics and policies: each change read again from the control tables. */
  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> knowledgeControlConsumer(ConsumerKit kit, ConsumerStates states,
      KnowledgeIndexer indexer) {
    states.outsideReadiness("cmdb-knowledge-control");
    return kit.consume(Topics.CONTROL_CHANGES, "knowledge-control", StartAt.EARLIEST).batches(indexer::controlChanges);
  }

  /** Instances, from the compacted cmdb.changes: a new group reads every instance's latest change. */
  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> knowledgeInstancesConsumer(ConsumerKit kit,
      ConsumerStates states, KnowledgeIndexer indexer) {
    states.outsideReadiness("cmdb-knowledge-instances");
    return kit.consume(Topics.CMDB_CHANGES, "knowledge-instances", StartAt.EARLIEST).batches(indexer::instanceChanges);
  }

  /**
   * After start: the model is loaded, then the index reconciled with the control tables (again every
   * {@code reconcile-every}); a round that fails (Elasticsearch or MySQL away) is tried again a minute later.
   */
  @Bean(destroyMethod = "shutdownNow")
  ScheduledExecutorService knowledgeTimer(MeterRegistry registry) {
    return InstrumentedExecutor.scheduled("cmdb-knowledge", registry);
  }

  @Bean
  ApplicationListener<ApplicationReadyEvent> knowledgeStart(ScheduledExecutorService knowledgeTimer,
      Embedder embedder, KnowledgeIndexer indexer,
      @Value("${vigil.cmdb.knowledge.reconcile-every:6h}") Duration every) {
    return event -> {
      knowledgeTimer.execute(() -> {
        if (embedder instanceof BgeSmallZhEmbedder bge) {
          bge.warm();
        }
      });
      Runnable round = new Runnable() {
        @Override
        public void run() {
          try {
            indexer.reconcile();
            knowledgeTimer.schedule(this, every.toMillis(), TimeUnit.MILLISECONDS);
          } catch (RuntimeException e) {
            log.warn("knowledge reconcile failed, trying again in a minute: {}", e.toString());
            knowledgeTimer.schedule(this, 1, TimeUnit.MINUTES);
          }
        }
      };
      knowledgeTimer.execute(round);
    };
  }
}
