package io.vigil.common.services;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.web.TraceFilter;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * Makes the {@link ServiceClient} of each peer from {@link VigilServicesProperties}, once, with a
 * circuit breaker and a retry named for the peer (bounded names) whose meters reach the registry
 * ({@code resilience4j_circuitbreaker_*}, {@code resilience4j_retry_*}).
 */
public final class ServiceClients {

  private final VigilServicesProperties properties;
  private final String self;
  private final DependencyMetrics dependencies;
  private final CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
  private final RetryRegistry retries = RetryRegistry.ofDefaults();
  private final Map<String, ServiceClient> clients = new ConcurrentHashMap<>();

  public ServiceClients(VigilServicesProperties properties, String self, MeterRegistry registry,
      DependencyMetrics dependencies) {
    this.properties = properties;
    this.self = self;
    this.dependencies = dependencies;
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
    TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(registry);
  }

  /** The client of one peer, by service name ({@code storage}, {@code cmdb}, ...). */
  public ServiceClient client(String service) {
    return clients.computeIfAbsent(service, this::create);
  }

  /**
   * The client of the detector serving a shard ({@code vigil.services.detector-shards.<shard>}), or
   * {@code detector}'s when the shard has no deployment of its own. Each shard's detector has its own
   * breaker and retry, named {@code detector/<shard>} (as many as configured shards).
   */
  public ServiceClient detector(String shard) {
    if (shard == null || !properties.detectorShards().containsKey(shard)) {
      return client("detector");
    }
    return clients.computeIfAbsent("detector/" + shard, name -> create(name, "detector",
        properties.detectorShards().get(shard), properties.detectorBaseUrl(shard)));
  }

  /**
   * A client of {@code service} for calls that are slow by nature (a test notification waits for its
   * channel's retries): the peer's address and connection settings, {@code timeout} for the answer, no
   * retry, and a breaker of its own ({@code <service>/long}), so a slow answer neither opens the
   * breaker of the peer's quick calls nor waits on it.
   */
  public ServiceClient patient(String service, java.time.Duration timeout) {
    VigilServicesProperties.Peer peer = properties.peers().get(service);
    if (peer == null) {
      throw new IllegalArgumentException("no such Vigil service: " + service);
    }
    return clients.computeIfAbsent(service + "/long", name -> create(name, service,
        new VigilServicesProperties.Peer(peer.baseUrl(), peer.connectTimeout(), timeout, 0, peer.retryWait(),
            peer.breakerWindow(), peer.breakerFailureRate(), peer.breakerOpenFor()), properties.baseUrl(service)));
  }

  /** Whether any shard has a detector of its own: else every shard's question goes to {@code detector}. */
  public boolean routesDetectorShards() {
    return !properties.detectorShards().isEmpty();
  }

  private ServiceClient create(String service) {
    VigilServicesProperties.Peer peer = properties.peers().get(service);
    if (peer == null) {
      throw new IllegalArgumentException("no such Vigil service: " + service);
    }
    return create(service, service, peer, properties.baseUrl(service));
  }

  /** A client named {@code name} (its breaker and retry) calling {@code service} at {@code base}. */
  private ServiceClient create(String name, String service, VigilServicesProperties.Peer peer, java.net.URI base) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(peer.connectTimeout()).build();
    JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(http);
    factory.setReadTimeout(peer.timeout());
    RestClient.Builder rest = RestClient.builder().requestFactory(factory)
        .baseUrl(base.toString())
        .defaultHeader(TraceFilter.CALLER_HEADER, self)
        .defaultHeader("Accept", "application/json");
    if (!properties.apiKey().isEmpty()) {
      rest.defaultHeader("Authorization", "Bearer " + properties.apiKey());
    }
    CircuitBreaker breaker = breakers.circuitBreaker(name, CircuitBreakerConfig.custom()
        .slidingWindowSize(peer.breakerWindow())
        .minimumNumberOfCalls(Math.max(2, peer.breakerWindow() / 2))
        .failureRateThreshold(peer.breakerFailureRate())
        .waitDurationInOpenState(peer.breakerOpenFor())
        .permittedNumberOfCallsInHalfOpenState(2)
        .recordExceptions(DependencyUnavailableException.class)
        .build());
    Retry retry = retries.retry(name, RetryConfig.custom()
        .maxAttempts(peer.retries() + 1)
        .waitDuration(peer.retryWait())
        .retryExceptions(DependencyUnavailableException.class)
        .ignoreExceptions(io.github.resilience4j.circuitbreaker.CallNotPermittedException.class)
        .build());
    return new ServiceClient(service, base, rest.build(), breaker, retry, dependencies);
  }
}
