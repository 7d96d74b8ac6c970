package io.vigil.common.error;

/** A request that cannot be served, with the code and (where one is at fault) the field. */
public class ApiException extends RuntimeException {

  private final ErrorCode code;
  private final String field;

  public ApiException(ErrorCode code, String field, String detail) {
    super(detail);
    this.code = code;
    this.field = field;
  }

  public ErrorCode code() {
    return code;
  }

  public String field() {
    return field;
  }
}
