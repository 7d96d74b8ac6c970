package io.vigil.notifier.ack;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.logging.LogContext;
import io.vigil.common.logging.LogKeys;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.NotificationRecord;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.series.AlertIds;
import io.vigil.notifier.history.TrailStore;
import io.vigil.notifier.pipeline.AlertLocks;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.PipelineMeters;
import io.vigil.notifier.state.NotifierState;
import io.vigil.notifier.state.NotifierState.AlertRecord;
import java.time.Clock;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acknowledgement: someone has the alert. Its episode's repeats and escalations stop (its timers are
 * removed, and the stages and timers check the mark), and an {@code ACKNOWLEDGED} record names who,
 * so the history (storage) and explain show it. Acknowledging twice keeps the first; an alert that
 * is resolved, or unknown to the notifier, cannot be acknowledged.
 */
public final class AckService {

  private static final Logger log = LoggerFactory.getLogger(AckService.class);

  /** What an acknowledgement came to. */
  public enum Result { ACKNOWLEDGED, ALREADY_ACKNOWLEDGED, NOT_OPEN, OTHER_EPISODE }

  /**
   * @param alert the alert as the notifier knows it (its tenant decides who may acknowledge)
   */
  public record Answer(Result result, AlertRecord alert, String ackBy, long ackAtMs) {}

  private final NotifierState state;
  private final AlertLocks locks;
  private final VigilPublisher publisher;
  private final TrailStore trail;
  private final PipelineMeters meters;
  private final Clock clock;
  private final Counter acks;

  public AckService(NotifierState state, AlertLocks locks, VigilPublisher publisher, TrailStore trail,
      PipelineMeters meters, Clock clock, MeterRegistry registry) {
    this.state = state;
    this.locks = locks;
    this.publisher = publisher;
    this.trail = trail;
    this.meters = meters;
    this.clock = clock;
    this.acks = Counter.builder("vigil.notifier.acknowledgements")
        .description("alerts acknowledged (by the API or by a link in a message)").register(registry);
  }

  /** The alert as the notifier knows it, for the caller's tenant check; null if unknown. */
  public AlertRecord find(String alertKey) {
    return state.alert(alertKey);
  }

  /**
   * Acknowledges the alert's open episode as {@code by}; the caller has checked it may.
   *
   * @param via how: {@code api} or {@code link}
   * @param episodeMs for a link: the episode it was sent for (a later episode is not acknowledged by
   *     it); null for the API
   */
  public Answer acknowledge(String alertKey, String by, String via, Long episodeMs) throws Exception {
    Semaphore lock = locks.acquire(alertKey, 10_000);
    try {
      AlertRecord a = state.alert(alertKey);
      if (a == null) {
        return null;
      }
      if (!a.open()) {
        return new Answer(Result.NOT_OPEN, a, null, 0);
      }
      if (episodeMs != null && a.event().firstFiredAtMs() != episodeMs) {
        return new Answer(Result.OTHER_EPISODE, a, null, 0);
      }
      if (a.acknowledged()) {
        return new Answer(Result.ALREADY_ACKNOWLEDGED, a, a.ackBy(), a.ackAtMs());
      }
      long now = clock.millis();
      state.acknowledged(alertKey, by, now);
      state.cancelTimers(alertKey);
      state.sync(); // durable before the answer (and before the alert's lock is let go)
      AlertEvent e = a.event();
      NotificationRecord r = new NotificationRecord(NotificationRecord.SCHEMA_VERSION,
          AlertIds.notificationId(e.eventId(), by, "ack"), e.eventId(), alertKey, e.tenant(), e.region(),
          e.policyId(), by, null, NotificationStatus.ACKNOWLEDGED, "acknowledge", 0, via, now, e.status(),
          e.severity(), e.namespace(), e.objectId() == null ? "metric" : "event", false, a.level(), null, 0, null);
      publisher.publish(Topics.NOTIFY_RECORDS, r).get(10, TimeUnit.SECONDS);
      Notice n = new Notice(e, now);
      n.step("acknowledge", NotificationStatus.ACKNOWLEDGED.name(), via, "by " + by, by, null, r.notificationId(),
          now);
      trail.append(n);
      meters.exit("acknowledge", NotificationStatus.ACKNOWLEDGED);
      acks.increment();
      try (LogContext ctx = LogContext.with(LogKeys.TENANT, e.tenant()).and(LogKeys.POLICY_ID, e.policyId())
          .and(LogKeys.ALERT_KEY, alertKey).and(LogKeys.STATUS, NotificationStatus.ACKNOWLEDGED.name())) {
        log.info("alert {} acknowledged by {} ({}): repeats and escalations stop", alertKey, by, via);
      }
      return new Answer(Result.ACKNOWLEDGED, a, by, now);
    } finally {
      lock.release();
    }
  }
}
