package io.vigil.bench.flink;

import io.vigil.common.points.PointRecord;

/**
 * One record of {@code metrics.raw} as the job needs it: what moves the watermark (acceptance time
 * and grace) and each point's series, event time and value in parallel arrays. A Flink POJO (public
 * fields, a no-argument constructor); with object reuse on it goes from the source to the operator
 * chained after it without a copy.
 */
public final class Points {

  /** When the gateway accepted the batch (epoch ms): the partition's progress. */
  public long receivedAtMs;
  /** The namespace's grace; 0 means the default. */
  public long graceMs;
  public long[] seriesIds;
  public long[] timestampsMs;
  public double[] values;

  public Points() {}

  Points(long receivedAtMs, long graceMs, long[] seriesIds, long[] timestampsMs, double[] values) {
    this.receivedAtMs = receivedAtMs;
    this.graceMs = graceMs;
    this.seriesIds = seriesIds;
    this.timestampsMs = timestampsMs;
    this.values = values;
  }

  /** The points of a checked record, read with its cursor (no MetricPoint each, as the aggregator reads them). */
  static Points of(PointRecord record) {
    int n = record.size();
    long[] ids = new long[n];
    long[] ts = new long[n];
    double[] values = new double[n];
    PointRecord.Cursor c = record.cursor();
    for (int i = 0; c.next(); i++) {
      ids[i] = c.seriesId();
      ts[i] = c.timestampMs();
      values[i] = c.value();
    }
    return new Points(record.receivedAtMs(), record.graceMs(), ids, ts, values);
  }

  int size() {
    return seriesIds.length;
  }
}
