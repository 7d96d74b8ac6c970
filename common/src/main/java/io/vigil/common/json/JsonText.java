package io.vigil.common.json;

/**
 * Text as a JSON string's content, for the places that write JSON by hand (templates rendering into
 * a JSON body, the log line): quotes, backslashes and control characters escaped, everything else as
 * it is. One definition, so every hand-written JSON escapes alike.
 */
public final class JsonText {

  private JsonText() {}

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Appends {@code s} escaped, without the surrounding quotes. */
  public static StringBuilder escape(StringBuilder b, CharSequence s) {
    return escape(b, s, false);
  }

  /**
   * As {@link #escape(StringBuilder, CharSequence)}; with {@code allControls} DEL and the C1 controls
   * (0x7f-0x9f) are escaped too, for text read on a terminal (a raw 0x9b starts a control sequence).
   */
  public static StringBuilder escape(StringBuilder b, CharSequence s, boolean allControls) {
    int n = s.length();
    int start = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\' && !(allControls && c >= 0x7f && c <= 0x9f)) {
        continue;
      }
      b.append(s, start, i);
      start = i + 1;
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> b.append("\\u00").append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
      }
    }
    return b.append(s, start, n);
  }
}
