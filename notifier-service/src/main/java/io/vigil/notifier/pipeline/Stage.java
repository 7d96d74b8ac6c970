package io.vigil.notifier.pipeline;

/**
 * One step of the notification pipeline. A stage reads and adds to the {@link Notice} and either lets
 * it go on or stops it with a status; it never sends, records or logs the stop itself (the {@link
 * Pipeline} does, in one place). Stages run on the alert's lane thread: one notice at a time per
 * alert, so a stage needs no lock for what belongs to one alert.
 *
 * <p>A stage that cannot reach a dependency it must have throws a dependency error: the event is
 * retried later, never stopped with a status it does not deserve.
 */
public interface Stage {

  /** The stage's fixed name, as configured and as it appears in logs, metrics and explain trails. */
  String name();

  Outcome apply(Notice notice) throws Exception;

  /**
   * Whether repeats and escalations (notices of an open episode, sent by the notifier's timers) pass
   * this stage too. Silence does (a silence added since mutes the repeats); intake and frequency,
   * which judge the detector's events, do not.
   */
  default boolean judgesFollowUps() {
    return true;
  }
}
