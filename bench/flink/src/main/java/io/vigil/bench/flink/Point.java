package io.vigil.bench.flink;

/** One point on its way to its series' window: a Flink POJO, keyed by {@link #seriesId}. */
public final class Point {

  public long seriesId;
  public long timestampMs;
  public double value;

  public Point() {}

  Point(long seriesId, long timestampMs, double value) {
    this.seriesId = seriesId;
    this.timestampMs = timestampMs;
    this.value = value;
  }

  @Override
  public String toString() {
    return "Point[" + seriesId + " @" + timestampMs + " = " + value + "]";
  }
}
