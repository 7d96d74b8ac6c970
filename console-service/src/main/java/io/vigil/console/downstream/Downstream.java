package io.vigil.console.downstream;

import io.vigil.common.services.ServiceCallException;
import io.vigil.common.services.ServiceClients;
import io.vigil.console.security.ConsoleAuthentication;
import io.vigil.console.security.ConsoleUser;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpMethod;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The owning services' APIs, called server-side with the signed-in user's token, so every answer is
 * already scoped to the user's tenants and roles: the console decides nothing the APIs do not. A
 * refused token (revoked, expired) ends the session ({@link SessionEndedException}); a peer that
 * is down surfaces as common's {@code DependencyUnavailableException}, which a page part shows.
 */
@Component
public class Downstream {

  /** The answer of policy-service's {@code /v1/me}. */
  public record Me(String name, String kind, List<String> roles, List<String> tenants) {}

  private final ServiceClients clients;

  public Downstream(ServiceClients clients) {
    this.clients = clients;
  }

  /** Who a token is (sign-in): 401 and 403 come back as {@link ServiceCallException}. */
  public Me whoIs(String token) {
    return clients.client("policy").getAs(URI.create("/v1/me"), token, Me.class);
  }

  public <T> T get(String peer, URI path, Class<T> type) {
    return call(() -> clients.client(peer).getAs(path, token(), type));
  }

  public <T> T send(String peer, HttpMethod method, URI path, Object body, Class<T> type) {
    return call(() -> clients.client(peer).sendAs(method, path, body, token(), type));
  }

  /** A call that may take long by nature (a test notification), with its own timeout and breaker. */
  public <T> T sendPatiently(String peer, java.time.Duration timeout, HttpMethod method, URI path, Object body,
      Class<T> type) {
    return call(() -> clients.patient(peer, timeout).sendAs(method, path, body, token(), type));
  }

  /** A change of a versioned object: {@code If-Match} names the version the user saw. */
  public <T> T sendIfMatch(String peer, HttpMethod method, URI path, Object body, long version, Class<T> type) {
    return call(() -> clients.client(peer).sendAs(method, path, body, token(),
        h -> h.setIfMatch("\"" + version + "\""), type));
  }

  /**
   * A read from the detector that serves a shard (an alert's, a namespace's): each detector holds only
   * its own shard's policies and alert state ({@code vigil.services.detector-shards}).
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> getFromDetector(String shard, URI path) {
    return call(() -> clients.detector(shard).getAs(path, token(), Map.class));
  }

  /** Whether a shard's questions may go elsewhere than {@code detector} (so the shard is worth looking up). */
  public boolean routesDetectorShards() {
    return clients.routesDetectorShards();
  }

  /** As {@link #getFromDetector}, a POST (the backtest). */
  public <T> T postToDetector(String shard, URI path, Object body, Class<T> type) {
    return call(() -> clients.detector(shard).sendAs(HttpMethod.POST, path, body, token(), type));
  }

  @SuppressWarnings("unchecked")
  public Map<String, Object> getMap(String peer, URI path) {
    return get(peer, path, Map.class);
  }

  /** A path with its segments and query values encoded as they are (nothing a user types is a template). */
  public static UriComponentsBuilder path(String... segments) {
    return UriComponentsBuilder.newInstance().pathSegment(segments);
  }

  /** The path and query for a peer, each raw value encoded to arrive as it was ({@code +} too). */
  public static URI uri(UriComponentsBuilder b) {
    return io.vigil.common.services.ServiceClient.encoded(b);
  }

  private static String token() {
    Authentication a = SecurityContextHolder.getContext().getAuthentication();
    if (a instanceof ConsoleAuthentication c && c.getPrincipal().token() != null) {
      return c.getPrincipal().token();
    }
    throw new SessionEndedException("no signed-in user with a token");
  }

  public static ConsoleUser user() {
    Authentication a = SecurityContextHolder.getContext().getAuthentication();
    if (a instanceof ConsoleAuthentication c) {
      return c.getPrincipal();
    }
    throw new SessionEndedException("no signed-in user");
  }

  /**
   * A 401 from policy-service, which keeps the tokens, ends the session. A 401 from another service is
   * checked with policy-service first: if the token still stands there, that service alone refuses it
   * (a configuration problem of the platform), and only the part it feeds says so.
   */
  private <T> T call(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (ServiceCallException e) {
      if (e.status() == 401) {
        if (!e.service().equals("policy") && tokenStands()) {
          throw new TokenRefusedException(e.service());
        }
        throw new SessionEndedException(e.service() + " no longer accepts the token");
      }
      throw e;
    }
  }

  private boolean tokenStands() {
    try {
      whoIs(token());
      return true;
    } catch (ServiceCallException refused) {
      return false;
    } catch (io.vigil.common.error.DependencyUnavailableException policyDown) {
      return true; // not known to be revoked: keep the session, the part says what failed
    }
  }
}
