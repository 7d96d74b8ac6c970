package io.vigil.console.security;

import io.vigil.common.observability.DependencyMetrics;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.serializer.SerializationException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Stands outside Spring Session's filter. A session store that does not answer (Redis down) is no
 * reason for a stack trace: the user gets a 503 page saying so, and {@code
 * vigil_degraded_total{component="console",reason="session_store_down"}} counts it. A session
 * value that does not open (sealed under a key no longer in the key file, or altered) is dropped
 * from the browser and the user signs in again.
 */
public final class SessionStoreGuard extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(SessionStoreGuard.class);

  private final DependencyMetrics metrics;
  private final String cookie;

  SessionStoreGuard(DependencyMetrics metrics, String cookie) {
    this.metrics = metrics;
    this.cookie = cookie;
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
      boolean unreadable = cause instanceof SerializationException;
      metrics.degraded("console", unreadable ? "session_unreadable" : "session_store_down");
      if (!unreadable) {
        metrics.failure("redis");
      }
      log.warn("console session store {}: {} {}", unreadable ? "value unreadable" : "unavailable",
          request.getMethod(), request.getRequestURI(), unreadable ? null : cause);
      if (response.isCommitted()) {
        return; // the page went out; its session's changes did not
      }
      response.resetBuffer();
      if (unreadable) {
        response.addHeader("Set-Cookie", cookie + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
        boolean htmx = "true".equals(request.getHeader("HX-Request"));
        response.setStatus(htmx ? HttpServletResponse.SC_UNAUTHORIZED : HttpServletResponse.SC_FOUND);
        response.setHeader(htmx ? "HX-Redirect" : "Location", "/sign-in?expired");
        return;
      }
      response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
      response.setHeader("Retry-After", "5");
      response.setContentType("text/html;charset=UTF-8");
      response.getOutputStream().write(("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
          + "<title>Vigil console: sessions unavailable</title><link rel=\"stylesheet\" href=\"/console.css\"></head>"
          + "<body><main><h1>Sessions cannot be read just now</h1><p>The console keeps its sign-ins in Redis,"
          + " which is not answering. Nothing you did is lost: try again in a moment.</p></main></body></html>")
          .getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The session store's failure inside {@code e}, or null when {@code e} is something else. */
  public static Throwable storeFault(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SerializationException || t instanceof DataAccessException) {
        return t;
      }
    }
    return null;
  }
}
