package io.vigil.detector.condition;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.AlertPolicy.ChangeUnit;
import io.vigil.common.control.AlertPolicy.Compare;
import io.vigil.common.control.AlertPolicy.Condition;
import io.vigil.common.model.Rollup;

/**
 * One condition of a policy as the detector runs it: which rollups it reads (its metric and period),
 * the value it judges in each (the statistic, or its change against the window before), and the
 * threshold streak that value feeds. Immutable; the per-series state is {@link ConditionState}.
 */
public final class ConditionRule {

  /** Why a window's value could not be judged (a tag value: bounded). */
  public enum Skip { NONE, NO_PREVIOUS_WINDOW, ZERO_BASELINE, NO_BASELINE, STORAGE_UNAVAILABLE }

  /**
   * The statistic of a series in an earlier window (a day or a week before), from storage: NaN when it
   * cannot be had, with the reason in {@code why[0]}.
   */
  public interface Baseline {
    double value(int periodSeconds, long windowStartMs, long seriesId, AlertPolicy.Statistic statistic, Skip[] why);
  }

  public static final long DAY_MS = 86_400_000L;

  /** How far back a comparison looks, or 0 when it reads no earlier window from storage. */
  public long baselineOffsetMs() {
    return switch (condition.compare()) {
      case DAY_AGO -> DAY_MS;
      case WEEK_AGO -> 7 * DAY_MS;
      default -> 0;
    };
  }

  private final int index;
  private final Condition condition;
  private final long periodMs;
  private final ThresholdStreak settings;

  public ConditionRule(int index, Condition condition) {
    this.index = index;
    this.condition = condition.withDefaults();
    this.periodMs = this.condition.period() * 1000L;
    // checks operator, threshold and periods now, not at the first rollup; each series' state copies it
    this.settings = new ThresholdStreak(this.condition);
  }

  public int index() {
    return index;
  }

  public Condition condition() {
    return condition;
  }

  public String metric() {
    return condition.metric();
  }

  public int periodSeconds() {
    return condition.period();
  }

  /** Missing windows after which the series is reported NO_DATA; 0 for never. */
  public int noDataPeriods() {
    return condition.noDataPeriods() == null ? 0 : condition.noDataPeriods();
  }

  public boolean reads(Rollup r) {
    return r.periodSeconds() == condition.period() && r.metric().equals(condition.metric());
  }

  public ConditionState newState() {
    return new ConditionState(settings.fresh());
  }

  /** The statistic of a rollup; NaN when the window has no value for it (an average of nothing). */
  public static double statistic(AlertPolicy.Statistic statistic, Rollup r) {
    return switch (statistic) {
      case AVG -> r.count() == 0 ? Double.NaN : r.sum() / r.count();
      case MAX -> r.count() == 0 ? Double.NaN : r.max();
      case MIN -> r.count() == 0 ? Double.NaN : r.min();
      case SUM -> r.sum();
      case COUNT -> r.count();
      case LAST -> r.count() == 0 ? Double.NaN : r.last();
    };
  }

  /**
   * Feeds one rollup to the condition's state: the value judged is the statistic, or its change
   * against the previous window (环比) held in {@code state}. Returns what the window did; when the
   * value could not be had, {@code skipped} says why and the streak sees a missing window.
   */
  public ThresholdStreak.Change observe(ConditionState state, Rollup r, Skip[] skipped) {
    return observe(state, r, skipped, null);
  }

  /** As {@link #observe(ConditionState, Rollup, Skip[])}, with storage's earlier windows for 同比. */
  public ThresholdStreak.Change observe(ConditionState state, Rollup r, Skip[] skipped, Baseline baseline) {
    return observe(state, r.seriesId(), r.windowStartMs(), statistic(condition.statistic(), r), skipped, baseline);
  }

  /**
   * The same, from the window's statistic itself (a backtest reads statistics from storage, not
   * rollups): one evaluator for live detection and for what-if runs.
   */
  public ThresholdStreak.Change observe(ConditionState state, long seriesId, long windowStartMs, double current,
      Skip[] skipped, Baseline baseline) {
    double judged = current;
    skipped[0] = Skip.NONE;
    if (condition.compare() == Compare.PREVIOUS_WINDOW) {
      long prevWindow = state.previousWindowMs;
      double prev = state.previousValue;
      if (windowStartMs > prevWindow) {
        state.previousWindowMs = windowStartMs;
        state.previousValue = current;
      }
      if (prevWindow != windowStartMs - periodMs || Double.isNaN(prev)) {
        skipped[0] = Skip.NO_PREVIOUS_WINDOW;
        judged = Double.NaN;
      } else {
        judged = change(current, prev, condition.changeUnit());
        if (Double.isNaN(judged) && !Double.isNaN(current)) {
          skipped[0] = Skip.ZERO_BASELINE;
        }
      }
    } else if (condition.compare() == Compare.DAY_AGO || condition.compare() == Compare.WEEK_AGO) {
      double earlier = baseline == null ? Double.NaN
          : baseline.value(condition.period(), windowStartMs - baselineOffsetMs(), seriesId,
              condition.statistic(), skipped);
      if (baseline == null) {
        skipped[0] = Skip.STORAGE_UNAVAILABLE;
      }
      if (Double.isNaN(earlier) || Double.isNaN(current)) {
        judged = Double.NaN;
        if (skipped[0] == Skip.NONE) {
          skipped[0] = Skip.NO_BASELINE;
        }
      } else {
        judged = change(current, earlier, condition.changeUnit());
        if (Double.isNaN(judged)) {
          skipped[0] = Skip.ZERO_BASELINE;
        }
      }
    }
    if (windowStartMs > state.streak.lastWindowMs()) {
      state.lastJudged = judged;
    }
    return state.streak.observe(windowStartMs, judged);
  }

  /** The change from {@code earlier} to {@code current}: percent of the earlier value (NaN if it is 0) or absolute. */
  public static double change(double current, double earlier, ChangeUnit unit) {
    if (unit == ChangeUnit.ABSOLUTE) {
      return current - earlier;
    }
    return earlier == 0 ? Double.NaN : (current - earlier) / Math.abs(earlier) * 100.0;
  }
}
