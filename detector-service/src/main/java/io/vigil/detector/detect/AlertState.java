package io.vigil.detector.detect;

import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.detector.condition.ConditionState;
import java.util.Map;

/**
 * One alert's state: a policy's judgement of one series. Held in memory by the partition the series
 * is read from, and mutated only under that partition's lock; Redis holds the durable copy
 * ({@link StoredAlert}).
 *
 * <p>The sequence of each transition is the start of the window that caused it, or one more than the
 * sequence before when that is not larger; a transition not caused by data (its policy changed) takes
 * one more than the later of the last sequence and the last window seen. So the same windows give the
 * same sequences, hence the same eventIds, when a restarted detector judges them again, and the next
 * window's transition always sorts after any of them without a counter kept forever.
 */
final class AlertState {

  /**
   * How a partition finds an alert: the policy's id (the instance the policy holds, its hash cached)
   * and the series or object, so the hot path builds no alertKey string to look one up.
   */
  record Key(String policyId, long seriesId, String objectId) {}

  final Key key;
  final String alertKey;
  final String policyId;
  final long seriesId;
  final int partition;
  /** The object of an event alert; null for a series alert. */
  String objectId;
  /** What the series looks like (from its rollups; for the events). */
  String namespace;
  String region;
  String metric;
  Map<String, String> dimensions;
  /**
   * The tenant and severity of its newest event: kept (and stored) so an alert whose policy was
   * deleted while no detector held it can still be resolved with them.
   */
  String tenant;
  AlertEvent.Severity severity;
  /** The policy version the condition states were built for. */
  long policyVersion;
  /** {@code LivePolicy.judgement()} of that version: restored condition states are kept only if it still holds. */
  long judgement;
  /** One per condition of the policy (null where the condition reads another metric). */
  ConditionState[] conditions;
  AlertStatus status; // null: not open
  long sequence;
  long firstFiredAtMs;
  /** The newest transition, until it is known to be published. */
  AlertEvent unpublished;
  long publishedSequence;
  /** The durable copy is behind (or must be deleted). */
  boolean dirty;
  /** A durable copy exists (or may). */
  boolean stored;
  /**
   * Its policy reports NO_DATA: the state is kept in Redis even when idle, so a restarted detector
   * still knows the series was seen.
   */
  boolean watched;
  /** Its policy is gone and nothing is left to publish: the copy is deleted and the state dropped. */
  boolean doomed;

  AlertState(String alertKey, String policyId, long seriesId, String objectId, int partition) {
    this.key = new Key(policyId, seriesId, objectId);
    this.alertKey = alertKey;
    this.policyId = policyId;
    this.seriesId = seriesId;
    this.objectId = objectId;
    this.partition = partition;
  }

  boolean open() {
    return status == AlertStatus.FIRING || status == AlertStatus.NO_DATA;
  }

  long lastWindowMs() {
    long last = Long.MIN_VALUE;
    if (conditions != null) {
      for (ConditionState c : conditions) {
        if (c != null) {
          last = Math.max(last, c.streak().lastWindowMs());
        }
      }
    }
    return last;
  }

  long nextSequence(long windowStartMs) {
    return Math.max(sequence + 1, windowStartMs);
  }

  /** Nothing worth a durable copy: not open, nothing pending, no streak under way. */
  boolean idle() {
    if (open() || unpublished != null) {
      return false;
    }
    if (conditions != null) {
      for (ConditionState c : conditions) {
        if (c != null && !c.streak().idle()) {
          return false;
        }
      }
    }
    return true;
  }
}
