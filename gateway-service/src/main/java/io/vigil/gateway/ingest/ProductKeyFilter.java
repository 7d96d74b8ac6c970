package io.vigil.gateway.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.Problems;
import io.vigil.common.security.ProductCredentials;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates the routes whose senders cannot sign (Prometheus remote write, the OpenTelemetry
 * Collector, Grafana Alloy): the product credential as HTTP basic auth ({@code username: <key id>},
 * {@code password: <secret>}) or as a bearer token {@code <key id>:<secret>}, over TLS in any real
 * deployment. The secret is compared in constant time with the credential's active secrets; it is
 * never logged. Refusals are 401 problem+json, counted with the signed routes' reasons.
 */
public class ProductKeyFilter extends OncePerRequestFilter {

  private final Set<String> paths;
  private final ProductCredentials credentials;
  private final MeterRegistry registry;

  public ProductKeyFilter(Set<String> paths, ProductCredentials credentials, MeterRegistry registry) {
    this.paths = Set.copyOf(paths);
    this.credentials = credentials;
    this.registry = registry;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !paths.contains(request.getRequestURI());
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader("Authorization");
    String[] pair = header == null ? null : pair(header);
    if (pair == null) {
      refuse(request, response, header == null ? "missing" : "malformed",
          "send the product credential as basic auth (key id, secret) or as a bearer token <key id>:<secret>");
      return;
    }
    Optional<ProductCredentials.Credential> credential;
    try {
      credential = credentials.find(pair[0]);
    } catch (DependencyUnavailableException e) {
      Problems.write(request, response, ErrorCode.UNAVAILABLE, "credentials cannot be checked now; retry later", null);
      return;
    }
    if (credential.isEmpty()) {
      refuse(request, response, "unknown_key", "no such credential");
      return;
    }
    if (!credential.get().accepts(pair[1])) {
      refuse(request, response, "bad_secret", "the secret does not match");
      return;
    }
    request.setAttribute(SignedRequestFilter.PRODUCT, credential.get().product());
    request.setAttribute(SignedRequestFilter.KEY_ID, pair[0]);
    chain.doFilter(request, response);
  }

  /** The key id and secret of a Basic or Bearer header, or null. */
  static String[] pair(String header) {
    String decoded;
    if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return null;
      }
    } else if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      decoded = header.substring(7).trim();
    } else {
      return null;
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0 || colon == decoded.length() - 1) {
      return null;
    }
    return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
  }

  private void refuse(HttpServletRequest request, HttpServletResponse response, String reason, String detail)
      throws IOException {
    registry.counter("vigil.ingest.auth.failures", "reason", reason).increment();
    Problems.write(request, response, ErrorCode.UNAUTHENTICATED, detail, "Authorization");
  }
}
