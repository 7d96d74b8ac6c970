package io.vigil.common.control;

/** How a write-only secret shows in an API answer or a log. */
public final class Secrets {

  public static final String REDACTED = "<redacted>";

  private Secrets() {}
}
