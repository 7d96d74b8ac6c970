package io.vigil.common.error;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.InvalidRecordException;
import jakarta.validation.ConstraintViolationException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;

/**
 * Turns every error a controller raises into RFC 9457 problem+json with a stable {@code code} and,
 * where one is at fault, the {@code field}. Never a stack trace to a client. The catch-all for
 * unexpected errors is a separate advice of the lowest precedence ({@link VigilFallbackProblemHandler}),
 * so a service's own {@code @RestControllerAdvice} is never hidden by this one.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE - 10)
public class VigilProblemHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(VigilProblemHandler.class);

  @ExceptionHandler(ApiException.class)
  ResponseEntity<Object> api(ApiException e, WebRequest request) {
    ProblemDetail p = Problems.of(e.code(), e.getMessage(), e.field());
    if (!e.errors().isEmpty()) {
      p.setProperty(Problems.ERRORS, e.errors().stream()
          .map(f -> Map.of("field", f.field(), "reason", f.reason())).toList());
    }
    return respond(p, request);
  }

  @ExceptionHandler(InvalidRecordException.class)
  ResponseEntity<Object> invalidRecord(InvalidRecordException e, WebRequest request) {
    return respond(Problems.of(ErrorCode.VALIDATION_FAILED, e.reason(), e.field()), request);
  }

  @ExceptionHandler(ConstraintViolationException.class)
  ResponseEntity<Object> constraint(ConstraintViolationException e, WebRequest request) {
    var first = e.getConstraintViolations().stream().findFirst();
    String field = first.map(v -> lastNode(v.getPropertyPath().toString())).orElse(null);
    String detail = first.map(v -> v.getMessage()).orElse("invalid");
    return respond(Problems.of(ErrorCode.INVALID_PARAMETER, detail, field), request);
  }

  /** A parameter the server cannot decode (bad percent-encoding): Tomcat names it, the client sent it. */
  @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
  ResponseEntity<Object> undecodable(Exception e, WebRequest request) {
    return respond(Problems.of(ErrorCode.INVALID_PARAMETER, "a parameter is not validly percent-encoded", null),
        request);
  }

  @ExceptionHandler(AccessDeniedException.class)
  ResponseEntity<Object> denied(AccessDeniedException e, WebRequest request) {
    return respond(Problems.of(ErrorCode.FORBIDDEN, "not allowed for this credential", null), request);
  }

  @ExceptionHandler(AuthenticationException.class)
  ResponseEntity<Object> unauthenticated(AuthenticationException e, WebRequest request) {
    return respond(Problems.of(ErrorCode.UNAUTHENTICATED, "a valid credential is required", null), request);
  }

  /** A store or peer the request needs did not answer: 503, so a client retries later. */
  @ExceptionHandler(DependencyUnavailableException.class)
  ResponseEntity<Object> unavailable(DependencyUnavailableException e, WebRequest request) {
    log.warn("{} unavailable serving {}: {}", e.dependency(), path(request), e.getMessage());
    return respond(Problems.of(ErrorCode.UNAVAILABLE, e.dependency() + " is unavailable; retry later", null), request);
  }

  @Override
  protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
      HttpStatusCode statusCode, WebRequest request) {
    ProblemDetail problem = translate(ex, statusCode);
    HttpHeaders out = new HttpHeaders();
    if (headers != null) {
      out.putAll(headers);
    }
    out.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    problem.setInstance(URI.create(path(request)));
    // the problem's status wins: an unreadable body may really be too large (413), not bad (400)
    return new ResponseEntity<>(problem, out, HttpStatusCode.valueOf(problem.getStatus()));
  }

  private ProblemDetail translate(Exception ex, HttpStatusCode status) {
    if (ex instanceof MethodArgumentNotValidException invalid) {
      List<FieldError> errors = invalid.getBindingResult().getFieldErrors();
      FieldError first = errors.isEmpty() ? null : errors.get(0);
      ProblemDetail p = Problems.of(ErrorCode.VALIDATION_FAILED,
          first == null ? "invalid request" : first.getDefaultMessage(), first == null ? null : first.getField());
      p.setProperty(Problems.ERRORS, errors.stream()
          .map(f -> Map.of("field", f.getField(), "reason", String.valueOf(f.getDefaultMessage()))).toList());
      return p;
    }
    if (ex instanceof HandlerMethodValidationException invalid) {
      var first = invalid.getParameterValidationResults().stream().findFirst();
      String field = first.map(r -> r.getMethodParameter().getParameterName()).orElse(null);
      String detail = first.flatMap(r -> r.getResolvableErrors().stream().findFirst())
          .map(e -> e.getDefaultMessage()).orElse("invalid parameter");
      return Problems.of(ErrorCode.INVALID_PARAMETER, detail, field);
    }
    if (ex instanceof HttpMessageNotReadableException unreadable) {
      PayloadTooLargeException tooLarge = find(unreadable, PayloadTooLargeException.class);
      if (tooLarge != null) {
        return Problems.of(ErrorCode.PAYLOAD_TOO_LARGE, tooLarge.getMessage(), null);
      }
      InvalidRecordException record = find(unreadable, InvalidRecordException.class);
      if (record != null) {
        return Problems.of(ErrorCode.VALIDATION_FAILED, record.reason(), record.field());
      }
      JacksonException json = find(unreadable, JacksonException.class);
      String field = json == null ? null : MessageCodec.jsonPath(json);
      String detail = json == null ? "the request body is missing or unreadable"
          : "invalid JSON" + (field == null ? "" : " at " + field) + ": " + firstLine(json.getOriginalMessage());
      return Problems.of(ErrorCode.MALFORMED_BODY, detail, field);
    }
    if (ex instanceof MissingServletRequestParameterException missing) {
      return Problems.of(ErrorCode.INVALID_PARAMETER, "required parameter is missing", missing.getParameterName());
    }
    if (ex instanceof MethodArgumentTypeMismatchException mismatch) {
      return Problems.of(ErrorCode.INVALID_PARAMETER, "cannot be read as " + (mismatch.getRequiredType() == null
          ? "the expected type" : mismatch.getRequiredType().getSimpleName()), mismatch.getName());
    }
    if (ex instanceof HttpMediaTypeNotSupportedException unsupported) {
      return Problems.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "content type " + unsupported.getContentType()
          + " is not supported; use " + unsupported.getSupportedMediaTypes(), "Content-Type");
    }
    if (ex instanceof HttpMediaTypeNotAcceptableException) {
      return Problems.of(ErrorCode.NOT_ACCEPTABLE, "cannot produce the requested media type", "Accept");
    }
    if (ex instanceof HttpRequestMethodNotSupportedException method) {
      return Problems.of(ErrorCode.METHOD_NOT_ALLOWED, "method " + method.getMethod() + " is not allowed here", null);
    }
    if (ex instanceof NoResourceFoundException || ex instanceof NoHandlerFoundException) {
      return Problems.of(ErrorCode.NOT_FOUND, "no such route", null);
    }
    ErrorCode code = switch (status.value()) {
      case 400 -> ErrorCode.MALFORMED_BODY;
      case 404 -> ErrorCode.NOT_FOUND;
      case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
      case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
      case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
      case 503 -> ErrorCode.UNAVAILABLE;
      default -> status.is4xxClientError() ? ErrorCode.INVALID_PARAMETER : ErrorCode.INTERNAL;
    };
    return Problems.of(code, code.title(), null);
  }

  /** The one way a problem is answered: its instance set to the request's path, as problem+json. */
  public static ResponseEntity<Object> respond(ProblemDetail problem, WebRequest request) {
    problem.setInstance(URI.create(path(request)));
    return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
  }

  static String path(WebRequest request) {
    return request instanceof ServletWebRequest servlet ? servlet.getRequest().getRequestURI() : "/";
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }

  private static String lastNode(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? path : path.substring(dot + 1);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
