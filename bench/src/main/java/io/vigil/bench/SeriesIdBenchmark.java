package io.vigil.bench;

import io.vigil.common.series.SeriesId;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** The cost of a series id: the gateway computes one per accepted point. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SeriesIdBenchmark {

  Map<String, String> twoDims = Map.of("appid", "1251763868", "vm_uuid", "ba53fdd0-7222-441e-8a71-9cdd031c0bbf");
  Map<String, String> sixDims = Map.of("appid", "1251763868", "lb_id", "lb-9f8e7d6c", "listener", "lbl-1a2b3c4d",
      "port", "443", "protocol", "HTTPS", "vip", "10.0.12.34");

  @Benchmark
  public long twoDimensions() {
    return SeriesId.of("qce/cvm", "ap-guangzhou", "cpu_usage", twoDims);
  }

  @Benchmark
  public long sixDimensions() {
    return SeriesId.of("qce/lb", "ap-guangzhou", "qps", sixDims);
  }

  /** What the gateway computes per point since it places by object: both ids from one canonical form. */
  @Benchmark
  public SeriesId.Ids sixDimensionsWithObject() {
    return SeriesId.ofWithObject("qce/lb", "ap-guangzhou", "qps", sixDims);
  }
}
