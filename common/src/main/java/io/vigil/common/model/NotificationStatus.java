package io.vigil.common.model;

/**
 * How a notification left the pipeline: every exit of every stage carries exactly one of these,
 * logged under {@code status} and counted in one metric, so "why was I not paged" is one query.
 */
public enum NotificationStatus {
  SENT,
  DUPLICATE,
  LIMITED,
  SILENCED,
  SUPPRESSED_FREQUENCY,
  CONVERGED,
  ENRICH_DEGRADED,
  NO_RECEIVER,
  RENDER_FAILED,
  SEND_FAILED
}
