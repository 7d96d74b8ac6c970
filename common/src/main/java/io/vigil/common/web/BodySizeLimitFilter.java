package io.vigil.common.web;

import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.PayloadTooLargeException;
import io.vigil.common.error.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over the limit with 413 problem+json: at once when Content-Length says so,
 * otherwise while the body is read (the read fails and the controller advice answers 413). Runs
 * before security, so an oversize body is never buffered for anyone.
 */
public class BodySizeLimitFilter extends OncePerRequestFilter {

  private final long defaultLimitBytes;
  private final java.util.List<java.util.Map.Entry<org.springframework.web.util.pattern.PathPattern, Long>> routes;

  public BodySizeLimitFilter(long limitBytes) {
    this(limitBytes, java.util.Map.of());
  }

  /** @param routeLimits limits of routes that declare their own, by path pattern, in order */
  public BodySizeLimitFilter(long limitBytes, java.util.Map<String, Long> routeLimits) {
    this.defaultLimitBytes = limitBytes;
    var parser = new org.springframework.web.util.pattern.PathPatternParser();
    this.routes = routeLimits.entrySet().stream()
        .map(e -> java.util.Map.entry(parser.parse(e.getKey()), e.getValue())).toList();
  }

  private long limitFor(HttpServletRequest request) {
    if (routes.isEmpty()) {
      return defaultLimitBytes;
    }
    var path = org.springframework.http.server.PathContainer.parsePath(request.getRequestURI());
    for (var r : routes) {
      if (r.getKey().matches(path)) {
        return r.getValue();
      }
    }
    return defaultLimitBytes;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long limitBytes = limitFor(request);
    long declared = request.getContentLengthLong();
    if (declared > limitBytes) {
      Problems.write(request, response, ErrorCode.PAYLOAD_TOO_LARGE,
          "the request body is larger than " + limitBytes + " bytes", null);
      return;
    }
    chain.doFilter(declared >= 0 ? request : new Limited(request, limitBytes), response);
  }

  private static final class Limited extends HttpServletRequestWrapper {
    private final long limit;
    private ServletInputStream stream;

    Limited(HttpServletRequest request, long limit) {
      super(request);
      this.limit = limit;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        ServletInputStream in = super.getInputStream();
        stream = new ServletInputStream() {
          private long read;

          @Override
          public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
              count(1);
            }
            return b;
          }

          @Override
          public int read(byte[] buf, int off, int len) throws IOException {
            int n = in.read(buf, off, len);
            if (n > 0) {
              count(n);
            }
            return n;
          }

          private void count(int n) throws PayloadTooLargeException {
            read += n;
            if (read > limit) {
              throw new PayloadTooLargeException(limit);
            }
          }

          @Override
          public boolean isFinished() {
            return in.isFinished();
          }

          @Override
          public boolean isReady() {
            return in.isReady();
          }

          @Override
          public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
          }
        };
      }
      return stream;
    }

    @Override
    public BufferedReader getReader() throws IOException {
      String enc = getCharacterEncoding();
      Charset cs = enc == null ? StandardCharsets.UTF_8 : Charset.forName(enc);
      return new BufferedReader(new InputStreamReader(getInputStream(), cs));
    }
  }
}
