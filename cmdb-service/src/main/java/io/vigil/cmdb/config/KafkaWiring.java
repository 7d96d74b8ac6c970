package io.vigil.cmdb.config;

import io.vigil.common.control.AccessConfigCache;
import io.vigil.common.control.AccessConfigFollower;
import io.vigil.common.kafka.BroadcastConsumer;
import io.vigil.common.kafka.ConsumerKit;
import io.vigil.common.kafka.ConsumerStates;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.cmdb.instances.NearCache;
import io.vigil.common.model.CmdbChange;
import io.vigil.common.model.ControlChange;
import io.vigil.common.security.ControlCallerResolver;
import io.vigil.common.security.ProductCredentials;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The cmdb publishes {@code cmdb.changes} and follows {@code control.changes}. */
@Configuration(proxyBeanMethods = false)
class KafkaWiring {

  @Bean
  InitializingBean declareCmdbTopics(VigilPublisher publisher) {
    return () -> publisher.declare(Topics.CMDB_CHANGES);
  }

  /**
   * Broadcast: every process follows every instance change, so its near cache drops what another
   * process wrote. It starts where the topic stands, with the near cache emptied (and emptied again
   * whenever the consumer starts over after a failure): nothing older than what it reads is held.
   * Outside readiness: while it does not follow, look-ups read past the near cache, nothing worse.
   */
  @Bean
  BroadcastConsumer<CmdbChange> nearCacheConsumer(ConsumerKit kit, ConsumerStates states, NearCache near) {
    states.outsideReadiness(kit.consumerName("near-cache"));
    BroadcastConsumer<CmdbChange> consumer = kit.broadcast(Topics.CMDB_CHANGES, "near-cache",
        BroadcastConsumer.From.SNAPSHOT, near::clear, record -> {
          if (!record.tombstone()) {
            near.apply(record.value());
          }
        });
    near.followedBy(consumer::following);
    return consumer;
  }

  /**
   * Broadcast: every instance keeps its own copy of the access config (which namespaces exist, which
   * dimension names an instance's tenant), loaded whole as the snapshot and then changed one
   * namespace at a time; token and credential changes drop the cached copies.
   */
  @Bean
  BroadcastConsumer<ControlChange> controlChangesConsumer(ConsumerKit kit, AccessConfigCache access,
      ProductCredentials credentials, ControlCallerResolver callers) {
    return AccessConfigFollower.follow(kit, access, credentials, callers);
  }
}
