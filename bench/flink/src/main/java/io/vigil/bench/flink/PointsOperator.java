package io.vigil.bench.flink;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Splits a batch into its points, each stamped with its own event time ({@code timestampMs}), while
 * the watermarks made from the batches pass through untouched. An operator rather than a flatMap:
 * a function cannot give what it emits a timestamp of its own, and the window operator uses the
 * timestamp both to place a point and to decide that it is late.
 *
 * <p>The one output {@link Point} and record are reused: what follows is the keyBy's exchange, which
 * serializes each point as it is collected.
 */
final class PointsOperator extends AbstractStreamOperator<Point> implements OneInputStreamOperator<Points, Point> {

  private transient Point point;
  private transient StreamRecord<Point> out;

  @Override
  public void open() throws Exception {
    super.open();
    point = new Point();
    out = new StreamRecord<>(point);
  }

  @Override
  public void processElement(StreamRecord<Points> element) {
    Points batch = element.getValue();
    long[] ids = batch.seriesIds;
    long[] ts = batch.timestampsMs;
    double[] values = batch.values;
    for (int i = 0; i < ids.length; i++) {
      point.seriesId = ids[i];
      point.timestampMs = ts[i];
      point.value = values[i];
      output.collect(out.replace(point, ts[i]));
    }
  }
}
