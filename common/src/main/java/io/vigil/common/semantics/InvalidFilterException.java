package io.vigil.common.semantics;

import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;

/**
 * A filter that cannot be evaluated: an unknown function, a missing or ill-typed argument, a regular
 * expression that does not compile. Names the field at fault (e.g. {@code filters[2].Args}), so the
 * API answers problem+json with it and nothing is stored.
 */
public class InvalidFilterException extends ApiException {

  public InvalidFilterException(String field, String detail) {
    super(ErrorCode.VALIDATION_FAILED, field, detail);
  }
}
