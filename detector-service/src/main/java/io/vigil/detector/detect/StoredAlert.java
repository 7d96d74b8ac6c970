package io.vigil.detector.detect;

import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.detector.condition.ConditionState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An alert's durable copy, one field of its partition's Redis hash (JSON): what a restarted detector,
 * or one that gains the partition, needs to go on without re-firing or forgetting it.
 *
 * @param judgement the fingerprint of the policy's judgement the condition states were built for
 * @param status null when the alert is not open (a streak under way, or a resolution unpublished)
 * @param sequence the sequence of its newest transition
 * @param publishedSequence the newest sequence known to be on {@code alerts.events}; when behind
 *     {@code sequence}, {@code unpublished} is published again (same eventId) on restore
 * @param tenant the tenant of its newest event (null in copies written before it was stored)
 * @param severity the severity of its newest event (likewise)
 * @param conditions the condition states, by condition index
 */
record StoredAlert(
    long policyVersion,
    long judgement,
    AlertStatus status,
    long sequence,
    long publishedSequence,
    long firstFiredAtMs,
    String namespace,
    String region,
    String metric,
    Map<String, String> dimensions,
    String tenant,
    AlertEvent.Severity severity,
    List<StoredCondition> conditions,
    AlertEvent unpublished) {

  /** One condition's state; {@code previousValue} null for none (JSON has no NaN). */
  record StoredCondition(int index, long lastWindowMs, int streak, boolean holding, long previousWindowMs,
      Double previousValue) {}

  static StoredAlert of(AlertState s) {
    List<StoredCondition> conditions = new ArrayList<>();
    if (s.conditions != null) {
      for (int i = 0; i < s.conditions.length; i++) {
        ConditionState c = s.conditions[i];
        if (c != null) {
          conditions.add(new StoredCondition(i, c.streak().lastWindowMs(), c.streak().streak(), c.streak().holding(),
              c.previousWindowMs(), Double.isNaN(c.previousValue()) ? null : c.previousValue()));
        }
      }
    }
    return new StoredAlert(s.policyVersion, s.judgement, s.status, s.sequence, s.publishedSequence, s.firstFiredAtMs,
        s.namespace, s.region, s.metric, s.dimensions, s.tenant, s.severity, conditions, s.unpublished);
  }
}
