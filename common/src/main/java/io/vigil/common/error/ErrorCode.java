package io.vigil.common.error;

import org.springframework.http.HttpStatus;

/**
 * The machine-readable codes of Vigil's REST errors ({@code code} in every problem+json body).
 * Stable: clients branch on them; add new ones, never rename.
 */
public enum ErrorCode {
  MALFORMED_BODY(HttpStatus.BAD_REQUEST, "The request body is not valid JSON for this endpoint"),
  VALIDATION_FAILED(HttpStatus.BAD_REQUEST, "A field failed validation"),
  INVALID_PARAMETER(HttpStatus.BAD_REQUEST, "A query or path parameter is invalid"),
  UNAUTHENTICATED(HttpStatus.UNAUTHORIZED, "Authentication is required"),
  FORBIDDEN(HttpStatus.FORBIDDEN, "Not allowed for this credential"),
  NOT_FOUND(HttpStatus.NOT_FOUND, "No such resource"),
  METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "Method not allowed on this resource"),
  NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "Cannot produce the requested media type"),
  CONFLICT(HttpStatus.CONFLICT, "The resource changed or already exists"),
  PRECONDITION_REQUIRED(HttpStatus.PRECONDITION_REQUIRED, "This change needs the version it applies to (If-Match)"),
  INVALID_REFERENCE(HttpStatus.UNPROCESSABLE_CONTENT, "A referenced object does not exist"),
  PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "The request body is too large"),
  UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Unsupported content type"),
  RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "Too many requests"),
  UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "A dependency is unavailable; retry later"),
  INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error");

  private final HttpStatus status;
  private final String title;

  ErrorCode(HttpStatus status, String title) {
    this.status = status;
    this.title = title;
  }

  public HttpStatus status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** The code as it appears in JSON: lower-case with underscores, e.g. {@code malformed_body}. */
  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
