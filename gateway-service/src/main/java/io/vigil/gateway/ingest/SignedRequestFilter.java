package io.vigil.gateway.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.Problems;
import io.vigil.common.security.ProductCredentials;
import io.vigil.common.semantics.RequestSigning;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates the ingestion routes: a request signed with a product credential (the spec in
 * {@code docs/request-signing.md}, checked by common's {@link RequestSigning}), within the allowed
 * clock skew, with a nonce not seen before. The body is read once here (its hash is signed) and
 * handed on; the product is left in the request for the route. Every refusal is 401 problem+json,
 * counted by reason in {@code vigil_ingest_auth_failures_total}; the secret is never logged.
 */
public class SignedRequestFilter extends OncePerRequestFilter {

  /** The request attribute holding the authenticated product's name. */
  public static final String PRODUCT = io.vigil.common.security.ApiKeyAuthenticationFilter.AUTHENTICATED_PRODUCT;
  public static final String KEY_ID = "vigil.keyId";

  private final Set<String> paths;
  private final ProductCredentials credentials;
  private final RequestSigning.NonceStore nonces;
  private final Clock clock;
  private final Duration maxSkew;
  private final Map<Reason, Counter> failures = new EnumMap<>(Reason.class);

  enum Reason { MISSING, MALFORMED, UNKNOWN_KEY, STALE, REPLAYED, BAD_SIGNATURE }

  public SignedRequestFilter(Set<String> paths, ProductCredentials credentials, RequestSigning.NonceStore nonces,
      Clock clock, Duration maxSkew, MeterRegistry registry) {
    this.paths = Set.copyOf(paths);
    this.credentials = credentials;
    this.nonces = nonces;
    this.clock = clock;
    this.maxSkew = maxSkew;
    for (Reason r : Reason.values()) {
      failures.put(r, Counter.builder("vigil.ingest.auth.failures").tag("reason", r.name().toLowerCase())
          .description("ingestion requests refused as unauthenticated, by reason").register(registry));
    }
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !paths.contains(request.getRequestURI());
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader("Authorization");
    if (header == null) {
      refuse(request, response, Reason.MISSING, "sign the request: Authorization: " + RequestSigning.ALGORITHM
          + " Credential=<key id>, Signature=<hex> (docs/request-signing.md)");
      return;
    }
    String[] parsed = RequestSigning.parseAuthorization(header);
    long timestamp;
    try {
      timestamp = Long.parseLong(String.valueOf(request.getHeader(RequestSigning.TIMESTAMP_HEADER)));
    } catch (NumberFormatException e) {
      timestamp = -1;
    }
    if (parsed == null || timestamp < 0) {
      refuse(request, response, Reason.MALFORMED, "the signature headers are not in the documented form");
      return;
    }
    Optional<ProductCredentials.Credential> credential;
    try {
      credential = credentials.find(parsed[0]);
    } catch (DependencyUnavailableException e) {
      Problems.write(request, response, ErrorCode.UNAVAILABLE, "credentials cannot be checked now; retry later", null);
      return;
    }
    if (credential.isEmpty()) {
      refuse(request, response, Reason.UNKNOWN_KEY, "no such credential");
      return;
    }
    byte[] body = request.getInputStream().readAllBytes(); // bounded by the body size limit before us
    RequestSigning.Request signed = new RequestSigning.Request(request.getMethod(), request.getRequestURI(),
        RequestSigning.query(request.getQueryString()), timestamp, request.getHeader(RequestSigning.NONCE_HEADER), body);
    RequestSigning.Failure failure = RequestSigning.verify(signed, parsed[0], parsed[1], credential.get().secrets(),
        clock, maxSkew, nonces);
    if (failure != null) {
      Reason reason = Reason.valueOf(failure.name());
      refuse(request, response, reason, switch (failure) {
        case MALFORMED -> "the nonce or signature is not in the documented form";
        case STALE -> "the timestamp is more than " + maxSkew.toSeconds() + " s from the gateway's clock";
        case REPLAYED -> "this nonce was already used";
        case BAD_SIGNATURE -> "the signature does not match";
      });
      return;
    }
    request.setAttribute(PRODUCT, credential.get().product());
    request.setAttribute(KEY_ID, parsed[0]);
    chain.doFilter(new io.vigil.common.web.CachedBodyRequest(request, body), response);
  }

  private void refuse(HttpServletRequest request, HttpServletResponse response, Reason reason, String detail)
      throws IOException {
    failures.get(reason).increment();
    Problems.write(request, response, ErrorCode.UNAUTHENTICATED, detail, "Authorization");
  }
}
