package io.vigil.bench;

import io.vigil.common.semantics.Filter;
import io.vigil.detector.index.IndexedPolicy;
import io.vigil.detector.index.PolicyIndex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The detector's policy index: matching a rollup's series against a shard of policies, against the
 * linear scan (the property test's oracle: every policy's {@link IndexedPolicy#matches}, patterns
 * compiled once), and building the index.
 *
 * <p>The mix, fixed here: 20 metrics x 1,000 tenants ({@code appid}), each policy on one metric of
 * one tenant; 90% narrowed by {@code Equal} or {@code In} on {@code instance} (half each; In of 1 to 5
 * instances), 7% by {@code Prefix} or {@code Contains} on {@code host}, 3% by {@code Regex} on {@code
 * instance}. Series: each tenant has 100 instances (host {@code web-<k>}, zone one of three); a
 * rollup is one of 100,000 series drawn in advance.
 *
 * <p>The fork runs with transparent huge pages, as the detector does ({@code bin/vigil}, compose): an
 * index of a million policies is hundreds of megabytes read at random, and with 4 KB pages most
 * look-ups also miss the TLB (paired runs: 6-54 % faster with them).
 *
 * <pre>
 * java -Xmx4g -jar bench/target/benchmarks.jar PolicyIndexBenchmark
 * java -Xmx4g -jar bench/target/benchmarks.jar PolicyIndexBenchmark.build -p policies=1000000
 * </pre>
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-XX:+UseTransparentHugePages"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PolicyIndexBenchmark {

  static final int METRICS = 20;
  static final int TENANTS = 1000;
  static final int INSTANCES = 100;
  static final int SERIES = 100_000;

  @Param({"100000", "1000000"})
  int policies;

  List<IndexedPolicy> all;
  PolicyIndex index;
  String[] seriesMetric;
  List<Map<String, String>> seriesDims;
  List<Integer> batchOrder;
  int next;

  static String tenant(int t) {
    return Integer.toString(1_250_000_000 + t);
  }

  static String instance(int t, int k) {
    return "ins-" + t + "-" + k;
  }

  static Filter.Compiled filter(String function, String field, Object args) {
    return Filter.compile("filters[0]", function, field, args);
  }

  /** The mix described in the class comment, seeded. */
  static List<IndexedPolicy> policies(int n, long seed) {
    Random r = new Random(seed);
    List<IndexedPolicy> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int t = r.nextInt(TENANTS);
      String metric = "metric_" + r.nextInt(METRICS);
      int kind = r.nextInt(100);
      Filter.Compiled f;
      if (kind < 45) {
        f = filter("Equal", "instance", instance(t, r.nextInt(INSTANCES)));
      } else if (kind < 90) {
        List<String> in = new ArrayList<>();
        int size = 1 + r.nextInt(5);
        for (int j = 0; j < size; j++) {
          in.add(instance(t, r.nextInt(INSTANCES)));
        }
        f = filter("In", "instance", in);
      } else if (kind < 94) {
        f = filter("Prefix", "host", "web-" + r.nextInt(10));
      } else if (kind < 97) {
        f = filter("Contains", "host", Integer.toString(r.nextInt(100)));
      } else {
        f = filter("Regex", "instance", "ins-" + t + "-[0-" + r.nextInt(10) + "].*");
      }
      out.add(new IndexedPolicy("p" + i, "qce/cvm", Set.of(metric), "appid", tenant(t), List.of(f)));
    }
    return out;
  }

  @Setup(Level.Trial)
  public void setUp() {
    all = policies(policies, 42);
    index = PolicyIndex.build(all, PolicyIndex.DEFAULT_MAX_EXPANSION);
    Random r = new Random(7);
    seriesMetric = new String[SERIES];
    seriesDims = new ArrayList<>(SERIES);
    for (int s = 0; s < SERIES; s++) {
      int t = r.nextInt(TENANTS);
      int k = r.nextInt(INSTANCES);
      seriesMetric[s] = "metric_" + r.nextInt(METRICS);
      Map<String, String> d = new HashMap<>();
      d.put("appid", tenant(t));
      d.put("instance", instance(t, k));
      d.put("host", "web-" + k);
      d.put("zone", "ap-guangzhou-" + (1 + k % 3));
      seriesDims.add(d);
    }
    batchOrder = new ArrayList<>(SERIES);
    for (int s = 0; s < SERIES; s++) {
      batchOrder.add(s);
    }
  }

  /** One rollup's series matched through the index. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void match(Blackhole bh) {
    int s = next++ % SERIES;
    if (next == SERIES) {
      next = 0;
    }
    index.match("qce/cvm", seriesMetric[s], seriesDims.get(s), bh::consume);
  }

  static final int BATCH = 500;

  /**
   * A batch of rollups matched together ({@link PolicyIndex#matchAll}), as the detector matches a
   * poll's rollups: counted per rollup.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(BATCH)
  public void matchBatch(Blackhole bh) {
    int from = next;
    next = (next + BATCH) % (SERIES - BATCH);
    index.matchAll(batchOrder.subList(from, from + BATCH), s -> "qce/cvm", s -> seriesMetric[s],
        s -> seriesDims.get(s), (i, p) -> bh.consume(p));
  }

  /** One rollup's series matched by scanning every policy (the oracle). */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public void linearScan(Blackhole bh) {
    int s = next++ % SERIES;
    if (next == SERIES) {
      next = 0;
    }
    String metric = seriesMetric[s];
    Map<String, String> dims = seriesDims.get(s);
    for (IndexedPolicy p : all) {
      if (p.matches("qce/cvm", metric, dims)) {
        bh.consume(p);
      }
    }
  }

  /** The whole index built from the shard's policies (as at start or a full reconcile). */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 2)
  @Measurement(iterations = 5)
  public PolicyIndex build() {
    return PolicyIndex.build(all, PolicyIndex.DEFAULT_MAX_EXPANSION);
  }

  /** Heap per policy: the policies alone, then with their index (java -cp ... PolicyIndexBenchmark 1000000). */
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    long base = usedAfterGc();
    List<IndexedPolicy> list = policies(n, 42);
    long withPolicies = usedAfterGc();
    PolicyIndex built = PolicyIndex.build(list, PolicyIndex.DEFAULT_MAX_EXPANSION);
    long withIndex = usedAfterGc();
    System.out.printf("%d policies: %.0f bytes each as records (compiled filters included), %.0f more each for the"
        + " index (%s)%n", n, (withPolicies - base) / (double) n, (withIndex - withPolicies) / (double) n, built);
  }

  static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
