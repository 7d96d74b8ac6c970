package io.vigil.cmdb.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.cmdb.instances.CmdbOutbox;
import io.vigil.cmdb.instances.InstanceCache;
import io.vigil.cmdb.instances.InstanceMapper;
import io.vigil.cmdb.instances.InstanceService;
import io.vigil.cmdb.instances.InstanceStore;
import io.vigil.cmdb.instances.NearCache;
import io.vigil.cmdb.instances.OutboxRow;
import io.vigil.common.control.AccessConfigCache;
import io.vigil.common.control.ControlDataSource;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.InstrumentedExecutor;
import io.vigil.common.outbox.OutboxRelay;
import io.vigil.common.security.CredentialResolver;
import io.vigil.common.security.VigilSecurity;
import io.vigil.common.store.StoreNames;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.util.unit.DataSize;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.transaction.support.TransactionTemplate;

/** The instance store, its cache and outbox, and the pool of the control tables. */
@Configuration(proxyBeanMethods = false)
class CmdbConfig {

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  AccessConfigCache accessConfigCache(ControlDataSource control) {
    return new AccessConfigCache(control.dataSource());
  }

  @Bean
  InstanceCache instanceCache(StringRedisTemplate redis, StoreNames names, DependencyMetrics dependencies,
      MeterRegistry registry, @Value("${vigil.cmdb.cache-ttl:10m}") Duration ttl,
      @Value("${vigil.cmdb.cache-missing-ttl:60s}") Duration missingTtl) {
    return new InstanceCache(redis, names, dependencies, registry, ttl, missingTtl);
  }

  /**
   * The near cache in front of Redis, bounded by bytes (the JSON it holds) and kept fresh by this
   * process's commits and by {@code cmdb.changes} ({@link KafkaWiring}).
   */
  @Bean
  NearCache nearCache(MeterRegistry registry,
      @Value("${vigil.cmdb.near-cache.max-size:64MB}") DataSize maxSize,
      @Value("${vigil.cmdb.near-cache.ttl:5m}") Duration ttl,
      @Value("${vigil.cmdb.cache-missing-ttl:60s}") Duration missingTtl) {
    return new NearCache(maxSize.toBytes(), ttl, missingTtl, System::nanoTime, registry);
  }

  @Bean
  InstanceService instanceService(InstanceStore store, InstanceCache cache, NearCache near, AccessConfigCache access) {
    store.onCommit(cache::written); // Redis first: it keeps a failed write for retry, and never throws
    store.onCommit(near::written);
    return new InstanceService(store, cache, near, access);
  }

  /** Retries the cache invalidations Redis missed, once a second. */
  @Bean(destroyMethod = "shutdownNow")
  ScheduledExecutorService cacheRetryTimer(InstanceCache cache, MeterRegistry registry) {
    ScheduledExecutorService timer = InstrumentedExecutor.scheduled("cmdb-cache-retry", registry);
    timer.scheduleWithFixedDelay(cache::retryInvalidations, 1, 1, TimeUnit.SECONDS);
    return timer;
  }

  @Bean
  OutboxRelay<OutboxRow> cmdbOutboxRelay(InstanceMapper mapper, VigilPublisher publisher, InstanceStore store,
      TransactionTemplate tx, Clock clock, MeterRegistry registry,
      @Value("${vigil.cmdb.outbox-poll:1s}") Duration idlePoll) {
    OutboxRelay<OutboxRow> relay = new OutboxRelay<>("instance changes", new CmdbOutbox(mapper, publisher), tx, clock,
        registry, idlePoll);
    store.onCommit(changes -> relay.wake());
    return relay;
  }

  /** The shared chain, with the OpenAPI document and Swagger UI readable without a key. */
  @Bean
  SecurityFilterChain cmdbSecurityFilterChain(HttpSecurity http, CredentialResolver resolver) throws Exception {
    return VigilSecurity.withPublicApiDocs(http, resolver);
  }
}
