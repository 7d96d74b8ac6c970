package io.vigil.gateway.config;

import io.vigil.common.kafka.BroadcastConsumer;
import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.SnapshotLoader;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.ControlChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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

  /**
   * Broadcast: every gateway instance keeps its own copy of the access config. The snapshot loader
   * (the access-config tables) comes with the ingestion feature.
   */
  @Bean
  BroadcastConsumer<ControlChange> controlChangesConsumer(ConsumerKit kit) {
    return kit.broadcast(Topics.CONTROL_CHANGES, "control-changes", BroadcastConsumer.From.SNAPSHOT,
        SnapshotLoader.NONE, record -> log.debug("control change {}", record.key()));
  }
}
