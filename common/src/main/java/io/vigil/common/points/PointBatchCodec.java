package io.vigil.common.points;

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

  public static PointBatch decode(byte[] bytes) {
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
    long receivedAtMs = r.varlong("receivedAtMs");
    int d = r.varint("dictionary", MAX_STRINGS);
    String[] dict = new String[d];
    for (int i = 0; i < d; i++) {
      int len = r.varint("dictionary[" + i + "]", MAX_STRING_BYTES);
      dict[i] = r.string("dictionary[" + i + "]", len);
    }
    String namespace = r.ref("namespace", dict);
    String region = r.ref("region", dict);
    String shard = r.ref("shard", dict);
    long graceMs = r.varlong("graceMs");
    int pc = r.varint("periods", 5);
    Set<Integer> periods = new TreeSet<>();
    for (int i = 0; i < pc; i++) {
      periods.add(r.varint("periods[" + i + "]", 86_400));
    }
    int n = r.varint("points", MAX_POINTS);
    if (n == 0) {
      throw new InvalidRecordException(TYPE, "points", "a batch has at least one point");
    }
    long base = r.varlong("timestampMs");
    List<MetricPoint> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String at = "points[" + i + "]";
      long seriesId = r.i64(at + ".seriesId");
      String metric = r.ref(at + ".metric", dict);
      String unit = r.optionalRef(at + ".unit", dict);
      String tenant = r.optionalRef(at + ".tenant", dict);
      int k = r.varint(at + ".dimensions", MAX_DIMENSIONS);
      Map<String, String> dims = new TreeMap<>();
      String previous = null;
      for (int j = 0; j < k; j++) {
        String key = r.ref(at + ".dimensions", dict);
        if (previous != null && previous.compareTo(key) >= 0) {
          throw new InvalidRecordException(TYPE, at + ".dimensions", "keys out of order or repeated: " + key);
        }
        previous = key;
        dims.put(key, r.ref(at + ".dimensions." + key, dict));
      }
      long ts = base + unzigzag(r.varlong(at + ".timestampMs"));
      double value = Double.longBitsToDouble(r.i64(at + ".value"));
      try {
        points.add(new MetricPoint(MetricPoint.SCHEMA_VERSION, seriesId, namespace, region, metric, dims, ts, value,
            unit, shard, receivedAtMs, periods, graceMs, tenant));
      } catch (InvalidRecordException e) {
        throw new InvalidRecordException(TYPE, at + "." + e.field(), e.reason());
      }
    }
    if (r.pos != bytes.length) {
      throw new InvalidRecordException(TYPE, "points", (bytes.length - r.pos) + " bytes after the last point");
    }
    return new PointBatch(receivedAtMs, namespace, region, shard, periods, graceMs, points);
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

    String optionalRef(String field, String[] dict) {
      int i = varint(field, Integer.MAX_VALUE);
      if (i == 0) {
        return null;
      }
      if (i - 1 >= dict.length) {
        throw new InvalidRecordException(TYPE, field, "dictionary index " + (i - 1) + " of " + dict.length);
      }
      return dict[i - 1];
    }
  }
}
