package io.vigil.common.web;

import io.vigil.common.logging.LogKeys;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Puts the handling controller method ({@code IngestController.pushMetrics}) under {@code method}
 * in the log context for the span of the request, so a line says which API it served.
 */
public class HandlerLogContext implements HandlerInterceptor {

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
    if (handler instanceof HandlerMethod method) {
      MDC.put(LogKeys.METHOD, method.getBeanType().getSimpleName() + "." + method.getMethod().getName());
    }
    return true;
  }

  @Override
  public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
      Exception ex) {
    MDC.remove(LogKeys.METHOD);
  }
}
