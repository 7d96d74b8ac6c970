package io.vigil.bench;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.points.PointBatch;
import io.vigil.common.points.PointBatchCodec;
import io.vigil.common.series.SeriesId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The two candidate encodings of {@code metrics.raw}, per batch of 500 points shaped like cloud
 * metrics (3 dimensions, 50 instances): one JSON {@link MetricPoint} record per point, or one binary
 * {@link PointBatch} record for all. Times are per batch; divide by 500 for a point. The sizes are
 * printed at set-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PointEncodingBenchmark {

  static final int POINTS = 500;
  static final long T = 1_795_660_800_000L;

  MessageCodec codec = new MessageCodec();
  List<MetricPoint> points = new ArrayList<>();
  List<byte[]> jsonRecords = new ArrayList<>();
  PointBatch batch;
  byte[] batchBytes;

  @Setup
  public void setUp() {
    for (int i = 0; i < POINTS; i++) {
      Map<String, String> dims = Map.of("appid", "1251763868", "instance", "ins-" + (i % 50), "zone", "gz-" + (i % 3));
      points.add(new MetricPoint(1, SeriesId.of("qce/cvm", "ap-guangzhou", "cpu_usage", dims), "qce/cvm",
          "ap-guangzhou", "cpu_usage", dims, T + i * 10, i * 0.5, "percent", "default", T + 9000, Set.of(60, 300),
          30_000, "1251763868"));
    }
    long jsonBytes = 0;
    for (MetricPoint p : points) {
      byte[] b = codec.encode(p);
      jsonRecords.add(b);
      jsonBytes += b.length;
    }
    batch = new PointBatch(T + 9000, "qce/cvm", "ap-guangzhou", "default", Set.of(60, 300), 30_000, points);
    batchBytes = PointBatchCodec.encode(batch);
    System.out.printf("%n500 points: JSON %d bytes (%.0f a point), batch %d bytes (%.1f a point)%n", jsonBytes,
        jsonBytes / 500.0, batchBytes.length, batchBytes.length / 500.0);
  }

  @Benchmark
  public long encodeJsonRecords() {
    long n = 0;
    for (MetricPoint p : points) {
      n += codec.encode(p).length;
    }
    return n;
  }

  /** The gateway's path: straight from parsed fields into the batch writer. */
  @Benchmark
  public byte[] encodeBatch() {
    PointBatchCodec.Writer w = new PointBatchCodec.Writer(T + 9000, "qce/cvm", "ap-guangzhou", "default",
        Set.of(60, 300), 30_000);
    for (MetricPoint p : points) {
      w.add(p.seriesId(), p.metric(), p.unit(), p.tenant(), p.dimensions(), p.timestampMs(), p.value());
    }
    return w.toBytes();
  }

  @Benchmark
  public int decodeJsonRecords() {
    int n = 0;
    for (byte[] b : jsonRecords) {
      n += codec.decode(b, MetricPoint.class).dimensions().size();
    }
    return n;
  }

  @Benchmark
  public int decodeBatch() {
    return PointBatchCodec.decode(batchBytes).points().size();
  }
}
