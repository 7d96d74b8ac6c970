package io.vigil.storage.promql;

/**
 * A query this API cannot run, answered in Prometheus's error shape ({@code status: error}, {@code
 * errorType: bad_data}, HTTP 400) with what is wrong or unsupported.
 */
public final class PromQlException extends RuntimeException {

  public PromQlException(String message) {
    super(message);
  }
}
