package io.vigil.common.points;

import io.vigil.common.model.MetricPoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@code metrics.raw} record checked whole by {@link PointBatchCodec#check} and read point by
 * point with a {@link Cursor}, which builds nothing per point: a consumer that needs a point's id,
 * time and value (the aggregator, for every point) pays for those, and builds the whole {@link
 * MetricPoint} ({@link Cursor#point()}) only when it needs the rest.
 */
public final class PointRecord {

  private final byte[] bytes;
  private final String[] dict;
  private final long receivedAtMs;
  private final String namespace;
  private final String region;
  private final String shard;
  private final Set<Integer> periods;
  private final long graceMs;
  private final int size;
  private final long base;
  private final int first;
  private final long latestTimestampMs;

  PointRecord(byte[] bytes, String[] dict, long receivedAtMs, String namespace, String region, String shard,
      Set<Integer> periods, long graceMs, int size, long base, int first, long latestTimestampMs) {
    this.bytes = bytes;
    this.dict = dict;
    this.receivedAtMs = receivedAtMs;
    this.namespace = namespace;
    this.region = region;
    this.shard = shard;
    this.periods = periods;
    this.graceMs = graceMs;
    this.size = size;
    this.base = base;
    this.first = first;
    this.latestTimestampMs = latestTimestampMs;
  }

  public long receivedAtMs() {
    return receivedAtMs;
  }

  public String namespace() {
    return namespace;
  }

  public String region() {
    return region;
  }

  public String shard() {
    return shard;
  }

  public Set<Integer> periods() {
    return periods;
  }

  public long graceMs() {
    return graceMs;
  }

  /** The number of points. */
  public int size() {
    return size;
  }

  /** The event time of the record: its latest point's. */
  public long latestTimestampMs() {
    return latestTimestampMs;
  }

  /** A new cursor before the first point. */
  public Cursor cursor() {
    return new Cursor();
  }

  /** Every point built as a {@link MetricPoint}. */
  public PointBatch toBatch() {
    List<MetricPoint> points = new ArrayList<>(size);
    Cursor c = cursor();
    while (c.next()) {
      points.add(c.point());
    }
    return new PointBatch(receivedAtMs, namespace, region, shard, periods, graceMs, points);
  }

  /** Reads the points in order; the record was checked, so nothing is checked again. */
  public final class Cursor {
    private int pos = first;
    private int left = size;
    private long seriesId;
    private int metric;
    private int unit;
    private int tenant;
    private int dimensions;
    private int dimensionsAt;
    private long timestampMs;
    private double value;

    private Cursor() {}

    /** Moves to the next point; false after the last. */
    public boolean next() {
      if (left == 0) {
        return false;
      }
      left--;
      seriesId = i64();
      metric = (int) varlong();
      unit = (int) varlong() - 1;
      tenant = (int) varlong() - 1;
      dimensions = (int) varlong();
      dimensionsAt = pos;
      for (int j = 0; j < 2 * dimensions; j++) {
        varlong();
      }
      timestampMs = base + PointBatchCodec.unzigzag(varlong());
      value = Double.longBitsToDouble(i64());
      return true;
    }

    public long seriesId() {
      return seriesId;
    }

    public long timestampMs() {
      return timestampMs;
    }

    public double value() {
      return value;
    }

    public String metric() {
      return dict[metric];
    }

    public String unit() {
      return unit < 0 ? null : dict[unit];
    }

    public String tenant() {
      return tenant < 0 ? null : dict[tenant];
    }

    /** The point's dimensions, in key order. */
    public Map<String, String> dimensions() {
      Map<String, String> dims = new TreeMap<>();
      int at = pos;
      pos = dimensionsAt;
      for (int j = 0; j < dimensions; j++) {
        String key = dict[(int) varlong()];
        dims.put(key, dict[(int) varlong()]);
      }
      pos = at;
      return dims;
    }

    /** The point in full. */
    public MetricPoint point() {
      return new MetricPoint(MetricPoint.SCHEMA_VERSION, seriesId, namespace, region, metric(), dimensions(),
          timestampMs, value, unit(), shard, receivedAtMs, periods, graceMs, tenant());
    }

    private long i64() {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (bytes[pos++] & 0xFF);
      }
      return v;
    }

    private long varlong() {
      long v = 0;
      for (int shift = 0;; shift += 7) {
        int x = bytes[pos++] & 0xFF;
        v |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
    }
  }
}
