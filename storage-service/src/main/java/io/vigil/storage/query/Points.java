package io.vigil.storage.query;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;

/**
 * The points of one returned series, in columns (times, values, and which are late), read as a
 * list of {@link SeriesQueries.Point}. A wide answer holds 144,000 of them: as records each was an
 * object to build, box and serialize by reflection; {@link Writer} writes the same JSON straight
 * from the columns.
 */
public final class Points extends AbstractList<SeriesQueries.Point> {

  private long[] t;
  private double[] v;
  private BitSet late; // null: none is
  private int size;

  public Points() {
    this(16);
  }

  /** Room for {@code capacity} points before the columns grow. */
  Points(int capacity) {
    t = new long[capacity];
    v = new double[capacity];
  }

  /** Makes room for {@code more} points beyond those held. */
  void reserve(int more) {
    if (size + more > t.length) {
      t = Arrays.copyOf(t, size + more);
      v = Arrays.copyOf(v, size + more);
    }
  }

  /** Appends a point; points go in ascending time. */
  void add(long atMs, double value, boolean isLate) {
    if (size == t.length) {
      t = Arrays.copyOf(t, Math.max(16, size * 2));
      v = Arrays.copyOf(v, Math.max(16, size * 2));
    }
    t[size] = atMs;
    v[size] = value;
    if (isLate) {
      if (late == null) {
        late = new BitSet();
      }
      late.set(size);
    }
    size++;
  }

  @Override
  public int size() {
    return size;
  }

  /** The time of point {@code i}, epoch ms. */
  public long time(int i) {
    checkIndex(i);
    return t[i];
  }

  /** The value of point {@code i}. */
  public double value(int i) {
    checkIndex(i);
    return v[i];
  }

  public boolean late(int i) {
    checkIndex(i);
    return late != null && late.get(i);
  }

  @Override
  public SeriesQueries.Point get(int i) {
    return new SeriesQueries.Point(time(i), value(i), late(i) ? Boolean.TRUE : null);
  }

  private void checkIndex(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("point " + i + " of " + size);
    }
  }

  /**
   * Writes a list of points as {@code [{"t":ms,"v":x},{"t":ms,"v":x,"late":true}]}, the shape of
   * {@link SeriesQueries.Point} with nulls left out; from the columns when it is a {@link Points}.
   */
  public static final class Writer extends ValueSerializer<List<SeriesQueries.Point>> {
    @Override
    public void serialize(List<SeriesQueries.Point> points, JsonGenerator gen, SerializationContext ctxt) {
      gen.writeStartArray(points, points.size());
      if (points instanceof Points columns) {
        for (int i = 0; i < columns.size; i++) {
          write(gen, columns.t[i], columns.v[i], columns.late != null && columns.late.get(i));
        }
      } else {
        for (SeriesQueries.Point p : points) {
          write(gen, p.t(), p.v(), Boolean.TRUE.equals(p.late()));
        }
      }
      gen.writeEndArray();
    }

    private static void write(JsonGenerator gen, long t, double v, boolean late) {
      gen.writeStartObject();
      gen.writeNumberProperty("t", t);
      gen.writeNumberProperty("v", v);
      if (late) {
        gen.writeBooleanProperty("late", true);
      }
      gen.writeEndObject();
    }
  }
}
