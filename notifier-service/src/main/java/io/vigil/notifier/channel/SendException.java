package io.vigil.notifier.channel;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;

/**
 * One send attempt that did not deliver: a short machine word for why ({@code timeout}, {@code http_503},
 * {@code url_refused}, ...) and whether another attempt can help. Which failures are worth retrying is
 * decided here, once, for every channel: timeouts, connection failures, 5xx, 408 and 429 are; any other
 * answer, a refused URL and a rejected payload are not.
 *
 * <p>The message is the reason word only: never a URL, a header, a body or a provider's answer, so the
 * exception can be logged as it is.
 */
public final class SendException extends Exception {

  public static final String TIMEOUT = "timeout";
  public static final String CONNECT_FAILED = "connect_failed";
  public static final String IO_ERROR = "io_error";
  public static final String URL_REFUSED = "url_refused";
  public static final String INTERRUPTED = "interrupted";

  private final String reason;
  private final boolean retryable;

  private SendException(String reason, boolean retryable, Throwable cause) {
    // an expected outcome, thrown often when a provider is down: no stack trace of its own
    super(reason, cause, false, false);
    this.reason = reason;
    this.retryable = retryable;
  }

  /** A failure another attempt may get past (the other side was slow, unreachable or overloaded). */
  public static SendException retryable(String reason) {
    return new SendException(reason, true, null);
  }

  public static SendException retryable(String reason, Throwable cause) {
    return new SendException(reason, true, cause);
  }

  /** A failure the same message will meet again however often it is sent. */
  public static SendException permanent(String reason) {
    return new SendException(reason, false, null);
  }

  public static SendException permanent(String reason, Throwable cause) {
    return new SendException(reason, false, cause);
  }

  /** The outcome of an HTTP answer outside 2xx: {@code http_<status>}. Redirects are not followed. */
  public static SendException forStatus(int status) {
    boolean retry = status == 408 || status == 429 || status >= 500;
    return new SendException("http_" + status, retry, null);
  }

  /** An HTTP call that failed below HTTP: a timeout or a connection that could not be made or broke. */
  public static SendException forIo(IOException e) {
    if (e instanceof HttpTimeoutException) { // also the connect timeout, a subclass
      return new SendException(TIMEOUT, true, e);
    }
    if (e instanceof ConnectException) {
      return new SendException(CONNECT_FAILED, true, e);
    }
    return new SendException(IO_ERROR, true, e);
  }

  /** A short lower-case word for the history and the log, e.g. {@code http_503}. */
  public String reason() {
    return reason;
  }

  /** Whether trying the same message again can help. */
  public boolean retryable() {
    return retryable;
  }
}
