package io.vigil.common.model;

/**
 * How a notification left the pipeline: every exit of every stage carries exactly one of these,
 * logged under {@code status} and counted in one metric, so "why was I not paged" is one query.
 *
 * <p>What is not an exit lives on the record instead: enrichment that degraded is a flag on a
 * notification that was still sent ({@code enrichmentDegraded}); an escalation is a notification
 * with its {@code escalationLevel}; a fallback to another channel names the channel that failed
 * ({@code fellBackFrom}).
 */
public enum NotificationStatus {
  /** Delivered (an escalation or a fallback delivery included). */
  SENT,
  /** Already handled: the same event or notification id came again. */
  DUPLICATE,
  LIMITED,
  SILENCED,
  /** Inhibited by a firing alert of a rule that mutes it. */
  INHIBITED,
  SUPPRESSED_FREQUENCY,
  CONVERGED,
  /** An acknowledged alert: its repeats and escalations stop. */
  ACKNOWLEDGED,
  NO_RECEIVER,
  RENDER_FAILED,
  SEND_FAILED
}
