package io.vigil.common.kafka;

import io.vigil.common.model.InvalidRecordException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON encoding of Vigil's messages. Tolerant of unknown fields (a newer producer may add some),
 * strict on missing required ones: every failure to read becomes an {@link InvalidRecordException}
 * naming the field, never a silent 0 or null.
 */
public final class MessageCodec {

  private static final Pattern MISSING_PROPERTY = Pattern.compile("property '([^']+)'");

  private final JsonMapper mapper;

  public MessageCodec() {
    this(defaultMapper());
  }

  public MessageCodec(JsonMapper mapper) {
    this.mapper = mapper;
  }

  public static JsonMapper defaultMapper() {
    return JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        // optional primitives may be absent (default 0); required ones are guarded by @Required
        .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }

  public JsonMapper mapper() {
    return mapper;
  }

  public byte[] encode(Object message) {
    try {
      return mapper.writeValueAsBytes(message);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  /** Reads one message; throws {@link InvalidRecordException} naming the field at fault. */
  public <T> T decode(byte[] json, Class<T> type) {
    if (json == null || json.length == 0) {
      throw new InvalidRecordException(type.getSimpleName(), "$", "empty record");
    }
    try {
      T value = mapper.readValue(json, type);
      if (value == null) {
        throw new InvalidRecordException(type.getSimpleName(), "$", "null record");
      }
      return value;
    } catch (JacksonException e) {
      throw toInvalid(type.getSimpleName(), e);
    }
  }

  static InvalidRecordException toInvalid(String typeName, JacksonException e) {
    InvalidRecordException invalid = InvalidRecordException.in(e);
    if (invalid != null) {
      return invalid;
    }
    String field = fieldOf(e);
    String reason = e.getOriginalMessage();
    if (reason == null) {
      reason = e.getClass().getSimpleName();
    }
    // keep the reason short and free of payload: first line only
    int nl = reason.indexOf('\n');
    if (nl > 0) {
      reason = reason.substring(0, nl);
    }
    if (reason.startsWith("Missing required creator property")) {
      reason = "required";
    } else if (reason.startsWith("Cannot map `null`") || reason.startsWith("Invalid `null`")) {
      reason = "must not be null";
    }
    return new InvalidRecordException(typeName, field, reason, e);
  }

  /**
   * The JSON path of the value a Jackson error is about ({@code dimensions.appid}, {@code
   * points[3].value}); null when the error has no path.
   */
  public static String jsonPath(JacksonException e) {
    StringBuilder sb = new StringBuilder();
    for (JacksonException.Reference ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.isEmpty() ? null : sb.toString();
  }

  private static String fieldOf(JacksonException e) {
    String path = jsonPath(e);
    if (path != null) {
      return path;
    }
    if (e instanceof DatabindException) {
      Matcher m = MISSING_PROPERTY.matcher(String.valueOf(e.getOriginalMessage()));
      if (m.find()) {
        return m.group(1);
      }
    }
    return "$";
  }
}
