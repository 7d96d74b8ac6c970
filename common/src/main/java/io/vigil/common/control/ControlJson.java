package io.vigil.common.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * How control objects are written to and read from the {@code body} column. Absent values are left
 * out; unknown fields are ignored when reading, so a reader one release behind still loads an object
 * a newer writer stored with an added field.
 */
public final class ControlJson {

  public static final JsonMapper MAPPER = JsonMapper.builder()
      .changeDefaultPropertyInclusion(i -> i.withValueInclusion(JsonInclude.Include.NON_NULL))
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private ControlJson() {}

  public static String write(Object body) {
    return MAPPER.writeValueAsString(body);
  }

  public static <T> T read(String json, Class<T> type) {
    return MAPPER.readValue(json, type);
  }
}
