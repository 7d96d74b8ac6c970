package io.vigil.notifier.pipeline;

import io.vigil.common.model.NotificationStatus;

/**
 * What a stage decided: go on, or stop the notice with one status, a machine word saying why, and
 * the object that made it stop (a silence id, an inhibition rule and its source alert).
 *
 * @param status null to continue
 */
public record Outcome(NotificationStatus status, String reason, String detail) {

  public static final Outcome CONTINUE = new Outcome(null, null, null);

  public static Outcome stop(NotificationStatus status, String reason) {
    return new Outcome(status, reason, null);
  }

  public static Outcome stop(NotificationStatus status, String reason, String detail) {
    return new Outcome(status, reason, detail);
  }

  public boolean stops() {
    return status != null;
  }
}
