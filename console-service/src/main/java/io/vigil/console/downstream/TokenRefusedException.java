package io.vigil.console.downstream;

/**
 * A service refused the user's token while policy-service, which keeps the tokens, still accepts it:
 * that service does not read operator tokens (a configuration problem of the platform, not the user's).
 * The part of the page it feeds says so; the session goes on.
 */
public class TokenRefusedException extends RuntimeException {

  private final String service;

  public TokenRefusedException(String service) {
    super(service + " refuses the signed-in user's token, which policy-service accepts");
    this.service = service;
  }

  public String service() {
    return service;
  }
}
