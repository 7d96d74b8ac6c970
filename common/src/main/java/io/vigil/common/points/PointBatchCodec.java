package io.vigil.common.points;

import io.vigil.common.model.Checks;
import io.vigil.common.model.InvalidRecordException;
import io.vigil.common.model.MetricPoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The binary encoding of {@code metrics.raw} records (a {@link PointBatch}), version 1. One record
 * carries many points; every string (names, dimension keys and values) is written once in a
 * per-record dictionary and referred to by index, so a point costs its id, a few small integers, a
 * timestamp delta and its value. The layout, all integers big-endian, "varint" unsigned LEB128:
 *
 * <pre>
 * 'V' 'P' version(1)
 * varlong receivedAtMs
 * varint D, then D strings: varint length, UTF-8 bytes
 * varint namespace, varint region, varint shard          (dictionary indexes)
 * varlong graceMs, varint P, P x varint period seconds
 * varint N (points, 1..100000), varlong base timestampMs
 * N x ( i64 seriesId, varint metric, varint unit+1 (0: none), varint tenant+1 (0: none),
 *       varint K, K x (varint key, varint value) in key order,
 *       zigzag varlong timestampMs - base, f64 value )
 * </pre>
 *
 * Decoding checks every length and index against the record and builds each point through {@link
 * MetricPoint}'s own checks, so a malformed record is an {@link InvalidRecordException} naming what
 * is wrong (and is dead-lettered), never a crash or a silently wrong point. Golden bytes pin the
 * layout in {@code PointBatchCodecTest}.
 */
public final class PointBatchCodec {

  public static final String TYPE = "PointBatch";
  public static final int VERSION = 1;
  public static final int MAX_POINTS = 100_000;
  public static final int MAX_STRINGS = 1 << 20;
  public static final int MAX_STRING_BYTES = 65_535;
  public static final int MAX_DIMENSIONS = 64;
  private static final byte M1 = 'V';
  private static final byte M2 = 'P';

  private PointBatchCodec() {}

  public static byte[] encode(PointBatch batch) {
    Writer w = new Writer(batch.receivedAtMs(), batch.namespace(), batch.region(), batch.shard(), batch.periods(),
        batch.graceMs());
    for (MetricPoint p : batch.points()) {
      w.add(p.seriesId(), p.metric(), p.unit(), p.tenant(), p.dimensions(), p.timestampMs(), p.value());
    }
    return w.toBytes();
  }

  /**
   * Builds one record's bytes point by point without a {@link MetricPoint} per point: the
   * gateway's hot path. Not thread-safe; one per (request, partition).
   */
  public static final class Writer {
    private final Map<String, Integer> dictionary = new HashMap<>();
    private final List<String> strings = new ArrayList<>();
    private final Buffer points = new Buffer(256);
    private final long receivedAtMs;
    private final int namespace;
    private final int region;
    private final int shard;
    private final int[] periods;
    private final long graceMs;
    private int count;
    private long base;

    public Writer(long receivedAtMs, String namespace, String region, String shard, Set<Integer> periods,
        long graceMs) {
      this.receivedAtMs = receivedAtMs;
      this.namespace = intern(namespace);
      this.region = intern(region);
      this.shard = intern(shard);
      this.periods = new TreeSet<>(periods).stream().mapToInt(Integer::intValue).toArray();
      this.graceMs = graceMs;
    }

    /** Adds a point; {@code dimensions} may be any map (written in key order). */
    public void add(long seriesId, String metric, String unit, String tenant, Map<String, String> dimensions,
        long timestampMs, double value) {
      if (count == MAX_POINTS) {
        throw new IllegalStateException("a record holds at most " + MAX_POINTS + " points");
      }
      if (count == 0) {
        base = timestampMs;
      }
      points.putLong(seriesId);
      points.putVarint(intern(metric));
      points.putVarint(unit == null ? 0 : intern(unit) + 1);
      points.putVarint(tenant == null ? 0 : intern(tenant) + 1);
      Map<String, String> sorted = dimensions instanceof TreeMap<String, String> t ? t
          : new TreeMap<>(dimensions == null ? Map.of() : dimensions);
      points.putVarint(sorted.size());
      for (Map.Entry<String, String> e : sorted.entrySet()) {
        points.putVarint(intern(e.getKey()));
        points.putVarint(intern(e.getValue()));
      }
      points.putVarlong(zigzag(timestampMs - base));
      points.putLong(Double.doubleToRawLongBits(value));
      count++;
    }

