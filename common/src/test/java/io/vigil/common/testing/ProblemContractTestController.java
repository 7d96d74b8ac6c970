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

  public record Echo(@NotBlank String name, @Positive int count) {}

  @PostMapping(path = PATH, consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
  Echo echo(@Valid @RequestBody Echo body) {
    return body;
  }
}
