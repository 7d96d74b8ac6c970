package io.vigil.common.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.services.ServiceClients;
import io.vigil.common.services.VigilServicesProperties;
import io.vigil.common.store.StoreNames;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The clients for service-to-service calls ({@code vigil.services.*}) and the names of what a
 * service creates in the stores it owns ({@link StoreNames}).
 */
@AutoConfiguration(after = VigilObservabilityAutoConfiguration.class)
@EnableConfigurationProperties(VigilServicesProperties.class)
public class VigilServicesAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  ServiceClients serviceClients(VigilServicesProperties properties, @Value("${spring.application.name}") String self,
      MeterRegistry registry, DependencyMetrics dependencies) {
    return new ServiceClients(properties, self, registry, dependencies);
  }

  @Bean
  @ConditionalOnMissingBean
  StoreNames storeNames(@Value("${vigil.elasticsearch.index-prefix}") String indexPrefix,
      @Value("${vigil.redis.key-prefix}") String keyPrefix) {
    return new StoreNames(indexPrefix, keyPrefix);
  }
}
