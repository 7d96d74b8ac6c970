package io.vigil.common.error;

import java.io.IOException;

/** Raised while reading a request body that grows past the configured limit. */
public class PayloadTooLargeException extends IOException {

  public PayloadTooLargeException(long limitBytes) {
    super("the request body is larger than " + limitBytes + " bytes");
  }
}
