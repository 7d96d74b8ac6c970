package io.vigil.console.system;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Reading the peers' JSON answers (maps and lists) without a class per answer. */
public final class Maps {

  /**
   * Reads a peer's answer into common's records (a silence, a schedule): fields the record does not
   * name (ids, versions, later additions) are passed over.
   */
  public static final tools.jackson.databind.json.JsonMapper LENIENT = tools.jackson.databind.json.JsonMapper.builder()
      .disable(tools.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private Maps() {}

  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  public static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }

  /** {@code a, b,c} as {@code [a, b, c]}; blanks left out. */
  public static List<String> split(String s) {
    return s == null ? List.of() : Arrays.stream(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
  }

  public static long num(Object o) {
    return o instanceof Number n ? n.longValue() : 0;
  }
}
