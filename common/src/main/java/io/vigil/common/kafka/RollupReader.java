package io.vigil.common.kafka;

import io.vigil.common.model.Rollup;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a {@link Rollup}, the one JSON message every detector, storage and notifier reads millions
 * of times, straight off the parser's tokens instead of through data binding (a third of the
 * detector's decoding went to binding). It takes only what data binding would take the same way:
 * the fields in any order, unknown ones skipped, integers where integers belong, numbers where
 * numbers do, text where text does, optional fields null or absent. On anything else (a missing or
 * null required field, a float for an integer, text for a number, a duplicate or trailing token, a
 * value the record refuses) it answers null and {@link MessageCodec} reads the record with data
 * binding, which refuses it with the usual named field. {@code MessageCodecStrictTest} checks both
 * read every message alike.
 */
final class RollupReader {

  private RollupReader() {}

  private static final int SCHEMA_VERSION = 1;
  private static final int SERIES_ID = 1 << 1;
  private static final int NAMESPACE = 1 << 2;
  private static final int REGION = 1 << 3;
  private static final int METRIC = 1 << 4;
  private static final int PERIOD = 1 << 5;
  private static final int WINDOW = 1 << 6;
  private static final int SUM = 1 << 7;
  private static final int COUNT = 1 << 8;
  private static final int MIN = 1 << 9;
  private static final int MAX = 1 << 10;
  private static final int LAST = 1 << 11;
  private static final int REQUIRED = (1 << 12) - 1;
  private static final int DIMENSIONS = 1 << 12;
  private static final int SHARD = 1 << 13;
  private static final int EMITTED = 1 << 14;
  private static final int TENANT = 1 << 15;

  /**
   * The parser this reads with: the codec's settings less Jackson's duplicate detection, which cost a
   * fifth of the reading (a name set per object) and which the reader does itself: a bit per known
   * field, the dimensions' map, and a set of the unknown names only when a record has some.
   */
  static ObjectReader tokens(JsonMapper mapper) {
    return mapper.reader().without(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
  }

  /** As {@link #read(ObjectReader, byte[])} with a reader made for the call (tests). */
  static Rollup read(JsonMapper mapper, byte[] json) {
    return read(tokens(mapper), json);
  }

  /** The rollup, or null when data binding must read (and most likely refuse) it. */
  static Rollup read(ObjectReader reader, byte[] json) {
    try (JsonParser p = reader.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      int seen = 0;
      int schemaVersion = 0;
      long seriesId = 0;
      String namespace = null;
      String region = null;
      String metric = null;
      Map<String, String> dimensions = null;
      String shard = null;
      int periodSeconds = 0;
      long windowStartMs = 0;
      double sum = 0;
      long count = 0;
      double min = 0;
      double max = 0;
      double last = 0;
      long emittedAtMs = 0;
      String tenant = null;
      java.util.Set<String> unknown = null;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        int bit;
        switch (name) {
          case "schemaVersion" -> {
            bit = SCHEMA_VERSION;
            schemaVersion = anInt(p, v);
          }
          case "seriesId" -> {
            bit = SERIES_ID;
            seriesId = aLong(p, v);
          }
          case "namespace" -> {
            bit = NAMESPACE;
            namespace = requiredText(p, v);
          }
          case "region" -> {
            bit = REGION;
            region = requiredText(p, v);
          }
          case "metric" -> {
            bit = METRIC;
            metric = requiredText(p, v);
          }
          case "dimensions" -> {
            bit = DIMENSIONS;
            dimensions = v == JsonToken.VALUE_NULL ? null : map(p, v);
          }
          case "shard" -> {
            bit = SHARD;
            shard = optionalText(p, v);
          }
          case "periodSeconds" -> {
            bit = PERIOD;
            periodSeconds = anInt(p, v);
          }
          case "windowStartMs" -> {
            bit = WINDOW;
            windowStartMs = aLong(p, v);
          }
          case "sum" -> {
            bit = SUM;
            sum = aDouble(p, v);
          }
          case "count" -> {
            bit = COUNT;
            count = aLong(p, v);
          }
          case "min" -> {
            bit = MIN;
            min = aDouble(p, v);
          }
          case "max" -> {
            bit = MAX;
            max = aDouble(p, v);
          }
          case "last" -> {
            bit = LAST;
            last = aDouble(p, v);
          }
          case "emittedAtMs" -> {
            bit = EMITTED;
            emittedAtMs = v == JsonToken.VALUE_NULL ? 0 : aLong(p, v);
          }
          case "tenant" -> {
            bit = TENANT;
            tenant = optionalText(p, v);
          }
          default -> {
            // a field a newer producer added: skipped, once; a structure is left to data binding,
            // which also refuses a duplicate inside it
            bit = 0;
            if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
              return null;
            }
            if (unknown == null) {
              unknown = new java.util.HashSet<>();
            }
            if (!unknown.add(name)) {
              return null;
            }
          }
        }
        if ((seen & bit) != 0) {
          return null; // a duplicate: data binding refuses it
        }
        seen |= bit;
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null || (seen & REQUIRED) != REQUIRED) {
        return null;
      }
      return new Rollup(schemaVersion, seriesId, namespace, region, metric, dimensions, shard, periodSeconds,
          windowStartMs, sum, count, min, max, last, emittedAtMs, tenant);
    } catch (RuntimeException e) {
      return null; // not ours to word: data binding reads it again and names what is wrong
    }
  }

  /** Thrown for any token data binding would not take the same way; never leaves this class. */
  private static final class NotPlain extends RuntimeException {
    NotPlain() {
      super(null, null, false, false);
    }
  }

  private static final NotPlain NOT_PLAIN = new NotPlain();

  private static int anInt(JsonParser p, JsonToken v) {
    if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
      throw NOT_PLAIN;
    }
    return p.getIntValue();
  }

  private static long aLong(JsonParser p, JsonToken v) {
    if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw NOT_PLAIN;
    }
    return p.getLongValue();
  }

  private static double aDouble(JsonParser p, JsonToken v) {
    if (v != JsonToken.VALUE_NUMBER_FLOAT && v != JsonToken.VALUE_NUMBER_INT) {
      throw NOT_PLAIN;
    }
    return p.getDoubleValue();
  }

  private static String requiredText(JsonParser p, JsonToken v) {
    if (v != JsonToken.VALUE_STRING) {
      throw NOT_PLAIN;
    }
    return p.getString();
  }

  private static String optionalText(JsonParser p, JsonToken v) {
    if (v == JsonToken.VALUE_NULL) {
      return null;
    }
    return requiredText(p, v);
  }

  private static Map<String, String> map(JsonParser p, JsonToken v) {
    if (v != JsonToken.START_OBJECT) {
      throw NOT_PLAIN;
    }
    Map<String, String> out = new LinkedHashMap<>();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
      String key = p.currentName();
      if (p.nextToken() != JsonToken.VALUE_STRING || out.put(key, p.getString()) != null) {
        throw NOT_PLAIN;
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw NOT_PLAIN;
    }
    return out;
  }
}
