package io.vigil.detector.condition;

import io.vigil.common.control.AlertPolicy;

/**
 * The state of one threshold condition for one series: the windows it has seen, in order, and
 * whether it holds (fires). Pure and small, one per (policy, series, condition), kept by the
 * detector and copied to Redis with the alert state.
 *
 * <p>Meaning, as the policy API documents it ({@link AlertPolicy.Condition}):
 *
 * <ul>
 *   <li>A window breaches when {@code operator(value, threshold)}. The condition starts to hold after
 *       {@code forPeriods} consecutive breaching windows.
 *   <li>While it holds, a window is past recovery when {@code operator(value, recoveryThreshold)} is
 *       false (the threshold when no recovery threshold is set: hysteresis when one is). It stops
 *       holding after {@code recoverPeriods} consecutive windows past recovery.
 *   <li>Consecutive means window starts one period apart: a missing window breaks either streak (a
 *       series that stops reporting is no-data's business, not recovery's).
 *   <li>A window at or before the last one seen (a redelivery, or an older window) changes nothing.
 * </ul>
 */
public final class ThresholdStreak {

  /** What a window did to the condition. */
  public enum Change { NONE, STARTED_HOLDING, STOPPED_HOLDING }

  private final AlertPolicy.Operator operator;
  private final double threshold;
  private final double recoveryThreshold;
  private final int forPeriods;
  private final int recoverPeriods;
  private final long periodMs;

  private long lastWindowMs = Long.MIN_VALUE;
  private int streak; // breaching windows in a row while not holding; recovered ones while holding
  private boolean holding;

  public ThresholdStreak(AlertPolicy.Condition condition) {
    AlertPolicy.Condition c = condition.withDefaults();
    if (c.operator() == null || c.threshold() == null || c.period() == null || c.period() <= 0) {
      throw new IllegalArgumentException("a threshold condition needs an operator, a threshold and a period");
    }
    if (c.forPeriods() < 1 || c.recoverPeriods() < 1) {
      throw new IllegalArgumentException("forPeriods and recoverPeriods are at least 1");
    }
    this.operator = c.operator();
    this.threshold = c.threshold();
    this.recoveryThreshold = c.recoveryThreshold() == null ? c.threshold() : c.recoveryThreshold();
    this.forPeriods = c.forPeriods();
    this.recoverPeriods = c.recoverPeriods();
    this.periodMs = c.period() * 1000L;
  }

  private ThresholdStreak(ThresholdStreak settings) {
    this.operator = settings.operator;
    this.threshold = settings.threshold;
    this.recoveryThreshold = settings.recoveryThreshold;
    this.forPeriods = settings.forPeriods;
    this.recoverPeriods = settings.recoverPeriods;
    this.periodMs = settings.periodMs;
  }

  /** A new streak with this one's settings, nothing seen yet (no condition checked or defaulted again). */
  public ThresholdStreak fresh() {
    return new ThresholdStreak(this);
  }

  /** Takes the next window's value (NaN: the window had no value for this statistic). */
  public Change observe(long windowStartMs, double value) {
    if (windowStartMs <= lastWindowMs) {
      return Change.NONE;
    }
    boolean consecutive = lastWindowMs != Long.MIN_VALUE && windowStartMs - lastWindowMs == periodMs;
    lastWindowMs = windowStartMs;
    if (!consecutive) {
      streak = 0;
    }
    if (Double.isNaN(value)) {
      streak = 0;
      return Change.NONE;
    }
    if (!holding) {
      streak = operator.test(value, threshold) ? streak + 1 : 0;
      if (streak >= forPeriods) {
        holding = true;
        streak = 0;
        return Change.STARTED_HOLDING;
      }
      return Change.NONE;
    }
    streak = operator.test(value, recoveryThreshold) ? 0 : streak + 1;
    if (streak >= recoverPeriods) {
      holding = false;
      streak = 0;
      return Change.STOPPED_HOLDING;
    }
    return Change.NONE;
  }

  public boolean holding() {
    return holding;
  }

  public long lastWindowMs() {
    return lastWindowMs;
  }

  /** Windows in the current streak: breaching ones while not holding, recovered ones while holding. */
  public int streak() {
    return streak;
  }

  /** Puts back what {@link #lastWindowMs}, {@link #streak} and {@link #holding} said (state restored from Redis). */
  public void restore(long lastWindowMs, int streak, boolean holding) {
    if (streak < 0) {
      throw new IllegalArgumentException("streak " + streak);
    }
    this.lastWindowMs = lastWindowMs;
    this.streak = streak;
    this.holding = holding;
  }

  /** True when nothing is pending: not holding and no streak under way (no need to keep a durable copy). */
  public boolean idle() {
    return !holding && streak == 0;
  }
}
