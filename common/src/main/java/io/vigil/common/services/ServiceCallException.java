package io.vigil.common.services;

/**
 * A peer answered, and the answer says the call itself was wrong (a 4xx other than 429): not an
 * outage, so it neither opens the breaker nor is retried.
 */
public class ServiceCallException extends RuntimeException {

  private final String service;
  private final int status;
  private final String body;

  public ServiceCallException(String service, int status, String message) {
    this(service, status, message, null);
  }

  /** {@code body}: the peer's answer (its problem document), kept for a caller acting for a user. */
  public ServiceCallException(String service, int status, String message, String body) {
    super(service + " answered " + status + ": " + message);
    this.service = service;
    this.status = status;
    this.body = body;
  }

  /** The peer's answer to a call made with the caller's key (its problem document), else null. */
  public String body() {
    return body;
  }

  public String service() {
    return service;
  }

  public int status() {
    return status;
  }
}
