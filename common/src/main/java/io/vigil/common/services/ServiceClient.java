package io.vigil.common.services;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.tracing.TraceContext;
import io.vigil.common.tracing.Traceparent;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientResponseException;

/**
 * Calls one peer service: JSON over HTTP with this service's credential, its name as the caller and
 * the current trace, a timeout on every call, a circuit breaker, and retries for reads. What comes
 * out is one of three things: the answer; a {@link DependencyUnavailableException} naming the peer
 * (it did not answer, answered 5xx or 429, or its breaker is open), which consumers wait out and
 * HTTP turns into 503; or a {@link ServiceCallException} when the peer refused the call itself.
 */
public final class ServiceClient {

  private final String service;
  private final String dependency;
  private final RestClient rest;
  private final CircuitBreaker breaker;
  private final Retry retry;
  private final DependencyMetrics dependencies;

  ServiceClient(String service, RestClient rest, CircuitBreaker breaker, Retry retry, DependencyMetrics dependencies) {
    this.service = service;
    this.dependency = DependencyMetrics.DEPENDENCIES.contains(service) ? service : "unknown";
    this.rest = rest;
    this.breaker = breaker;
    this.retry = retry;
    this.dependencies = dependencies;
  }

  /** A read: retried while the peer is unavailable, up to the configured retries. */
  public <T> T get(String path, Class<T> type) {
    Supplier<T> call = () -> exchange(() -> rest.get().uri(path).headers(this::headers).retrieve().body(type));
    return unwrap(() -> Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(breaker, call)).get());
  }

  /**
   * A read on behalf of the caller of the current request: its own key instead of this service's
   * credential, so the peer scopes the answer to the caller's tenants (the cmdb's MCP tools).
   */
  public <T> T getAs(String path, String callerKey, Class<T> type) {
    Supplier<T> call = () -> exchange(() -> rest.get().uri(path).headers(h -> {
      headers(h);
      h.setBearerAuth(callerKey);
    }).retrieve().body(type));
    return unwrap(() -> Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(breaker, call)).get());
  }

  /** As {@link #getAs}, a query sent as a POST body (never retried here). */
  public <T> T postAs(String path, Object body, String callerKey, Class<T> type) {
    Supplier<T> call = () -> exchange(() -> rest.post().uri(path).headers(h -> {
      headers(h);
      h.setBearerAuth(callerKey);
    }).contentType(MediaType.APPLICATION_JSON).body(body).retrieve().body(type));
    return unwrap(() -> CircuitBreaker.decorateSupplier(breaker, call).get());
  }

  /** A write: never retried here (the caller knows whether it is idempotent). */
  public <T> T post(String path, Object body, Class<T> type) {
    Supplier<T> call = () -> exchange(() -> rest.post().uri(path).headers(this::headers)
        .contentType(MediaType.APPLICATION_JSON).body(body).retrieve().body(type));
    return unwrap(() -> CircuitBreaker.decorateSupplier(breaker, call).get());
  }

  public String service() {
    return service;
  }

  public CircuitBreaker.State breakerState() {
    return breaker.getState();
  }

  private void headers(HttpHeaders headers) {
    Traceparent current = TraceContext.current();
    headers.set(Traceparent.HEADER, (current == null ? Traceparent.newRoot() : current.child()).value());
  }

  /** One attempt, its failure translated: an outage becomes a dependency error the breaker counts. */
  private <T> T exchange(Supplier<T> attempt) {
    try {
      return attempt.get();
    } catch (ResourceAccessException e) {
      throw unavailable("no answer: " + e.getMostSpecificCause(), e);
    } catch (HttpServerErrorException e) {
      throw unavailable("answered " + e.getStatusCode().value(), e);
    } catch (HttpClientErrorException e) {
      int status = e.getStatusCode().value();
      if (status == 429 || status == 408) {
        throw unavailable("answered " + status + " (overloaded or too slow)", e);
      }
      if (status == 401 || status == 403) {
        // our credential was refused (rotated, not yet granted): a configuration outage, not the
        // record's fault; wait for it rather than dead-letter every record meanwhile
        throw unavailable("refused this service's credential (" + status + ")", e);
      }
      throw new ServiceCallException(service, status, e.getStatusText());
    } catch (RestClientResponseException e) {
      throw unavailable("answered " + e.getStatusCode().value(), e);
    } catch (org.springframework.web.client.RestClientException e) {
      throw unavailable("broke off: " + e.getMostSpecificCause(), e); // e.g. the body could not be read
    }
  }

  private DependencyUnavailableException unavailable(String why, Exception cause) {
    dependencies.failure(dependency);
    return new DependencyUnavailableException(dependency, service + " " + why, cause);
  }

  private <T> T unwrap(Supplier<T> decorated) {
    try {
      return decorated.get();
    } catch (CallNotPermittedException open) {
      dependencies.degraded("service-client", "breaker-open");
      throw new DependencyUnavailableException(dependency, service + " circuit breaker is open", open);
    }
  }
}
