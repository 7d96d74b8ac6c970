package io.vigil.bench;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.model.Rollup;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Reading and writing the two highest-volume messages, validation included. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MessageCodecBenchmark {

  MessageCodec codec = new MessageCodec();
  MetricPoint point;
  byte[] pointJson;
  byte[] rollupJson;

  @Setup
  public void setUp() {
    point = new MetricPoint(1, 42L, "qce/cvm", "ap-guangzhou", "cpu_usage",
        Map.of("appid", "1251763868", "vm_uuid", "ba53fdd0-7222-441e-8a71-9cdd031c0bbf"),
        1_764_000_001_500L, 37.5, "percent", "default", 1_764_000_001_600L, java.util.Set.of(60, 300), 30_000L,
        "1251763868");
    pointJson = codec.encode(point);
    rollupJson = codec.encode(new Rollup(1, 42L, "qce/cvm", "ap-guangzhou", "cpu_usage",
        Map.of("appid", "1251763868"), "default", 60, 1_764_000_000_000L, 75.0, 2, 30.0, 45.0, 45.0,
        1_764_000_070_000L, "1251763868"));
  }

  @Benchmark
  public MetricPoint decodeMetricPoint() {
    return codec.decode(pointJson, MetricPoint.class);
  }

  @Benchmark
  public byte[] encodeMetricPoint() {
    return codec.encode(point);
  }

  @Benchmark
  public Rollup decodeRollup() {
    return codec.decode(rollupJson, Rollup.class);
  }

  /** The same record through data binding alone, as every rollup was read before {@code RollupReader}. */
  @Benchmark
  public Rollup decodeRollupDataBinding() {
    return codec.mapper().readValue(rollupJson, Rollup.class);
  }
}
