package io.vigil.common.security;

import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.Problems;
import io.vigil.common.logging.LogKeys;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.MDC;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <key>}. A key that resolves sets the principal (and the
 * tenant in the log context); a key that does not is answered 401 problem+json at once; no header
 * leaves the request anonymous, for the authorization rules to decide. The key is never logged.
 */
public class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

  private static final String BEARER = "Bearer ";
  /**
   * The request attribute a product-authenticating filter (the gateway's ingestion routes) sets to
   * the product's name before this filter runs: such a request is not an API-key request.
   */
  public static final String AUTHENTICATED_PRODUCT = "vigil.product";
  private final CredentialResolver resolver;

  public ApiKeyAuthenticationFilter(CredentialResolver resolver) {
    this.resolver = resolver;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader("Authorization");
    if (header == null || header.startsWith(io.vigil.common.semantics.RequestSigning.ALGORITHM + " ")
        || request.getAttribute(AUTHENTICATED_PRODUCT) != null) {
      // no key, or a product's signed request (checked by the ingestion routes' own filter): the
      // authorization rules decide
      chain.doFilter(request, response);
      return;
    }
    if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length()) || header.length() == BEARER.length()) {
      Problems.write(request, response, ErrorCode.UNAUTHENTICATED, "use Authorization: Bearer <api key>",
          "Authorization");
      return;
    }
    Optional<VigilPrincipal> principal;
    try {
      principal = resolver.resolve(header.substring(BEARER.length()).trim());
    } catch (io.vigil.common.error.DependencyUnavailableException e) {
      // the key may well be valid: the store that would say so is away, so "retry", not "wrong key"
      Problems.write(request, response, ErrorCode.UNAVAILABLE, "credentials cannot be checked now; retry later",
          null);
      return;
    }
    if (principal.isEmpty()) {
      Problems.write(request, response, ErrorCode.UNAUTHENTICATED, "the API key is not valid", "Authorization");
      return;
    }
    VigilPrincipal p = principal.get();
    List<SimpleGrantedAuthority> authorities =
        p.roles().stream().map(r -> new SimpleGrantedAuthority("ROLE_" + r)).toList();
    var auth = UsernamePasswordAuthenticationToken.authenticated(p, null, authorities);
    var context = SecurityContextHolder.createEmptyContext();
    context.setAuthentication(auth);
    SecurityContextHolder.setContext(context);
    if (p.soleTenant() != null) {
      MDC.put(LogKeys.TENANT, p.soleTenant());
    }
    try {
      chain.doFilter(request, response);
    } finally {
      SecurityContextHolder.clearContext();
      MDC.remove(LogKeys.TENANT);
    }
  }
}
