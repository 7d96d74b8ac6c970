package io.vigil.console.downstream;

/** The user's token was refused (revoked or expired) or is gone: the session ends, the user signs in again. */
public class SessionEndedException extends RuntimeException {

  public SessionEndedException(String message) {
    super(message);
  }
}
