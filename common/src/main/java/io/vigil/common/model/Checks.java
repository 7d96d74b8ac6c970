package io.vigil.common.model;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Field checks used by the message records' constructors; each failure names its field. */
public final class Checks {

  /** Longest string a dimension key, value or name may have; longer ones are a client bug. */
  public static final int MAX_TEXT = 1024;

  /**
   * A detection shard's name: it becomes part of a topic name ({@code metrics.rollup.<shard>}), so
   * lower-case letters, digits and '-', at most 63, starting with a letter or digit. No '.', so a
   * shard's dead-letter or other suffixed topic can never look like a shard of its own.
   */
  public static final java.util.regex.Pattern SHARD = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  public static final String DEFAULT_SHARD = "default";

  private Checks() {}

  /** A message's shard: absent or blank means {@link #DEFAULT_SHARD}; otherwise it must be a valid name. */
  public static String shard(String type, String field, String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_SHARD;
    }
    if (!SHARD.matcher(value).matches()) {
      throw new InvalidRecordException(type, field,
          "not a shard name (lower-case letters, digits and '-', at most 63, no '.')");
    }
    return value;
  }

  public static String text(String type, String field, String value) {
    if (value == null) {
      throw new InvalidRecordException(type, field, "required");
    }
    if (value.isBlank()) {
      throw new InvalidRecordException(type, field, "must not be blank");
    }
    if (value.length() > MAX_TEXT) {
      throw new InvalidRecordException(type, field, "longer than " + MAX_TEXT + " characters");
    }
    return value;
  }

  public static String optionalText(String type, String field, String value) {
    if (value != null && value.length() > MAX_TEXT) {
      throw new InvalidRecordException(type, field, "longer than " + MAX_TEXT + " characters");
    }
    return value;
  }

  public static <T> T present(String type, String field, T value) {
    if (value == null) {
      throw new InvalidRecordException(type, field, "required");
    }
    return value;
  }

  public static long epochMs(String type, String field, long value) {
    if (value <= 0) {
      throw new InvalidRecordException(type, field, "must be epoch milliseconds > 0");
    }
    return value;
  }

  public static long nonNegative(String type, String field, long value) {
    if (value < 0) {
      throw new InvalidRecordException(type, field, "must be >= 0");
    }
    return value;
  }

  public static double finite(String type, String field, double value) {
    if (!Double.isFinite(value)) {
      throw new InvalidRecordException(type, field, "must be a finite number");
    }
    return value;
  }

  public static Double optionalFinite(String type, String field, Double value) {
    if (value != null && !Double.isFinite(value)) {
      throw new InvalidRecordException(type, field, "must be a finite number");
    }
    return value;
  }

  /** Copies a dimension map, rejecting blank keys and null values; absent means empty. */
  public static Map<String, String> checkMap(String type, String field, Map<String, String> dims) {
    if (dims == null) {
      return Map.of();
    }
    for (Map.Entry<String, String> e : dims.entrySet()) {
      if (e.getKey() == null || e.getKey().isBlank()) {
        throw new InvalidRecordException(type, field, "has a blank key");
      }
      if (e.getValue() == null) {
        throw new InvalidRecordException(type, field + "." + e.getKey(), "required");
      }
      if (e.getKey().length() > MAX_TEXT || e.getValue().length() > MAX_TEXT) {
        throw new InvalidRecordException(type, field + "." + e.getKey(), "longer than " + MAX_TEXT + " characters");
      }
    }
    return Map.copyOf(dims);
  }

  /** Checks the schema version is one this build reads: the current one or the one before. */
  public static int checkVersion(String type, int value, int current) {
    if (value != current && value != current - 1 || value < 1) {
      throw new InvalidRecordException(type, "schemaVersion",
          "unsupported version " + value + " (this build reads " + List.of(current - 1, current).stream()
              .filter(v -> v >= 1).toList() + ")");
    }
    return value;
  }

  public static <T> Set<T> copy(Set<T> values) {
    return values == null ? Set.of() : Set.copyOf(values);
  }
}
