package io.vigil.console.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.time.Clock;
import java.time.Duration;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Ends a session a person has left: the servlet container's idle timeout counts every request, and
 * Firing now refreshes itself every 15 s, so a forgotten tab would keep the token in memory for good.
 * This counts only what a person asks for (requests that are not htmx refreshes); past
 * {@code vigil.console.idle-timeout} without one, the session ends and the refresh is sent to sign-in.
 */
public final class IdleSessions implements HandlerInterceptor {

  static final String LAST_SEEN = "vigil.console.lastSeenMs";

  private final Duration idle;
  private final Clock clock;

  public IdleSessions(Duration idle, Clock clock) {
    if (idle.isNegative() || idle.isZero()) {
      throw new IllegalArgumentException("vigil.console.idle-timeout must be positive: " + idle);
    }
    this.idle = idle;
    this.clock = clock;
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
    HttpSession session = request.getSession(false);
    if (session == null) {
      return true;
    }
    long now = clock.millis();
    boolean refresh = "true".equals(request.getHeader("HX-Request")) && "GET".equals(request.getMethod());
    Object last = session.getAttribute(LAST_SEEN);
    if (last instanceof Long seen && now - seen > idle.toMillis()) {
      session.invalidate();
      if (refresh) {
        response.setHeader("HX-Redirect", "/sign-in?expired");
        response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
      } else {
        response.setStatus(HttpServletResponse.SC_FOUND);
        response.setHeader("Location", "/sign-in?expired");
      }
      return false;
    }
    if (!refresh || last == null) {
      session.setAttribute(LAST_SEEN, now);
    }
    return true;
  }
}
