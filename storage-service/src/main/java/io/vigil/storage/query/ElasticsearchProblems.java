package io.vigil.storage.query;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import io.vigil.common.error.ErrorClassifier;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.Problems;
import io.vigil.common.error.VigilProblemHandler;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;

/**
 * A query Elasticsearch refused: overloaded or unreachable (429, 502-504) is answered 503 like any
 * dependency that is away; anything else is a query this service built wrong, answered 500 and
 * logged with Elasticsearch's root causes (its exception's own message names only the outer type,
 * e.g. {@code search_phase_execution_exception}, which says nothing of what to fix).
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE - 1)
class ElasticsearchProblems {

  private static final Logger log = LoggerFactory.getLogger(ElasticsearchProblems.class);

  @ExceptionHandler(ElasticsearchException.class)
  ResponseEntity<Object> refused(ElasticsearchException e, WebRequest request) {
    String causes = causes(e.error());
    if (ErrorClassifier.classify(e).retriable()) {
      log.warn("elasticsearch unavailable serving {}: {} {}", request.getDescription(false), e.status(), causes);
      return VigilProblemHandler.respond(Problems.of(ErrorCode.UNAVAILABLE,
          "a dependency is unavailable; retry later", null), request);
    }
    log.error("Elasticsearch refused a query serving {} with {}: {}", request.getDescription(false), e.status(),
        causes, e);
    return VigilProblemHandler.respond(Problems.of(ErrorCode.INTERNAL, "internal error; the server logged it", null),
        request);
  }

  /** The error's type and reason, then each root cause's, so the log says what Elasticsearch objected to. */
  static String causes(ErrorCause error) {
    if (error == null) {
      return "(no error body)";
    }
    List<String> parts = new ArrayList<>();
    parts.add(error.type() + ": " + error.reason());
    for (ErrorCause root : error.rootCause()) {
      parts.add("root cause " + root.type() + ": " + root.reason());
    }
    if (error.causedBy() != null) {
      parts.add("caused by " + error.causedBy().type() + ": " + error.causedBy().reason());
    }
    return String.join("; ", parts);
  }
}
