package io.vigil.common.model;

/**
 * The running statistics of one series over one window, what a {@link Rollup} carries: sum, count,
 * min, max and last, where last is the value with the largest timestamp and a tie goes to the point
 * seen later (points of a partition are seen in offset order, so "later" is "the later offset").
 * Merging the statistics of two disjoint windows gives exactly the statistics of their union, which
 * is what lets the longer periods be folded from shorter windows.
 *
 * <p>The aggregator's working state, one per open window of every series, so a plain mutable holder
 * with public fields (its stored form is the aggregator's); the rollup benchmark's Flink peer keeps
 * the same arithmetic as its window state.
 */
public final class RollupStats {

  /** The sum is kept compensated (Neumaier): {@code sum + comp} is the exact sum to within about an ulp, in any order. */
  public double sum;
  public double comp;
  public long count;
  public double min = Double.POSITIVE_INFINITY;
  public double max = Double.NEGATIVE_INFINITY;
  public double last;
  public long lastTs = Long.MIN_VALUE;

  public void add(long timestampMs, double value) {
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

  /** The sum as emitted: the running sum with its compensation. */
  public double total() {
    return sum + comp;
  }

  private void addToSum(double value) {
    double t = sum + value;
    comp += Math.abs(sum) >= Math.abs(value) ? (sum - t) + value : (value - t) + sum;
    sum = t;
  }

  /** Folds {@code later} in: a window that was closed after this one's points were seen. */
  public void merge(RollupStats later) {
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
}
