package io.vigil.common.tracing;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A W3C trace context {@code traceparent} value ({@code 00-<trace-id>-<parent-id>-<flags>}). It
 * travels from the HTTP request through every topic, so one trace id follows a point from the
 * gateway to the page.
 */
public record Traceparent(String traceId, String spanId, String flags) {

  public static final String HEADER = "traceparent";
  private static final Pattern FORM = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
  private static final String ZERO_TRACE = "0".repeat(32);
  private static final String ZERO_SPAN = "0".repeat(16);

  /** Parses a header value; returns null for anything malformed, as the W3C spec asks. */
  public static Traceparent parse(String value) {
    if (value == null) {
      return null;
    }
    var m = FORM.matcher(value.trim());
    if (!m.matches() || m.group(1).equals(ZERO_TRACE) || m.group(2).equals(ZERO_SPAN)) {
      return null;
    }
    return new Traceparent(m.group(1), m.group(2), m.group(3));
  }

  public static Traceparent newRoot() {
    return new Traceparent(randomHex(32), randomHex(16), "01");
  }

  /** The same trace with a new span: what this process passes on. */
  public Traceparent child() {
    return new Traceparent(traceId, randomHex(16), flags);
  }

  public String value() {
    return "00-" + traceId + "-" + spanId + "-" + flags;
  }

  private static String randomHex(int digits) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    StringBuilder sb = new StringBuilder(digits);
    while (sb.length() < digits) {
      String s = Long.toHexString(r.nextLong() | Long.MIN_VALUE);
      sb.append(s, 0, Math.min(16, digits - sb.length()));
    }
    return sb.toString();
  }
}
