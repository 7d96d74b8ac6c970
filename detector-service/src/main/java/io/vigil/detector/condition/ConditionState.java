package io.vigil.detector.condition;

/**
 * One condition's state for one series: its threshold streak, and the previous window's statistic
 * for a change against the previous window. Mutated only under its partition's lock.
 */
public final class ConditionState {

  final ThresholdStreak streak;
  long previousWindowMs = Long.MIN_VALUE;
  double previousValue = Double.NaN;
  /** The value judged in the newest window (NaN when it could not be had). */
  double lastJudged = Double.NaN;
  /**
   * For no-data after a restore: the newest window taken as seen. A restored copy's last window may
   * be older than what the detector before had seen, so missing windows are counted from the first
   * progress after the restore, never from the copy: a restart causes no NO_DATA storm.
   */
  public long seenFloorMs = Long.MIN_VALUE;
  public boolean floorPending;

  ConditionState(ThresholdStreak streak) {
    this.streak = streak;
  }

  public ThresholdStreak streak() {
    return streak;
  }

  public long previousWindowMs() {
    return previousWindowMs;
  }

  public double previousValue() {
    return previousValue;
  }

  public double lastJudged() {
    return lastJudged;
  }

  public void restore(long lastWindowMs, int streakLength, boolean holding, long previousWindowMs,
      double previousValue) {
    streak.restore(lastWindowMs, streakLength, holding);
    this.previousWindowMs = previousWindowMs;
    this.previousValue = previousValue;
  }
}
