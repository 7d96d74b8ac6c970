package io.vigil.common.error;

import java.util.List;

/**
 * A request that cannot be served, with the code and (where one is at fault) the field. A request
 * with several bad fields carries them all in {@link #errors()} (the problem's {@code errors}
 * member); {@link #field()} is the first.
 */
public class ApiException extends RuntimeException {

  private final ErrorCode code;
  private final String field;
  private final List<FieldProblem> errors;

  public ApiException(ErrorCode code, String field, String detail) {
    super(detail);
    this.code = code;
    this.field = field;
    this.errors = List.of();
  }

  public ApiException(ErrorCode code, List<FieldProblem> errors) {
    super(summary(errors));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("no field problems");
    }
    this.code = code;
    this.field = errors.get(0).field();
    this.errors = List.copyOf(errors);
  }

  private static String summary(List<FieldProblem> errors) {
    if (errors.isEmpty()) {
      return "";
    }
    FieldProblem first = errors.get(0);
    return first.field() + ": " + first.reason() + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "");
  }

  public ErrorCode code() {
    return code;
  }

  public String field() {
    return field;
  }

  /** Every field at fault, in the order found; empty when the exception names one field only. */
  public List<FieldProblem> errors() {
    return errors;
  }
}
