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
import org.springframework.http.HttpMethod;
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

  private final String base;

  ServiceClient(String service, java.net.URI base, RestClient rest, CircuitBreaker breaker, Retry retry,
      DependencyMetrics dependencies) {
    this.service = service;
    String b = base == null ? "" : base.toString();
    this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
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
   * credential, so the peer scopes the answer to the caller's tenants (the cmdb's MCP tools, the
   * console). A 401 or 403 is then the caller's answer, not an outage: a {@link ServiceCallException}.
   */
  public <T> T getAs(String path, String callerKey, Class<T> type) {
    Supplier<T> call = () -> exchange(() -> rest.get().uri(path).headers(h -> {
      headers(h);
      h.setBearerAuth(callerKey);
    }).retrieve().body(type), true);
    return unwrap(() -> Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(breaker, call)).get());
  }

  /**
   * As above, the path (and query) already encoded, taken as it is: no template expansion, so a user's
   * value with {@code {}}, {@code %}, {@code &} or {@code +} in it arrives intact (build it with
   * {@link #encoded}).
   */
  public <T> T getAs(java.net.URI path, String callerKey, Class<T> type) {
    java.net.URI target = resolve(path);
    Supplier<T> call = () -> exchange(() -> rest.get().uri(target).headers(h -> {
      headers(h);
      h.setBearerAuth(callerKey);
    }).retrieve().body(type), true);
    return unwrap(() -> Retry.decorateSupplier(retry, CircuitBreaker.decorateSupplier(breaker, call)).get());
  }

  /** As {@link #getAs(java.net.URI, String, Class)}: a write with the caller's key (never retried). */
  public <T> T sendAs(HttpMethod method, java.net.URI path, Object body, String callerKey, Class<T> type) {
    return sendAs(method, path, body, callerKey, h -> { }, type);
  }

  /** As above with headers of the call's own (e.g. {@code If-Match} naming the version read). */
  public <T> T sendAs(HttpMethod method, java.net.URI path, Object body, String callerKey,
      java.util.function.Consumer<HttpHeaders> extraHeaders, Class<T> type) {
    java.net.URI target = resolve(path);
    Supplier<T> call = () -> exchange(() -> {
      RestClient.RequestBodySpec spec = rest.method(method).uri(target).headers(h -> {
        headers(h);
        extraHeaders.accept(h);
        h.setBearerAuth(callerKey);
      });
      if (body != null) {
        spec.contentType(MediaType.APPLICATION_JSON).body(body);
      }
      return spec.retrieve().body(type);
    }, true);
    return unwrap(() -> CircuitBreaker.decorateSupplier(breaker, call).get());
  }

  /**
   * A path and query built from raw values, encoded so that each value arrives as it was: every
   * character a query value may not carry as itself is percent-encoded, {@code +} too (a server reads
   * a bare {@code +} in a query as a space), and nothing is read as a URI template.
   */
  public static java.net.URI encoded(org.springframework.web.util.UriComponentsBuilder builder) {
    java.net.URI u = builder.build().encode().toUri();
    String query = u.getRawQuery();
    if (query == null || query.indexOf('+') < 0) {
      return u;
    }
    // spaces are %20 by now: a + left in the query came from a value
    return java.net.URI.create(u.getRawPath() + "?" + query.replace("+", "%2B"));
  }

  private java.net.URI resolve(java.net.URI path) {
    if (path.isAbsolute() || path.getRawAuthority() != null) {
      throw new IllegalArgumentException("a path on the peer, not an address: " + path);
    }
    return java.net.URI.create(base + (path.toString().startsWith("/") ? "" : "/") + path);
  }

  /** As {@link #getAs}, a query or a write sent as a POST body (never retried here). */
  public <T> T postAs(String path, Object body, String callerKey, Class<T> type) {
    return sendAs(HttpMethod.POST, path, body, callerKey, type);
  }

  /** As {@link #postAs}, a PUT (never retried here). */
  public <T> T putAs(String path, Object body, String callerKey, Class<T> type) {
    return sendAs(HttpMethod.PUT, path, body, callerKey, type);
  }

  /** As {@link #postAs}, a DELETE without a body (never retried here). */
  public void deleteAs(String path, String callerKey) {
    sendAs(HttpMethod.DELETE, path, null, callerKey, Void.class);
  }

  private <T> T sendAs(HttpMethod method, String path, Object body, String callerKey, Class<T> type) {
    Supplier<T> call = () -> exchange(() -> {
      RestClient.RequestBodySpec spec = rest.method(method).uri(path).headers(h -> {
        headers(h);
        h.setBearerAuth(callerKey);
      });
      if (body != null) {
        spec.contentType(MediaType.APPLICATION_JSON).body(body);
      }
      return spec.retrieve().body(type);
    }, true);
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
    return exchange(attempt, false);
  }

  /**
   * As above; {@code asCaller}: the call carries the caller's key, so a 401 or 403 refuses that key
   * (revoked, expired, or without the role), and a 4xx keeps the peer's problem body for the caller.
   */
  private <T> T exchange(Supplier<T> attempt, boolean asCaller) {
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
      if ((status == 401 || status == 403) && !asCaller) {
        // our credential was refused (rotated, not yet granted): a configuration outage, not the
        // record's fault; wait for it rather than dead-letter every record meanwhile
        throw unavailable("refused this service's credential (" + status + ")", e);
      }
      throw new ServiceCallException(service, status, e.getStatusText(),
          asCaller ? e.getResponseBodyAsString() : null);
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
