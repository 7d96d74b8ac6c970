package io.vigil.common.web;

import io.vigil.common.tracing.TraceContext;
import io.vigil.common.tracing.Traceparent;
import io.vigil.common.logging.LogContext;
import io.vigil.common.logging.LogKeys;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Starts or continues the request's trace from its {@code traceparent} header, binds it for the
 * records the request produces and for the logs, and answers with the {@code traceparent} this
 * service used, so a client can quote it. Every log line of the request carries the caller (name and
 * address), the callee (this service and its address), the region and the deployment set.
 */
public class TraceFilter extends OncePerRequestFilter {

  /** Header a calling Vigil service (or a product SDK) may set to name itself in our logs. */
  public static final String CALLER_HEADER = "X-Vigil-Caller";
  /** What a caller header may name (compiled once: it runs per request). */
  private static final java.util.regex.Pattern CALLER = java.util.regex.Pattern.compile("[a-zA-Z0-9._-]{1,64}");

  private final String service;
  private final String region;
  private final String set;

  public TraceFilter(String service) {
    this(service, null, null);
  }

  /** @param set the deployment set of this instance ({@code vigil.set}); null or blank if none */
  public TraceFilter(String service, String region, String set) {
    this.service = service;
    this.region = region;
    this.set = set == null || set.isBlank() ? null : set;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Traceparent incoming = Traceparent.parse(request.getHeader(Traceparent.HEADER));
    Traceparent tp = incoming == null ? Traceparent.newRoot() : incoming.child();
    response.setHeader(Traceparent.HEADER, tp.value());
    String caller = request.getHeader(CALLER_HEADER);
    if (caller != null && !CALLER.matcher(caller).matches()) {
      caller = "invalid";
    }
    try (TraceContext.Scope scope = TraceContext.bind(tp);
        LogContext ctx = LogContext.with(LogKeys.CALLEE, service).and(LogKeys.CALLER, caller)
            .and(LogKeys.CALLER_IP, request.getRemoteAddr()).and(LogKeys.CALLEE_IP, request.getLocalAddr())
            .and(LogKeys.REGION, region).and(LogKeys.SET, set)) {
      chain.doFilter(request, response);
    }
  }
}
