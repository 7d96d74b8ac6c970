package io.vigil.common.error;

/**
 * A dependency this work needs (a store, a broker, another service) did not answer. It says nothing
 * about the record or request being worked on: consumers pause and retry it without limit, HTTP
 * answers 503. Never a dead letter.
 */
public class DependencyUnavailableException extends RuntimeException {

  private final String dependency;

  /** @param dependency a fixed word from {@code DependencyMetrics.DEPENDENCIES}, e.g. {@code elasticsearch} */
  public DependencyUnavailableException(String dependency, String message, Throwable cause) {
    super(dependency + " unavailable: " + message, cause);
    this.dependency = dependency;
  }

  public DependencyUnavailableException(String dependency, String message) {
    this(dependency, message, null);
  }

  public String dependency() {
    return dependency;
  }
}
