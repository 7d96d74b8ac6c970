package io.vigil.common.logging;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.MDC;

/**
 * Binds business keys to the log context for the span of one unit of work:
 *
 * <pre>{@code
 * try (var ctx = LogContext.with(LogKeys.ALERT_KEY, key).and(LogKeys.EVENT_ID, id)) { ... }
 * }</pre>
 *
 * Closing removes what it added and restores values it replaced. Null values are skipped.
 */
public final class LogContext implements AutoCloseable {

  private final List<String> keys = new ArrayList<>(4);
  private final List<String> previous = new ArrayList<>(4);

  private LogContext() {}

  public static LogContext with(String key, Object value) {
    return new LogContext().and(key, value);
  }

  public LogContext and(String key, Object value) {
    if (value != null) {
      keys.add(key);
      previous.add(MDC.get(key));
      MDC.put(key, String.valueOf(value));
    }
    return this;
  }

  @Override
  public void close() {
    for (int i = keys.size() - 1; i >= 0; i--) {
      String old = previous.get(i);
      if (old == null) {
        MDC.remove(keys.get(i));
      } else {
        MDC.put(keys.get(i), old);
      }
    }
  }
}
