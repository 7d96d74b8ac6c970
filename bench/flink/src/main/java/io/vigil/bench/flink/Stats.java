package io.vigil.bench.flink;

/**
 * The statistics of one series over one window, as the aggregator keeps them: sum (compensated,
 * Neumaier, so folding in any order gives the correctly rounded sum), count, min, max, and last = the
 * value with the largest timestamp, a tie going to the value seen later. Merging two disjoint
 * windows' statistics gives exactly their union's, which is what lets the longer periods be folded
 * from shorter ones. A Flink POJO: it is the longer windows' state.
 */
public final class Stats {

  public double sum;
  /** The compensation: {@code sum + comp} is the exact sum to within about an ulp. */
  public double comp;
  public long count;
  public double min = Double.POSITIVE_INFINITY;
  public double max = Double.NEGATIVE_INFINITY;
  public double last;
  public long lastTs = Long.MIN_VALUE;

  public Stats() {}

  void add(long timestampMs, double value) {
    addToSum(value);
    count++;
    if (value < min) {
      min = value;
    }
    if (value > max) {
      max = value;
    }
    if (timestampMs >= lastTs) {
      last = value;
      lastTs = timestampMs;
    }
  }

  /** Folds in {@code later}: a window whose points were seen after this one's. */
  void merge(Stats later) {
    if (later.count == 0) {
      return;
    }
    addToSum(later.sum);
    addToSum(later.comp);
    count += later.count;
    min = Math.min(min, later.min);
    max = Math.max(max, later.max);
    if (later.lastTs >= lastTs) {
      last = later.last;
      lastTs = later.lastTs;
    }
  }

  /** The sum as emitted. */
  double total() {
    return sum + comp;
  }

  private void addToSum(double value) {
    double t = sum + value;
    comp += Math.abs(sum) >= Math.abs(value) ? (sum - t) + value : (value - t) + sum;
    sum = t;
  }
}
