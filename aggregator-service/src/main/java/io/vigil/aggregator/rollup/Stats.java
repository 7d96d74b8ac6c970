package io.vigil.aggregator.rollup;

/**
 * The running statistics of one series over one window: sum, count, min, max and last, where last is
 * the value with the largest timestamp and a tie goes to the point seen later (points of a partition
 * are seen in offset order, so "later" is "the later offset"). Merging the statistics of two
 * disjoint windows gives exactly the statistics of their union, which is what lets the longer
 * periods be folded from one-minute windows.
 */
final class Stats {

  /** The sum is kept compensated (Neumaier): {@code sum + comp} is the exact sum to within about an ulp, in any order. */
  double sum;
  double comp;
  long count;
  double min = Double.POSITIVE_INFINITY;
  double max = Double.NEGATIVE_INFINITY;
  double last;
  long lastTs = Long.MIN_VALUE;

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

  /** The sum as emitted: the running sum with its compensation. */
  double total() {
    return sum + comp;
  }

  private void addToSum(double value) {
    double t = sum + value;
    comp += Math.abs(sum) >= Math.abs(value) ? (sum - t) + value : (value - t) + sum;
    sum = t;
  }

  /** Folds {@code later} in: a window that was closed after this one's points were seen. */
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
}
