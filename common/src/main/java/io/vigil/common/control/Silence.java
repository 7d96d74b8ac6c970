package io.vigil.common.control;

import io.vigil.common.error.Violations;
import io.vigil.common.semantics.Filter;
import io.vigil.common.semantics.TimeWindow;
import java.time.Instant;
import java.util.List;

/**
 * Mutes a tenant's alerts whose labels and dimensions pass every matcher (告警屏蔽): once, from
 * {@code startsAtMs} to {@code endsAtMs}, or on a recurring window (e.g. every night in an IANA zone)
 * inside optional bounds.
 */
public record Silence(
    List<FilterSpec> matchers,
    Long startsAtMs,
    Long endsAtMs,
    Recurring recurring,
    String comment) {

  /** A recurring window: weekdays and {@code HH:mm-HH:mm} ranges in an IANA zone. */
  public record Recurring(String zone, List<String> weekdays, List<String> times) {

    public TimeWindow toWindow(String path) {
      return TimeWindow.parse(path, zone, weekdays, times);
    }
  }

  public void validate(Violations v) {
    v.check(matchers != null && !matchers.isEmpty(), "matchers", "one or more matchers (a silence of everything is refused)");
    v.check(matchers == null || matchers.size() <= 50, "matchers", "at most 50 matchers");
    FilterSpec.compileAll(v, "matchers", matchers);
    Names.optionalText(v, "comment", comment, Names.MAX_TEXT);
    if (recurring == null) {
      v.check(startsAtMs != null && endsAtMs != null, "endsAtMs", "a one-off silence needs startsAtMs and endsAtMs");
    } else {
      v.capture("recurring", () -> recurring.toWindow("recurring"));
    }
    if (startsAtMs != null && endsAtMs != null) {
      v.check(endsAtMs > startsAtMs, "endsAtMs", "after startsAtMs");
    }
  }

  /** Whether the silence is in force at {@code at} (its matchers are checked apart). */
  public boolean activeAt(Instant at, TimeWindow window) {
    long ms = at.toEpochMilli();
    if (startsAtMs != null && ms < startsAtMs || endsAtMs != null && ms >= endsAtMs) {
      return false;
    }
    return window == null || window.contains(at);
  }

  public List<Filter.Compiled> compiledMatchers() {
    return matchers.stream().map(m -> m.compile("matchers")).toList();
  }
}
