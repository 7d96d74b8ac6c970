package io.vigil.gateway.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.security.CredentialResolver;
import io.vigil.common.security.ProductCredentials;
import io.vigil.common.security.VigilSecurity;
import io.vigil.common.control.AccessConfigCache;
import io.vigil.gateway.ingest.MetricsIngestor;
import io.vigil.gateway.ingest.NonceCache;
import io.vigil.gateway.ingest.SignedRequestFilter;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/** Ingestion: the signed routes, the access-config copy and the path of a point into Kafka. */
@Configuration(proxyBeanMethods = false)
@org.springframework.boot.context.properties.EnableConfigurationProperties(GatewayRateProperties.class)
class IngestWiring {

  static final Set<String> SIGNED_PATHS = Set.of("/v1/metrics", "/v1/events", "/v1/ingest/status");
  static final Set<String> KEY_PATHS = Set.of("/api/v1/write");

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  AccessConfigCache accessConfigCache(DataSource dataSource) {
    return new AccessConfigCache(dataSource);
  }

  @Bean
  NonceCache nonceCache(Clock clock) {
    return new NonceCache(clock);
  }

  @Bean
  io.vigil.gateway.ingest.RedisNonceStore redisNonceStore(
      org.springframework.data.redis.core.StringRedisTemplate redis, io.vigil.common.store.StoreNames names,
      NonceCache local, io.vigil.common.observability.DependencyMetrics dependencies, Clock clock) {
    return new io.vigil.gateway.ingest.RedisNonceStore(redis, names, local, dependencies, clock);
  }

  /** After the body limit (so a body is bounded before it is read) and before Spring Security. */
  @Bean
  FilterRegistrationBean<SignedRequestFilter> signedRequestFilter(ProductCredentials credentials,
      io.vigil.gateway.ingest.RedisNonceStore nonces,
      Clock clock, MeterRegistry registry, @Value("${vigil.gateway.max-skew:5m}") Duration maxSkew) {
    FilterRegistrationBean<SignedRequestFilter> reg = new FilterRegistrationBean<>(
        new SignedRequestFilter(SIGNED_PATHS, credentials, nonces, clock, maxSkew, registry));
    reg.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
    return reg;
  }

  /** Remote write: the credential as basic auth or bearer, for senders that cannot sign. */
  @Bean
  FilterRegistrationBean<io.vigil.gateway.ingest.ProductKeyFilter> productKeyFilter(ProductCredentials credentials,
      MeterRegistry registry) {
    FilterRegistrationBean<io.vigil.gateway.ingest.ProductKeyFilter> reg = new FilterRegistrationBean<>(
        new io.vigil.gateway.ingest.ProductKeyFilter(KEY_PATHS, credentials, registry));
    reg.setOrder(Ordered.HIGHEST_PRECEDENCE + 21);
    return reg;
  }

  @Bean
  io.vigil.gateway.ingest.SeriesRegistry seriesRegistry(org.springframework.data.redis.core.StringRedisTemplate redis,
      io.vigil.common.store.StoreNames names, io.vigil.common.observability.DependencyMetrics dependencies,
      Clock clock, @Value("${vigil.gateway.series-ttl:24h}") Duration ttl,
      @Value("${vigil.gateway.series-refresh:60s}") Duration refresh) {
    return new io.vigil.gateway.ingest.SeriesRegistry(redis, names, dependencies, clock, ttl, refresh);
  }

  @Bean
  io.vigil.gateway.ingest.RateLimiter rateLimiter(org.springframework.data.redis.core.StringRedisTemplate redis,
      io.vigil.common.store.StoreNames names, io.vigil.common.observability.DependencyMetrics dependencies,
      Clock clock, GatewayRateProperties rate) {
    return new io.vigil.gateway.ingest.RateLimiter(redis, names, dependencies, clock, rate.defaultPerSecond(),
        rate.products());
  }

  @Bean(destroyMethod = "close")
  io.vigil.gateway.ingest.IngestStats ingestStats(org.springframework.data.redis.core.StringRedisTemplate redis,
      io.vigil.common.store.StoreNames names, io.vigil.common.observability.DependencyMetrics dependencies,
      Clock clock, @Value("${vigil.gateway.stats-flush:5s}") Duration flush) {
    return new io.vigil.gateway.ingest.IngestStats(redis, names, dependencies, clock, flush);
  }

  @Bean
  MetricsIngestor metricsIngestor(AccessConfigCache access, io.vigil.gateway.ingest.SeriesRegistry series,
      io.vigil.gateway.ingest.RateLimiter rateLimiter, io.vigil.gateway.ingest.IngestStats stats,
      VigilPublisher publisher, Clock clock, MeterRegistry registry,
      @Value("${vigil.region:local}") String region, @Value("${vigil.gateway.max-future:5s}") Duration maxFuture,
      @Value("${vigil.gateway.ack-timeout:2s}") Duration ackTimeout) {
    return new MetricsIngestor(access, series, rateLimiter, stats, publisher, clock, region, maxFuture, ackTimeout,
        registry);
  }

  /** The watchdog's heartbeat for this region (common's Watchdog), pushed through ingestion. */
  @Bean
  @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "vigil.watchdog.enabled",
      matchIfMissing = true)
  io.vigil.gateway.ingest.WatchdogHeartbeat watchdogHeartbeat(MetricsIngestor ingestor, Clock clock,
      MeterRegistry registry, @Value("${vigil.region:local}") String region,
      @Value("${vigil.watchdog.heartbeat-every:5s}") Duration every) {
    return new io.vigil.gateway.ingest.WatchdogHeartbeat(ingestor, clock, region, every, registry);
  }

  @Bean
  io.vigil.gateway.ingest.EventsIngestor eventsIngestor(AccessConfigCache access,
      io.vigil.gateway.ingest.RateLimiter rateLimiter, VigilPublisher publisher, Clock clock, MeterRegistry registry,
      @Value("${vigil.region:local}") String region, @Value("${vigil.gateway.max-future:5s}") Duration maxFuture,
      @Value("${vigil.gateway.ack-timeout:2s}") Duration ackTimeout) {
    return new io.vigil.gateway.ingest.EventsIngestor(access, rateLimiter, publisher, clock, region, maxFuture,
        ackTimeout, registry);
  }

  /**
   * The signed ingestion routes are authenticated by {@link SignedRequestFilter} before the chain;
   * everything else as in every service (bearer keys).
   */
  @Bean
  SecurityFilterChain gatewaySecurityFilterChain(HttpSecurity http, CredentialResolver resolver) throws Exception {
    return VigilSecurity.base(http, resolver)
        .authorizeHttpRequests(a -> a
            .requestMatchers(VigilSecurity.PUBLIC_PATHS).permitAll()
            .requestMatchers(VigilSecurity.API_DOC_PATHS).permitAll()
            .requestMatchers(SIGNED_PATHS.toArray(String[]::new)).permitAll()
            .requestMatchers(KEY_PATHS.toArray(String[]::new)).permitAll()
            .anyRequest().authenticated())
        .build();
  }
}
