package io.vigil.common.error;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;

/**
 * The last word on an error nothing else handled: logged, and answered 503 {@code unavailable} when
 * {@link ErrorClassifier} finds a dependency that did not answer, else 500 {@code internal}; never a
 * stack trace. It has the lowest precedence and is registered after a service's own beans, so a
 * service's {@code @RestControllerAdvice} always gets the error first.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class VigilFallbackProblemHandler {

  private static final Logger log = LoggerFactory.getLogger(VigilFallbackProblemHandler.class);

  @ExceptionHandler(Exception.class)
  ResponseEntity<Object> unexpected(Exception e, WebRequest request) {
    ErrorClassifier.Verdict verdict = ErrorClassifier.classify(e);
    if (verdict.retriable()) {
      log.warn("{} unavailable serving {}: {}", verdict.dependency(), VigilProblemHandler.path(request), e.toString());
      return VigilProblemHandler.respond(Problems.of(ErrorCode.UNAVAILABLE,
          "a dependency is unavailable; retry later", null), request);
    }
    log.error("unhandled error serving {}", VigilProblemHandler.path(request), e);
    return VigilProblemHandler.respond(Problems.of(ErrorCode.INTERNAL, "internal error; the server logged it", null),
        request);
  }
}
