package io.vigil.console.system;

import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.services.ServiceCallException;
import io.vigil.console.downstream.SessionEndedException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.ui.Model;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Errors as pages, not problem documents (the console has no API; common's problem handlers stand
 * behind this one): a refused token ends the session (back to sign-in, also from an htmx refresh);
 * 404 for what does not exist or is another tenant's (the APIs do not say which) and for an unknown
 * page; 403 when the role does not allow it; 503 naming the service that is down; anything else a
 * 500 page, logged, never a stack trace.
 */
@ControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ConsoleErrors {

  private static final Logger log = LoggerFactory.getLogger(ConsoleErrors.class);

  private final DependencyMetrics metrics;

  public ConsoleErrors(DependencyMetrics metrics) {
    this.metrics = metrics;
  }

  @ExceptionHandler(SessionEndedException.class)
  public String sessionEnded(SessionEndedException e, HttpServletRequest request, HttpServletResponse response) {
    log.info("console session ended: {}", e.getMessage());
    HttpSession session = request.getSession(false);
    if (session != null) {
      session.invalidate();
    }
    SecurityContextHolder.clearContext();
    if ("true".equals(request.getHeader("HX-Request"))) {
      response.setHeader("HX-Redirect", "/sign-in?expired");
      response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
      return null;
    }
    return "redirect:/sign-in?expired";
  }

  @ExceptionHandler(ServiceCallException.class)
  public String refused(ServiceCallException e, HttpServletResponse response, Model model) {
    int status = e.status() == 404 || e.status() == 403 || e.status() == 400 || e.status() == 409 ? e.status() : 502;
    response.setStatus(status);
    model.addAttribute("status", status);
    model.addAttribute("message", switch (status) {
      case 404 -> "Not found: it does not exist, or it belongs to a tenant you do not work on.";
      case 403 -> "Your role does not allow this.";
      case 400, 409 -> Problem.describe(e);
      default -> e.service() + " refused the console's call (" + e.status() + ").";
    });
    return "error";
  }

  @ExceptionHandler(DependencyUnavailableException.class)
  public String unavailable(DependencyUnavailableException e, HttpServletResponse response, Model model) {
    metrics.degraded("console", "page_unavailable");
    response.setStatus(503);
    model.addAttribute("status", 503);
    model.addAttribute("message", e.dependency() + " is not answering, so this page cannot be shown just now."
        + " Try again in a moment.");
    return "error";
  }

  @ExceptionHandler(io.vigil.console.downstream.TokenRefusedException.class)
  public String tokenRefused(io.vigil.console.downstream.TokenRefusedException e, HttpServletResponse response,
      Model model) {
    metrics.degraded("console", e.service() + "_refused_token");
    response.setStatus(502);
    model.addAttribute("status", 502);
    model.addAttribute("message", e.service() + " does not accept your token although the control plane does:"
        + " tell the platform's operators (" + e.service() + " reads no operator tokens).");
    return "error";
  }

  @ExceptionHandler({MissingServletRequestParameterException.class, MethodArgumentTypeMismatchException.class,
      org.springframework.validation.BindException.class, org.apache.tomcat.util.http.InvalidParameterException.class})
  public String badRequest(Exception e, HttpServletResponse response, Model model) {
    response.setStatus(400);
    model.addAttribute("status", 400);
    model.addAttribute("message", e instanceof MissingServletRequestParameterException m
        ? "The request lacks " + m.getParameterName() + "." : "A field of the request is not valid.");
    return "error";
  }

  @ExceptionHandler(org.springframework.web.servlet.resource.NoResourceFoundException.class)
  public String noSuchPage(Exception e, HttpServletResponse response, Model model) {
    response.setStatus(404);
    model.addAttribute("status", 404);
    model.addAttribute("message", "There is no such page.");
    return "error";
  }

  @ExceptionHandler(org.springframework.web.HttpRequestMethodNotSupportedException.class)
  public String wrongMethod(Exception e, HttpServletResponse response, Model model) {
    response.setStatus(405);
    model.addAttribute("status", 405);
    model.addAttribute("message", "This page does not take that kind of request.");
    return "error";
  }

  @ExceptionHandler(Exception.class)
  public String unexpected(Exception e, HttpServletRequest request, HttpServletResponse response, Model model) {
    if (io.vigil.console.security.SessionStoreGuard.storeFault(e) != null && e instanceof RuntimeException r) {
      throw r; // the session store's fault: SessionStoreGuard answers it, outside Spring Session's filter
    }
    log.error("console page failed: {} {}", request.getMethod(), request.getRequestURI(), e);
    response.setStatus(500);
    model.addAttribute("status", 500);
    model.addAttribute("message", "Something went wrong on our side; it is logged. Try again, or go back.");
    return "error";
  }
}
