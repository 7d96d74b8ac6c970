package io.vigil.common.series;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The one definition of a series' identity, shared by every service.
 *
 * <p>Canonical form: namespace, region, metric, then each dimension key and value, dimensions
 * sorted by the key's UTF-8 bytes (unsigned, i.e. code-point order); every component written as a
 * 4-byte big-endian length followed by its UTF-8 bytes, so no choice of characters can make two
 * different series share a form. The id is XXH64 of that form with {@link #SEED}. Golden values in
 * {@code common/src/test/resources/series-golden.json} pin it: a change that alters ids fails the
 * build.
 */
public final class SeriesId {

  /** The XXH64 seed: the ASCII bytes "vigil" followed by the form version 1. */
  public static final long SEED = 0x76_69_67_69_6C_00_00_01L;

  private SeriesId() {}

  public static long of(String namespace, String region, String metric, Map<String, String> dimensions) {
    byte[] form = canonicalForm(namespace, region, metric, dimensions);
    return XxHash64.hash(form, 0, form.length, SEED);
  }

  /** The canonical byte form the id is hashed from; exposed for tests and for other-language SDKs. */
  public static byte[] canonicalForm(String namespace, String region, String metric, Map<String, String> dimensions) {
    byte[][] parts = new byte[3 + 2 * dimensions.size()][];
    parts[0] = utf8(namespace, "namespace");
    parts[1] = utf8(region, "region");
    parts[2] = utf8(metric, "metric");
    byte[][] keys = new byte[dimensions.size()][];
    byte[][] values = new byte[dimensions.size()][];
    Integer[] order = new Integer[dimensions.size()];
    int i = 0;
    for (Map.Entry<String, String> e : dimensions.entrySet()) {
      keys[i] = utf8(e.getKey(), "dimension key");
      values[i] = utf8(e.getValue(), "dimension value");
      order[i] = i;
      i++;
    }
    Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(keys[a], keys[b]));
    for (int j = 0; j < order.length; j++) {
      parts[3 + 2 * j] = keys[order[j]];
      parts[4 + 2 * j] = values[order[j]];
    }
    int size = 0;
    for (byte[] part : parts) {
      size += 4 + part.length;
    }
    byte[] out = new byte[size];
    int p = 0;
    for (byte[] part : parts) {
      int n = part.length;
      out[p] = (byte) (n >>> 24);
      out[p + 1] = (byte) (n >>> 16);
      out[p + 2] = (byte) (n >>> 8);
      out[p + 3] = (byte) n;
      System.arraycopy(part, 0, out, p + 4, n);
      p += 4 + n;
    }
    return out;
  }

  /**
   * The XXH64 seed of an object id: the series seed with its last byte set apart, so no object id is
   * the series id of the same form.
   */
  public static final long OBJECT_SEED = 0x76_69_67_69_6C_00_01_01L;

  /**
   * The id of the object a series measures: its namespace, region and dimensions without its metric,
   * so every metric of one instance has the same object id. It is what the metric pipeline places
   * records by (the gateway's {@code metrics.raw} partition, the aggregator's rollup partition), so a
   * detector sees every metric of an object on one partition and can judge conditions on several
   * metrics together. The form is the canonical form with an empty metric; the seed is {@link
   * #OBJECT_SEED}.
   */
  public static long objectOf(String namespace, String region, Map<String, String> dimensions) {
    byte[] form = canonicalForm(namespace, region, "", dimensions);
    return XxHash64.hash(form, 0, form.length, OBJECT_SEED);
  }

  /** A series id and its object id, from one canonical form (the dimensions sorted and encoded once). */
  public record Ids(long seriesId, long objectId) {}

  public static Ids ofWithObject(String namespace, String region, String metric, Map<String, String> dimensions) {
    byte[] form = canonicalForm(namespace, region, metric, dimensions);
    long series = XxHash64.hash(form, 0, form.length, SEED);
    // the object form is the same bytes with the metric's component emptied: its length becomes 0
    int metricAt = 4 + lengthAt(form, 0);
    metricAt += 4 + lengthAt(form, metricAt);
    int metricLength = lengthAt(form, metricAt);
    byte[] object = new byte[form.length - metricLength];
    System.arraycopy(form, 0, object, 0, metricAt);
    // object[metricAt .. metricAt + 4) stays 0: the empty metric's length
    System.arraycopy(form, metricAt + 4 + metricLength, object, metricAt + 4, form.length - metricAt - 4 - metricLength);
    return new Ids(series, XxHash64.hash(object, 0, object.length, OBJECT_SEED));
  }

  private static int lengthAt(byte[] form, int at) {
    return ((form[at] & 0xff) << 24) | ((form[at + 1] & 0xff) << 16) | ((form[at + 2] & 0xff) << 8) | (form[at + 3] & 0xff);
  }

  /**
   * The id as people and URLs see it, and the record key of {@code metrics.raw} and {@code
   * metrics.rollup.*}: 16 lower-case hex digits. (In message bodies the id is a JSON number.)
   */
  public static String key(long seriesId) {
    return hex(seriesId);
  }

  /** 16 lower-case hex digits, zero-padded. */
  public static String hex(long seriesId) {
    String s = Long.toHexString(seriesId);
    return "0".repeat(16 - s.length()) + s;
  }

  private static byte[] utf8(String s, String what) {
    if (s == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
