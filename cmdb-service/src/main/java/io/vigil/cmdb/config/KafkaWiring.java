package io.vigil.cmdb.config;

import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The cmdb publishes {@code cmdb.changes}; it consumes nothing yet. */
@Configuration(proxyBeanMethods = false)
class KafkaWiring {

  @Bean
  InitializingBean declareCmdbTopics(VigilPublisher publisher) {
    return () -> publisher.declare(Topics.CMDB_CHANGES);
  }
}
