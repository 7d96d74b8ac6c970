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
   * Applies the stage to notices of different alerts at once: outcome {@code i} is notice {@code
   * i}'s, or {@code failures[i]} what it threw (that notice alone is retried). A stage that reads a
   * dependency per notice reads for all of them in one round trip; the others keep this default,
   * which applies them one by one, each under its event's trace.
   */
  default Outcome[] applyAll(java.util.List<Notice> notices, Exception[] failures) {
    Outcome[] out = new Outcome[notices.size()];
    for (int i = 0; i < out.length; i++) {
      Notice n = notices.get(i);
      try (io.vigil.common.tracing.TraceContext.Scope s = io.vigil.common.tracing.TraceContext.bind(n.trace())) {
        out[i] = apply(n);
      } catch (Exception e) {
        failures[i] = e;
      }
    }
    return out;
  }

  /**
   * Whether repeats and escalations (notices of an open episode, sent by the notifier's timers) pass
   * this stage too. Silence does (a silence added since mutes the repeats); intake and frequency,
   * which judge the detector's events, do not.
   */
  default boolean judgesFollowUps() {
    return true;
  }
}
