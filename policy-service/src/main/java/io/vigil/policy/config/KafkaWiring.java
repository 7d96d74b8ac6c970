package io.vigil.policy.config;

import io.vigil.common.kafka.BroadcastConsumer;
import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.SnapshotLoader;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.ControlChange;
import io.vigil.common.security.ControlCallerResolver;
import io.vigil.common.security.ProductCredentials;
import io.vigil.policy.store.ControlStore;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The control plane publishes {@code control.changes} (through the outbox) and follows it too: with
 * several instances, a token revoked or a namespace changed through one must not stay cached in
 * another until its cache expires.
 */
@Configuration(proxyBeanMethods = false)
class KafkaWiring {

  @Bean
  InitializingBean declarePolicyTopics(VigilPublisher publisher) {
    return () -> publisher.declare(Topics.CONTROL_CHANGES);
  }

  /** Broadcast, from now on: the caches fill lazily, so there is no snapshot to load. */
  @Bean
  BroadcastConsumer<ControlChange> controlChangesConsumer(ConsumerKit kit, ControlCallerResolver callers,
      ProductCredentials credentials, ControlStore store) {
    return kit.broadcast(Topics.CONTROL_CHANGES, "control-changes", BroadcastConsumer.From.SNAPSHOT,
        SnapshotLoader.NONE, record -> {
          if (record.tombstone()) {
            return;
          }
          ControlChange change = record.value();
          callers.onChange(change);
          credentials.onChange(change);
          store.onChange(change);
        });
  }
}