    public int size() {
      return count;
    }

    private int intern(String s) {
      Integer i = dictionary.get(s);
      if (i == null) {
        i = strings.size();
        dictionary.put(s, i);
        strings.add(s);
      }
      return i;
    }

    public byte[] toBytes() {
      Buffer out = new Buffer(points.size + 64 + strings.size() * 12);
      out.put(M1);
      out.put(M2);
      out.put((byte) VERSION);
      out.putVarlong(receivedAtMs);
      out.putVarint(strings.size());
      for (String s : strings) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.putVarint(b.length);
        out.put(b, 0, b.length);
      }
      out.putVarint(namespace);
      out.putVarint(region);
      out.putVarint(shard);
      out.putVarlong(graceMs);
      out.putVarint(periods.length);
      for (int p : periods) {
        out.putVarint(p);
      }
      out.putVarint(count);
      out.putVarlong(base);
      out.put(points.bytes, 0, points.size);
      return out.toArray();
    }
  }

  /** Checks a record whole ({@link #check}) and builds its points as {@link MetricPoint}s. */
  public static PointBatch decode(byte[] bytes) {
    return check(bytes).toBatch();
  }

  /**
   * Checks a record whole, everything {@link #decode} and {@link MetricPoint} check (each dictionary
   * string once per use it is put to, not once per point), without building a point: the record is
   * then read point by point with {@link PointRecord#cursor()}. A malformed record is an {@link
   * InvalidRecordException} naming the field, {@code points[i].<field>} for a point's.
   */
  public static PointRecord check(byte[] bytes) {
    if (bytes == null) {
      throw new InvalidRecordException(TYPE, "value", "a metrics.raw record has a value");
    }
    Reader r = new Reader(bytes);
    if (bytes.length < 3 || bytes[0] != M1 || bytes[1] != M2) {
      throw new InvalidRecordException(TYPE, "magic", "not a point batch (expected 'VP')");
    }
    r.pos = 2;
    int version = r.u8("version");
    if (version != VERSION) {
      throw new InvalidRecordException(TYPE, "version", "version " + version + " is not readable (reads " + VERSION + ")");
    }
    long receivedAtMs = Checks.optionalEpochMs(TYPE, "receivedAtMs", r.varlong("receivedAtMs"));
    int d = r.varint("dictionary", MAX_STRINGS);
    String[] dict = new String[d];
    for (int i = 0; i < d; i++) {
      int len = r.varint("dictionary[" + i + "]", MAX_STRING_BYTES);
      dict[i] = r.string("dictionary[" + i + "]", len);
    }
    String namespace = Checks.text(TYPE, "namespace", r.ref("namespace", dict));
    String region = Checks.text(TYPE, "region", r.ref("region", dict));
    String shard = Checks.shard(TYPE, "shard", r.ref("shard", dict));
    long graceMs = Checks.grace(TYPE, "graceMs", r.varlong("graceMs"));
    int pc = r.varint("periods", 5);
    Set<Integer> periods = new TreeSet<>();
    for (int i = 0; i < pc; i++) {
      periods.add(r.varint("periods[" + i + "]", 86_400));
    }
    periods = Checks.periods(TYPE, "periods", periods);
    int n = r.varint("points", MAX_POINTS);
    if (n == 0) {
      throw new InvalidRecordException(TYPE, "points", "a batch has at least one point");
    }
    long base = r.varlong("timestampMs");
    int first = r.pos;
    byte[] checked = new byte[d]; // per dictionary string, the uses it passed (TEXT, SHORT, KEY)
    long latest = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) {
      try {
        r.i64("seriesId");
        int metric = r.index("metric", d);
        if ((checked[metric] & TEXT) == 0) {
          Checks.text(TYPE, "metric", dict[metric]);
          checked[metric] |= TEXT;
        }
        checkShort(r.index("unit", d + 1) - 1, "unit", dict, checked);
        checkShort(r.index("tenant", d + 1) - 1, "tenant", dict, checked);
        int k = r.varint("dimensions", MAX_DIMENSIONS);
        String previous = null;
        for (int j = 0; j < k; j++) {
          int key = r.index("dimensions", d);
          if (previous != null && previous.compareTo(dict[key]) >= 0) {
            throw new InvalidRecordException(TYPE, "dimensions", "keys out of order or repeated: " + dict[key]);
          }
          previous = dict[key];
          int value = r.varint("dimensions", Integer.MAX_VALUE);
          if (value >= d) {
            throw new InvalidRecordException(TYPE, "dimensions." + dict[key], "dictionary index " + value + " of " + d);
          }
          if ((checked[key] & KEY) == 0 || (checked[value] & SHORT) == 0) {
            Checks.dimension(TYPE, "dimensions", dict[key], dict[value]);
            checked[key] |= KEY;
            checked[value] |= SHORT;
          }
        }
        long ts = Checks.epochMs(TYPE, "timestampMs", base + unzigzag(r.varlong("timestampMs")));
        Checks.finite(TYPE, "value", Double.longBitsToDouble(r.i64("value")));
        latest = Math.max(latest, ts);
      } catch (InvalidRecordException e) {
        throw new InvalidRecordException(TYPE, "points[" + i + "]." + e.field(), e.reason());
      }
    }
    if (r.pos != bytes.length) {
      throw new InvalidRecordException(TYPE, "points", (bytes.length - r.pos) + " bytes after the last point");
    }
    return new PointRecord(bytes, dict, receivedAtMs, namespace, region, shard, periods, graceMs, n, base, first,
        latest);
  }

  private static final byte TEXT = 1;
  private static final byte SHORT = 2;
  private static final byte KEY = 4;

  /** An optional string (index -1: absent) of at most {@link Checks#MAX_TEXT} characters. */
  private static void checkShort(int index, String field, String[] dict, byte[] checked) {
    if (index >= 0 && (checked[index] & SHORT) == 0) {
      Checks.optionalText(TYPE, field, dict[index]);
      checked[index] |= SHORT;
    }
  }

  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  /** A growable byte buffer. */
  static final class Buffer {
    byte[] bytes;
    int size;

    Buffer(int capacity) {
      bytes = new byte[Math.max(16, capacity)];
    }

    void ensure(int more) {
      if (size + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
      }
    }

    void put(byte b) {
      ensure(1);
      bytes[size++] = b;
    }

    void put(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, bytes, size, len);
      size += len;
    }

    void putLong(long v) {
      ensure(8);
      for (int i = 7; i >= 0; i--) {
        bytes[size++] = (byte) (v >>> (i * 8));
      }
    }

    void putVarint(int v) {
      putVarlong(v & 0xFFFF_FFFFL);
    }

    void putVarlong(long v) {
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        bytes[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      bytes[size++] = (byte) v;
    }

    byte[] toArray() {
      return Arrays.copyOf(bytes, size);
    }
  }

  /** A bounds-checked reader: every read past the end or past a limit names the field. */
  static final class Reader {
    final byte[] b;
    int pos;

    Reader(byte[] b) {
      this.b = b;
    }

    private InvalidRecordException truncated(String field) {
      return new InvalidRecordException(TYPE, field, "the record ends before " + field);
    }

    int u8(String field) {
      if (pos >= b.length) {
        throw truncated(field);
      }
      return b[pos++] & 0xFF;
    }

    long varlong(String field) {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int x = u8(field);
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
      throw new InvalidRecordException(TYPE, field, "a varint longer than 10 bytes");
    }

    int varint(String field, int max) {
      long v = varlong(field);
      if (v < 0 || v > max) {
        throw new InvalidRecordException(TYPE, field, v + " is over the limit " + max);
      }
      return (int) v;
    }

    long i64(String field) {
      if (pos + 8 > b.length) {
        throw truncated(field);
      }
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (b[pos++] & 0xFF);
      }
      return v;
    }

    String string(String field, int len) {
      if (pos + len > b.length) {
        throw truncated(field);
      }
      String s = new String(b, pos, len, StandardCharsets.UTF_8);
      pos += len;
      return s;
    }

    String ref(String field, String[] dict) {
      int i = varint(field, Integer.MAX_VALUE);
      if (i >= dict.length) {
        throw new InvalidRecordException(TYPE, field, "dictionary index " + i + " of " + dict.length);
      }
      return dict[i];
    }

    /** A dictionary index below {@code size}. */
    int index(String field, int size) {
      long i = varlong(field);
      if (i < 0 || i >= size) {
        throw new InvalidRecordException(TYPE, field, "dictionary index " + i + " of " + size);
      }
      return (int) i;
    }

  }
}
