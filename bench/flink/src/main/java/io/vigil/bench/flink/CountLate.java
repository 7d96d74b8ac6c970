package io.vigil.bench.flink;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Counts the late points (their minute had closed: end + grace at or below progress) in the
 * {@value #LATE} accumulator. The aggregator sends them to {@code metrics.late}; here they are only
 * counted, and emit nothing.
 */
final class CountLate extends ProcessFunction<Point, Point> {

  static final String LATE = "late-points";

  private transient LongCounter late;

  @Override
  public void open(OpenContext openContext) {
    late = new LongCounter();
    getRuntimeContext().addAccumulator(LATE, late);
  }

  @Override
  public void processElement(Point point, Context context, Collector<Point> out) {
    late.add(1);
  }
}
