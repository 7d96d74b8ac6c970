package io.vigil.common.web;

import io.vigil.common.kafka.TraceContext;
import io.vigil.common.kafka.Traceparent;
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
 * service used, so a client can quote it.
 */
public class TraceFilter extends OncePerRequestFilter {

  /** Header a calling Vigil service (or a product SDK) may set to name itself in our logs. */
  public static final String CALLER_HEADER = "X-Vigil-Caller";

  private final String service;

  public TraceFilter(String service) {
    this.service = service;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Traceparent incoming = Traceparent.parse(request.getHeader(Traceparent.HEADER));
    Traceparent tp = incoming == null ? Traceparent.newRoot() : incoming.child();
    response.setHeader(Traceparent.HEADER, tp.value());
    String caller = request.getHeader(CALLER_HEADER);
    if (caller != null && !caller.matches("[a-zA-Z0-9._-]{1,64}")) {
      caller = "invalid";
    }
    try (TraceContext.Scope scope = TraceContext.bind(tp);
        LogContext ctx = LogContext.with(LogKeys.CALLEE, service).and(LogKeys.CALLER, caller)) {
      chain.doFilter(request, response);
    }
  }
}
