package io.vigil.bench.flink;

import io.vigil.common.model.MetricPoint;
import io.vigil.common.points.PointBatch;
import java.util.List;

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

  static Points of(PointBatch batch) {
    List<MetricPoint> points = batch.points();
    int n = points.size();
    long[] ids = new long[n];
    long[] ts = new long[n];
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      MetricPoint p = points.get(i);
      ids[i] = p.seriesId();
      ts[i] = p.timestampMs();
      values[i] = p.value();
    }
    return new Points(batch.receivedAtMs(), batch.graceMs(), ids, ts, values);
  }

  int size() {
    return seriesIds.length;
  }
}
