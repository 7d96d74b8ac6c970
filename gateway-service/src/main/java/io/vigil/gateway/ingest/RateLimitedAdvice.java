package io.vigil.gateway.ingest;

import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.Problems;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** 429 problem+json with {@code Retry-After} for a product over its rate. */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RateLimitedAdvice {

  @ExceptionHandler(RateLimiter.Limited.class)
  ResponseEntity<ProblemDetail> limited(RateLimiter.Limited e, jakarta.servlet.http.HttpServletRequest request) {
    ProblemDetail p = Problems.of(ErrorCode.RATE_LIMITED, e.getMessage(), null);
    p.setInstance(java.net.URI.create(request.getRequestURI()));
    return ResponseEntity.status(ErrorCode.RATE_LIMITED.status())
        .header("Retry-After", Long.toString(e.retryAfterSeconds()))
        .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(p);
  }
}
