package io.vigil.gateway.config;

import io.vigil.common.kafka.BroadcastConsumer;
import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.StartAt;
import io.vigil.gateway.ingest.IngestStats;
import java.time.Duration;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.ControlChange;
import io.vigil.common.security.ControlCallerResolver;
import io.vigil.common.security.ProductCredentials;
import io.vigil.common.control.AccessConfigCache;
import io.vigil.common.control.AccessConfigFollower;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The gateway's Kafka wiring: it publishes points and events, and follows {@code control.changes}
 * to keep its copy of the access config and its credential caches current.
 */
@Configuration(proxyBeanMethods = false)
class KafkaWiring {

  @Bean
  InitializingBean declareGatewayTopics(VigilPublisher publisher) {
    return () -> {
      publisher.declare(Topics.METRICS_RAW);
      publisher.declare(Topics.EVENTS_RAW);
    };
  }

  /**
   * Late points, for the products' status: the aggregator puts a point past its grace on {@code
   * metrics.late}; counted here per namespace and minute (one group: each counted once), so {@code
   * /v1/ingest/status} tells a product its points arrived too late to be rolled up.
   */
  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> latePointsConsumer(ConsumerKit kit, IngestStats stats) {
    return kit.consume(Topics.METRICS_LATE, "late-points", StartAt.lookBack(Duration.ofHours(1)))
        .batches(batch -> {
          for (var record : batch) {
            stats.late(record.value().namespace(), 1);
          }
        });
  }

  /**
   * Broadcast: every gateway instance keeps its own copy of the access config, loaded whole as the
   * snapshot, then changed one namespace at a time; token and credential changes drop the cached
   * copies.
   */
  @Bean
  BroadcastConsumer<ControlChange> controlChangesConsumer(ConsumerKit kit, AccessConfigCache access,
      ProductCredentials credentials, ControlCallerResolver callers) {
    return AccessConfigFollower.follow(kit, access, credentials, callers);
  }
}
