package io.vigil.common.error;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

/** Builds RFC 9457 problem details with Vigil's {@code code} and {@code field} members. */
public final class Problems {

  public static final String CODE = "code";
  public static final String FIELD = "field";
  public static final String ERRORS = "errors";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Problems() {}

  public static ProblemDetail of(ErrorCode code, String detail, String field) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(code.status(), detail);
    p.setTitle(code.title());
    p.setType(URI.create("https://vigil.io/problems/" + code.code().replace('_', '-')));
    p.setProperty(CODE, code.code());
    if (field != null) {
      p.setProperty(FIELD, field);
    }
    return p;
  }

  /**
   * Writes a problem straight to the response: for filters and security handlers, which run before
   * (and outside) the controller advice.
   */
  public static void write(HttpServletRequest request, HttpServletResponse response, ErrorCode code, String detail,
      String field) throws IOException {
    if (response.isCommitted()) {
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    ProblemDetail p = of(code, detail, field);
    body.put("type", p.getType().toString());
    body.put("title", p.getTitle());
    body.put("status", p.getStatus());
    body.put("detail", p.getDetail());
    body.put("instance", request.getRequestURI());
    body.putAll(p.getProperties());
    response.resetBuffer();
    response.setStatus(code.status().value());
    response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
    response.setCharacterEncoding("UTF-8");
    if (code == ErrorCode.UNAUTHENTICATED) {
      response.setHeader("WWW-Authenticate", "Bearer realm=\"vigil\"");
    }
    response.getOutputStream().write(JSON.writeValueAsBytes(body));
    response.flushBuffer();
  }
}
