package io.vigil.common.tracing;

import io.vigil.common.logging.LogKeys;
import org.slf4j.MDC;

/**
 * The trace the current thread works for. Set at the entry of an HTTP request or a consumed record,
 * read by the publisher so the trace goes on with the records it sends.
 */
public final class TraceContext {

  private static final ThreadLocal<Traceparent> CURRENT = new ThreadLocal<>();

  private TraceContext() {}

  public static Traceparent current() {
    return CURRENT.get();
  }

  /** Binds the trace to this thread (and the log context) until the returned scope closes. */
  public static Scope bind(Traceparent tp) {
    Traceparent previous = CURRENT.get();
    CURRENT.set(tp);
    if (tp != null) {
      MDC.put(LogKeys.TRACE_ID, tp.traceId());
    }
    return () -> {
      if (previous == null) {
        CURRENT.remove();
        MDC.remove(LogKeys.TRACE_ID);
      } else {
        CURRENT.set(previous);
        MDC.put(LogKeys.TRACE_ID, previous.traceId());
      }
    };
  }

  /** A bound trace; closing restores what was bound before. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
