package io.vigil.common.kafka;

import io.vigil.common.model.InvalidRecordException;
import io.vigil.common.model.Upcasts;
import java.util.function.UnaryOperator;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.type.LogicalType;
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
  /** The parser settings {@link RollupReader} reads with. */
  private final tools.jackson.databind.ObjectReader rollupTokens;
  private final Upcasts upcasts;
  private static final ClassValue<Integer> CURRENT_VERSION = new ClassValue<>() {
    @Override
    protected Integer computeValue(Class<?> type) {
      try {
        return type.getField("SCHEMA_VERSION").getInt(null);
      } catch (ReflectiveOperationException e) {
        return -1; // not a versioned message: no upcast
      }
    }
  };

  public MessageCodec() {
    this(defaultMapper(), Upcasts.CONTRACT);
  }

  public MessageCodec(JsonMapper mapper) {
    this(mapper, Upcasts.CONTRACT);
  }

  public MessageCodec(JsonMapper mapper, Upcasts upcasts) {
    this.mapper = mapper;
    this.rollupTokens = RollupReader.tokens(mapper);
    this.upcasts = upcasts;
  }

  /**
   * Tolerant of unknown fields, strict on everything else: no float read as an integer, no text
   * read as a number or boolean, no number read as a boolean, no trailing tokens after the message,
   * no duplicate keys (which one would win is a guess).
   */
  public static JsonMapper defaultMapper() {
    return JsonMapper.builder()
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        // optional primitives may be absent (default 0); required ones are guarded by @Required
        .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .withCoercionConfig(LogicalType.Integer, c -> {
          c.setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
          c.setCoercion(CoercionInputShape.String, CoercionAction.Fail);
          c.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        })
        .withCoercionConfig(LogicalType.Float, c -> {
          c.setCoercion(CoercionInputShape.String, CoercionAction.Fail);
          c.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        })
        .withCoercionConfig(LogicalType.Boolean, c -> {
          c.setCoercion(CoercionInputShape.String, CoercionAction.Fail);
          c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        })
        .withCoercionConfig(LogicalType.Textual, c -> {
          c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
          c.setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
          c.setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        })
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
    if (type == io.vigil.common.model.Rollup.class) {
      io.vigil.common.model.Rollup fast = RollupReader.read(rollupTokens, json);
      if (fast != null) {
        return type.cast(fast);
      }
    }
    T value;
    try {
      value = mapper.readValue(json, type);
    } catch (JacksonException e) {
      InvalidRecordException invalid = toInvalid(type.getSimpleName(), e);
      if (upcasts.fromPrevious(type) == null) {
        throw invalid; // the common case: no type has a previous version to read
      }
      value = upcast(json, type, invalid);
    }
    if (value == null) {
      throw new InvalidRecordException(type.getSimpleName(), "$", "null record");
    }
    return value;
  }

  /**
   * The slow path, taken only for a message the current record refused and whose type has an upcast
   * step: read the tree, and if it is the previous version, turn it into the current shape and bind
   * that (tree, upcast, bind). Otherwise the original refusal stands.
   */
  private <T> T upcast(byte[] json, Class<T> type, InvalidRecordException refusal) {
    int current = CURRENT_VERSION.get(type);
    UnaryOperator<ObjectNode> step = upcasts.fromPrevious(type);
    if (current < 2 || step == null) {
      throw refusal;
    }
    try {
      JsonNode tree = mapper.readTree(json);
      if (!(tree instanceof ObjectNode object) || !tree.path("schemaVersion").isIntegralNumber()) {
        throw refusal;
      }
      int version = tree.path("schemaVersion").asInt();
      if (version != current - 1) {
        throw version == current ? refusal : new InvalidRecordException(type.getSimpleName(), "schemaVersion",
            "unsupported version " + version + " (this build reads " + current + " and " + (current - 1) + ")");
      }
      ObjectNode upcast = step.apply(object.deepCopy());
      upcast.put("schemaVersion", current);
      return mapper.treeToValue(upcast, type);
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
