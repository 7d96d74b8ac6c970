package io.vigil.common.testing;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** A JSON endpoint that exists only in tests, to drive the error contract through a real service. */
@RestController
public class ProblemContractTestController {

  public static final String PATH = "/test/contract/echo";
  public static final String FAIL_PATH = "/test/contract/fail/";

  /** An error only a service's own advice knows: the shared handler must not take it first. */
  public static class OwnError extends RuntimeException {}

  /** A service's own advice, as a feature would write one: no explicit order. */
  @org.springframework.web.bind.annotation.RestControllerAdvice
  public static class OwnAdvice {
    @org.springframework.web.bind.annotation.ExceptionHandler(OwnError.class)
    org.springframework.http.ResponseEntity<String> own(OwnError e) {
      return org.springframework.http.ResponseEntity.status(418).contentType(MediaType.TEXT_PLAIN).body("own advice");
    }
  }

  @org.springframework.web.bind.annotation.GetMapping(FAIL_PATH + "{how}")
  String fail(@org.springframework.web.bind.annotation.PathVariable String how) {
    switch (how) {
      case "own" -> throw new OwnError();
      case "dependency" -> throw new io.vigil.common.error.DependencyUnavailableException("elasticsearch", "refused");
      case "transient" -> throw new IllegalStateException(new java.net.ConnectException("refused"));
      default -> throw new IllegalStateException("a bug");
    }
  }

  /** A query parameter read the usual way: its value badly percent-encoded must be the client's fault. */
  @org.springframework.web.bind.annotation.GetMapping(PATH + "/query")
  String query(@org.springframework.web.bind.annotation.RequestParam(required = false) String q) {
    return q;
  }

  public record Echo(@NotBlank String name, @Positive int count) {}

  @PostMapping(path = PATH, consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
  Echo echo(@Valid @RequestBody Echo body) {
    return body;
  }
}
