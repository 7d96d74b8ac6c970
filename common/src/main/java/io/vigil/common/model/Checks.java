package io.vigil.common.model;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Field checks used by the message records' constructors; each failure names its field. */
public final class Checks {

  /** A lower-case word with '_', as {@link #optionalWord} checks it (compiled once: it runs per record). */
  private static final java.util.regex.Pattern WORD = java.util.regex.Pattern.compile("[a-z][a-z0-9_]{0,63}");

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

  /*
   * The last shard name and period set found valid, by identity: a decoded batch hands the same
   * instances to each of its points, so each is checked once a batch rather than once a point. Only
   * an instance that passed is kept, and both are immutable (strings; Set.copyOf), so a racing
   * reader sees either a valid instance or another one and checks it.
   */
  private static volatile String lastShard;
  private static volatile java.util.Set<Integer> lastPeriods;

  /** A message's shard: absent or blank means {@link #DEFAULT_SHARD}; otherwise it must be a valid name. */
  public static String shard(String type, String field, String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT_SHARD;
    }
    if (value == lastShard) {
      return value; // the same instance as the last valid one: every point of a decoded batch shares it
    }
    if (!SHARD.matcher(value).matches()) {
      throw new InvalidRecordException(type, field,
          "not a shard name (lower-case letters, digits and '-', at most 63, no '.')");
    }
    lastShard = value;
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

  /** 2000-01-01T00:00:00Z: anything earlier is not a Vigil time (seconds, or a zero). */
  public static final long EARLIEST_MS = 946_684_800_000L;
  /** 2100-01-01T00:00:00Z: anything later is microseconds or nanoseconds, not milliseconds. */
  public static final long LATEST_MS = 4_102_444_800_000L;

  /**
   * Epoch milliseconds, checked for plausibility in this one place: a value in seconds (about
   * 1.7e9) or microseconds (about 1.7e15) is refused, naming the field, instead of becoming a point
   * in 1970 or in the year 55000.
   */
  public static long epochMs(String type, String field, long value) {
    if (value < EARLIEST_MS || value >= LATEST_MS) {
      throw new InvalidRecordException(type, field, "must be epoch milliseconds between 2000 and 2100"
          + (value > 0 && value < EARLIEST_MS / 100 ? " (this looks like seconds)" : "")
          + (value >= LATEST_MS ? " (this looks like micro- or nanoseconds)" : ""));
    }
    return value;
  }

  /** An optional time: 0 (absent) or plausible epoch milliseconds. */
  public static long optionalEpochMs(String type, String field, long value) {
    return value == 0 ? 0 : epochMs(type, field, value);
  }

  /**
   * Periods a namespace asks for: each a positive number of whole minutes that divides a day (60,
   * 300, 900, 3600, 86400 by default), so every window aligns to the epoch and to the day.
   */
  public static java.util.Set<Integer> periods(String type, String field, java.util.Set<Integer> values) {
    if (values == null) {
      return java.util.Set.of();
    }
    if (values == lastPeriods) {
      return values;
    }
    for (Integer p : values) {
      if (p == null || p <= 0 || p % 60 != 0 || 86_400 % p != 0) {
        throw new InvalidRecordException(type, field, "periods are whole minutes that divide a day (60 ... 86400 s): " + p);
      }
    }
    java.util.Set<Integer> copy = java.util.Set.copyOf(values);
    lastPeriods = copy;
    return copy;
  }

  /** A short machine-readable word such as {@code policy_deleted}: lower-case letters, digits and '_'. */
  public static String optionalWord(String type, String field, String value) {
    if (value != null && !WORD.matcher(value).matches()) {
      throw new InvalidRecordException(type, field, "a lower-case word with '_' (at most 64)");
    }
    return value;
  }

  /** A namespace's grace: 0 (the default applies) up to one day. */
  public static long grace(String type, String field, long graceMs) {
    if (graceMs < 0 || graceMs > 86_400_000L) {
      throw new InvalidRecordException(type, field, "must be between 0 and one day");
    }
    return graceMs;
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
      dimension(type, field, e.getKey(), e.getValue());
    }
    return Map.copyOf(dims);
  }

  /** One entry of a dimension map ({@code field} names the map): a key that is not blank, a value, both short. */
  public static void dimension(String type, String field, String key, String value) {
    if (key == null || key.isBlank()) {
      throw new InvalidRecordException(type, field, "has a blank key");
    }
    if (value == null) {
      throw new InvalidRecordException(type, field + "." + key, "required");
    }
    if (key.length() > MAX_TEXT || value.length() > MAX_TEXT) {
      throw new InvalidRecordException(type, field + "." + key, "longer than " + MAX_TEXT + " characters");
    }
  }

  /** Checks the schema version is one this build reads: the current one or the one before. */
  /**
   * A record is built at its current version only: the previous version is read by {@code
   * MessageCodec} through the type's upcast step ({@link Upcasts}), which turns it into the current
   * shape first. Anything else is refused naming {@code schemaVersion}.
   */
  public static int checkVersion(String type, int value, int current) {
    if (value != current) {
      throw new InvalidRecordException(type, "schemaVersion", "unsupported version " + value + " (this build reads "
          + current + (current > 1 ? ", and " + (current - 1) + " where the type has an upcast step" : "") + ")");
    }
    return value;
  }

  public static <T> Set<T> copy(Set<T> values) {
    return values == null ? Set.of() : Set.copyOf(values);
  }
}
