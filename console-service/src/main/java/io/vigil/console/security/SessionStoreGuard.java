package io.vigil.console.security;

import io.vigil.common.observability.DependencyMetrics;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DataAccessException;
import org.springframework.session.SessionRepository;
import org.springframework.session.web.http.CookieSerializer;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Stands outside Spring Session's filter. A session store that does not answer (Redis down) is no
 * reason for a stack trace: the user gets a 503 page saying so, and {@code
 * vigil_degraded_total{component="console",reason="session_store_down"}} counts it. A session
 * value that does not open (sealed under a key no longer in the key file, altered, or written by a
 * console version whose classes differ) is deleted, its cookie expired, and the user signs in again
 * ({@code reason="session_unreadable"}). Anything else propagates: a session value the console
 * cannot write is a fault of the console's, not the user's.
 */
public final class SessionStoreGuard extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(SessionStoreGuard.class);
  private static final String DOWN_PAGE = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      + "<title>Vigil console: sessions unavailable</title><link rel=\"stylesheet\" href=\"/console.css\"></head>"
      + "<body><main><h1>Sessions cannot be read just now</h1><p>The console keeps its sign-ins in Redis,"
      + " which is not answering. Nothing you did is lost: try again in a moment.</p></main></body></html>";

  private final DependencyMetrics metrics;
  private final ObjectProvider<CookieSerializer> cookies;
  private final ObjectProvider<SessionRepository<?>> sessions;

  SessionStoreGuard(DependencyMetrics metrics, ObjectProvider<CookieSerializer> cookies,
      ObjectProvider<SessionRepository<?>> sessions) {
    this.metrics = metrics;
    this.cookies = cookies;
    this.sessions = sessions;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    try {
      chain.doFilter(request, response);
    } catch (RuntimeException | ServletException e) {
      Throwable cause = storeFault(e);
      if (cause == null) {
        throw e;
      }
      boolean unreadable = cause instanceof SealedSerializer.Unreadable;
      metrics.degraded("console", unreadable ? "session_unreadable" : "session_store_down");
      if (!unreadable) {
        metrics.failure("redis");
      }
      log.warn("console session store {}: {} {}", unreadable ? "value unreadable" : "unavailable",
          request.getMethod(), request.getRequestURI(), unreadable ? null : cause);
      if (unreadable) {
        forget(request, response);
      }
      if (response.isCommitted()) {
        return; // the page went out; its session's changes did not
      }
      response.resetBuffer();
      if (unreadable) {
        boolean htmx = "true".equals(request.getHeader("HX-Request"));
        response.setStatus(htmx ? HttpServletResponse.SC_UNAUTHORIZED : HttpServletResponse.SC_FOUND);
        response.setHeader(htmx ? "HX-Redirect" : "Location", "/sign-in?expired");
        return;
      }
      response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
      response.setHeader("Retry-After", "5");
      response.setContentType("text/html;charset=UTF-8");
      try {
        response.getWriter().write(DOWN_PAGE);
      } catch (IllegalStateException streamTaken) {
        response.getOutputStream().write(DOWN_PAGE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
  }

  /** Deletes the sessions the request named and expires its cookie, the way Spring Session writes it. */
  private void forget(HttpServletRequest request, HttpServletResponse response) {
    CookieSerializer serializer = cookies.getIfAvailable();
    SessionRepository<?> repository = sessions.getIfAvailable();
    if (serializer == null) {
      return;
    }
    for (String id : serializer.readCookieValues(request)) {
      try {
        if (repository != null) {
          repository.deleteById(id);
        }
      } catch (RuntimeException stillDown) {
        // it expires in the store by itself
      }
    }
    if (!response.isCommitted()) {
      serializer.writeCookieValue(new CookieSerializer.CookieValue(request, response, ""));
    }
  }

  /** The session store's failure inside {@code e}, or null when {@code e} is something else. */
  public static Throwable storeFault(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SealedSerializer.Unreadable || t instanceof DataAccessException) {
        return t;
      }
    }
    return null;
  }
}
