package io.vigil.detector.config;

import io.vigil.common.kafka.BroadcastConsumer;
import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.SnapshotLoader;
import io.vigil.common.kafka.StartAt;
import io.vigil.common.model.ControlChange;
import io.vigil.detector.shard.PipelineProgress;
import io.vigil.detector.shard.ShardProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import java.time.Duration;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * The detector's Kafka wiring: the rollups of its shard, product events, and control changes in;
 * alert events out. Detection itself arrives with the detection feature; until then the records
 * are only acknowledged.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ShardProperties.class)
class KafkaWiring {

  private static final Logger log = LoggerFactory.getLogger(KafkaWiring.class);
  /**
   * A new (or expired) detector group starts this far back: recent windows are judged, days of old
   * rollups and events are not turned into alerts that page people now.
   */
  static final Duration NEW_GROUP_LOOK_BACK = Duration.ofMinutes(15);

  @Bean
  InitializingBean declareDetectorTopics(VigilPublisher publisher) {
    return () -> publisher.declare(Topics.ALERTS_EVENTS);
  }

  @Bean
  PipelineProgress pipelineProgress() {
    return new PipelineProgress();
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> rollupConsumer(ConsumerKit kit, ShardProperties shard,
      PipelineProgress progress) {
    // the group is named for the shard: replicas of one shard share its partitions, shards never mix
    return kit.consume(shard.rollupTopic(), "rollups-" + shard.shard(), StartAt.lookBack(NEW_GROUP_LOOK_BACK))
        .progress((topic, partition, offset, marker) -> progress.update(partition, marker))
        .records(record -> log.debug("rollup {} period {}", record.key(), record.value().periodSeconds()));
  }

  @Bean
  ConcurrentMessageListenerContainer<String, byte[]> eventConsumer(ConsumerKit kit) {
    return kit.consume(Topics.EVENTS_RAW, "events", StartAt.lookBack(NEW_GROUP_LOOK_BACK)).records(
        record -> log.debug("event {} {}", record.value().eventType(), record.value().objectId()));
  }

  /** Broadcast: every detector instance holds its shard's policies; the policy loader comes with detection. */
  @Bean
  BroadcastConsumer<ControlChange> controlChangesConsumer(ConsumerKit kit) {
    return kit.broadcast(Topics.CONTROL_CHANGES, "control-changes", BroadcastConsumer.From.SNAPSHOT,
        SnapshotLoader.NONE, record -> log.debug("control change {}", record.key()));
  }
}
