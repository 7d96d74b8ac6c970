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
    int n = s.length();
    int start = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
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
