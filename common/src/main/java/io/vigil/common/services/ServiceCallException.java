package io.vigil.common.services;

/**
 * A peer answered, and the answer says the call itself was wrong (a 4xx other than 429): not an
 * outage, so it neither opens the breaker nor is retried.
 */
public class ServiceCallException extends RuntimeException {

  private final String service;
  private final int status;

  public ServiceCallException(String service, int status, String message) {
    super(service + " answered " + status + ": " + message);
    this.service = service;
    this.status = status;
  }

  public String service() {
    return service;
  }

  public int status() {
    return status;
  }
}
