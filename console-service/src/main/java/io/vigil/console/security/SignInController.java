package io.vigil.console.security;

import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.services.ServiceCallException;
import io.vigil.console.downstream.Downstream;
import io.vigil.console.system.Back;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Sign-in with a control-plane API token: policy-service says who it is ({@code /v1/me}); the user and
 * the token go into a new session (the old one, and its CSRF token, are dropped, so no session id
 * seen before sign-in survives it). The token is never echoed back into the form.
 */
@Controller
public class SignInController {

  private static final Logger log = LoggerFactory.getLogger(SignInController.class);
  static final int MAX_TOKEN = 512;

  private final Downstream downstream;
  private final SecurityContextRepository contexts;
  private final RequestCache requestCache;
  private final java.time.Duration signedInIdle;

  public SignInController(Downstream downstream, SecurityContextRepository contexts, RequestCache requestCache,
      @org.springframework.beans.factory.annotation.Value("${vigil.console.idle-timeout:12h}")
      java.time.Duration signedInIdle) {
    this.downstream = downstream;
    this.contexts = contexts;
    this.requestCache = requestCache;
    this.signedInIdle = signedInIdle;
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "The sign-in form")
  @GetMapping("/sign-in")
  public String form(@RequestParam(name = "signed-out", required = false) String signedOut,
      @RequestParam(required = false) String expired, Model model) {
    if (signedOut != null) {
      model.addAttribute("notice", "You are signed out.");
    } else if (expired != null) {
      model.addAttribute("notice", "Your session ended (or your token was revoked): sign in again.");
    }
    return "sign-in";
  }

  @io.swagger.v3.oas.annotations.Operation(summary = "Sign in with a control-plane operator token")
  @PostMapping("/sign-in")
  public String signIn(@RequestParam(required = false) String token, HttpServletRequest request,
      HttpServletResponse response, Model model) {
    String key = token == null ? "" : token.strip();
    if (key.isEmpty() || key.length() > MAX_TOKEN || !key.chars().allMatch(c -> c > 32 && c < 127)) {
      return refuse(model, response, 400, "Paste the API token you were given (printable characters, at most "
          + MAX_TOKEN + ").");
    }
    Downstream.Me me;
    try {
      me = downstream.whoIs(key);
    } catch (ServiceCallException e) {
      if (e.status() == 401) {
        return refuse(model, response, 401, "That token is not valid: unknown, revoked or expired.");
      }
      if (e.status() == 403) {
        return refuse(model, response, 403, "That credential cannot sign in to the console (a product or service key).");
      }
      throw e;
    } catch (DependencyUnavailableException e) {
      return refuse(model, response, 503, "The control plane (policy-service) is not answering, so no one can sign in"
          + " just now. Try again in a moment.");
    }
    if (!"OPERATOR".equals(me.kind())) {
      return refuse(model, response, 403, "That credential cannot sign in to the console (a product or service key).");
    }
    SavedRequest saved = requestCache.getRequest(request, response);
    HttpSession old = request.getSession(false);
    if (old != null) {
      old.invalidate();
    }
    // a signed-in session lives the idle timeout; one before sign-in only server.servlet.session.timeout,
    // so nobody fills the session store by loading the sign-in form
    request.getSession(true).setMaxInactiveInterval((int) Math.min(Integer.MAX_VALUE, signedInIdle.toSeconds()));
    SecurityContext context = SecurityContextHolder.createEmptyContext();
    context.setAuthentication(new ConsoleAuthentication(new ConsoleUser(me.name(), me.roles(), me.tenants(), key)));
    SecurityContextHolder.setContext(context);
    contexts.saveContext(context, request, response);
    log.info("console sign-in user={} roles={} tenants={}", me.name(), me.roles(), me.tenants().size());
    return "redirect:" + landing(saved, request);
  }

  /** Back to the page that asked for sign-in (a GET on this console), else Firing now. */
  private static String landing(SavedRequest saved, HttpServletRequest request) {
    if (saved == null || !"GET".equals(saved.getMethod())) {
      return "/";
    }
    try {
      java.net.URI u = java.net.URI.create(saved.getRedirectUrl());
      String path = u.getRawPath();
      String landing = path + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
      if (!io.vigil.console.system.Back.isPage(landing)) {
        return "/";
      }
      return landing;
    } catch (IllegalArgumentException e) {
      return "/";
    }
  }

  private static String refuse(Model model, HttpServletResponse response, int status, String error) {
    response.setStatus(status);
    model.addAttribute("error", error);
    return "sign-in";
  }
}
