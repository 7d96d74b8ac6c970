package io.vigil.storage.query;

import io.vigil.common.error.FieldProblem;
import java.time.Duration;
import java.util.List;

/** The one check of a query's time range: both ends given, from before to, and no longer than what is kept. */
final class TimeRange {

  /** The longest range any query reads, whatever the retention. */
  static final Duration MAX = Duration.ofDays(400);

  private TimeRange() {}

  static void check(List<FieldProblem> problems, Long fromMs, Long toMs, Duration kept) {
    if (fromMs == null || fromMs < 0) {
      problems.add(new FieldProblem("fromMs", "is required: epoch ms, inclusive"));
    }
    if (toMs == null || toMs < 0) {
      problems.add(new FieldProblem("toMs", "is required: epoch ms, exclusive"));
    }
    if (fromMs != null && toMs != null && fromMs >= 0 && toMs >= 0) {
      Duration max = kept == null || kept.compareTo(MAX) > 0 ? MAX : kept;
      if (toMs <= fromMs) {
        problems.add(new FieldProblem("toMs", "must be after fromMs"));
      } else if (toMs - fromMs > max.toMillis()) {
        problems.add(new FieldProblem("toMs", "the range is at most " + max.toDays() + " days (what is kept)"));
      }
    }
  }
}
