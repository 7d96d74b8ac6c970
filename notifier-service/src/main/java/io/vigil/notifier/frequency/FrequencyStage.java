package io.vigil.notifier.frequency;

import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.NotificationStatus;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.pipeline.Stage;
import io.vigil.notifier.state.NotifierState.AlertRecord;
import java.time.Clock;

/**
 * Notification frequency (通知频率): a change of status passes (FIRING, RESOLVED, NO_DATA, and back), as
 * do repeats and escalations, which the notifier's own timers send at their times — except the
 * RESOLVED of an episode no one was told of (its FIRING silenced, inhibited or limited), which stops
 * with the same status: nobody hears that something they never heard of ended. What the
 * detector sends again without a change — a FIRING of an episode already open, e.g. after its policy
 * was edited — is {@code SUPPRESSED_FREQUENCY} until the episode's next repeat is due, so an edited
 * policy does not page everyone again; an acknowledged episode's is suppressed too.
 */
public final class FrequencyStage implements Stage {

  private final Clock clock;

  public FrequencyStage(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String name() {
    return "frequency";
  }

  @Override
  public Outcome apply(Notice n) {
    AlertRecord before = n.previous();
    AlertEvent e = n.event();
    if (n.kind() != Notice.Kind.EVENT || before == null || !before.open()) {
      return Outcome.CONTINUE;
    }
    if (e.status() == AlertEvent.AlertStatus.RESOLVED && !before.notified() && before.mutedBy() != null) {
      // no one was told it fired: no one is told it ended, and the end is muted the same way
      return Outcome.stop(NotificationStatus.valueOf(before.mutedBy()), "episode_muted",
          "its firing was " + before.mutedBy());
    }
    if (before.event().status() != e.status()) {
      return Outcome.CONTINUE;
    }
    if (before.acknowledged()) {
      return Outcome.stop(NotificationStatus.SUPPRESSED_FREQUENCY, "acknowledged", "by " + before.ackBy());
    }
    long nextRepeat = Lifecycle.nextRepeatAt(before, Lifecycle.repeatIntervalMs(n.policy()));
    if (clock.millis() < nextRepeat) {
      return Outcome.stop(NotificationStatus.SUPPRESSED_FREQUENCY, "repeat_interval",
          "same status, next repeat due at " + java.time.Instant.ofEpochMilli(nextRepeat));
    }
    return Outcome.CONTINUE;
  }

  /** Repeats and escalations are the timers' own: this stage does not judge them again. */
  @Override
  public boolean judgesFollowUps() {
    return false;
  }
}
