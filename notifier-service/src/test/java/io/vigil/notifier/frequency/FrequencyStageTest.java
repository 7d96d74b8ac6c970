package io.vigil.notifier.frequency;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ControlJson;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.series.AlertIds;
import io.vigil.notifier.control.ControlCopy.LivePolicy;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.state.NotifierState.AlertRecord;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrequencyStageTest {

  static final long T0 = Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();
  static final LivePolicy POLICY = new LivePolicy("p1", "t1", 1, true, ControlJson.read("""
      {"name": "p", "namespace": "acme/vm", "conditions": [{"metric": "cpu_usage", "period": 60,
       "operator": "GT", "threshold": 90}], "notification": {"repeatIntervalSec": 300,
       "escalations": [{"afterSec": 120, "receivers": {"users": ["a"]}}]}}""", AlertPolicy.class).withDefaults());

  static AlertEvent event(long seq, AlertStatus status) {
    String key = "p1:s:000000000000002a";
    return new AlertEvent(1, AlertIds.eventId(key, seq), key, "p1", 1, "t1", "acme/vm", "ap-guangzhou", "cpu_usage",
        42, null, Map.of(), status, AlertEvent.Severity.WARNING, seq, 95.0, 90.0, null, 0, T0, 60, 0, "default", null);
  }

  static Outcome judge(AlertRecord before, AlertEvent e, long nowMs) {
    Notice n = new Notice(e, nowMs);
    n.previous(before);
    n.policy(POLICY);
    return new FrequencyStage(Clock.fixed(Instant.ofEpochMilli(nowMs), ZoneOffset.UTC)).apply(n);
  }

  @Test
  void aChangeOfStatusAlwaysPasses() {
    AlertRecord firing = new AlertRecord(event(1, AlertStatus.FIRING), T0, 0, 0, null, 0);
    assertThat(judge(null, event(1, AlertStatus.FIRING), T0).stops()).isFalse();
    assertThat(judge(firing, event(2, AlertStatus.RESOLVED), T0 + 1000).stops()).isFalse();
    assertThat(judge(firing, event(2, AlertStatus.NO_DATA), T0 + 1000).stops()).isFalse();
    AlertRecord resolved = new AlertRecord(event(2, AlertStatus.RESOLVED), T0, 0, 0, null, 0);
    assertThat(judge(resolved, event(3, AlertStatus.FIRING), T0 + 1000).stops()).as("a new episode").isFalse();
  }

  @Test
  void theSameStatusAgainWaitsForTheNextRepeatAndAnAcknowledgedEpisodeStaysQuiet() {
    AlertRecord firing = new AlertRecord(event(1, AlertStatus.FIRING), T0, 0, 0, null, 0);
    Outcome early = judge(firing, event(2, AlertStatus.FIRING), T0 + 60_000);
    assertThat(early.status()).isEqualTo(NotificationStatus.SUPPRESSED_FREQUENCY);
    assertThat(early.reason()).isEqualTo("repeat_interval");
    assertThat(judge(firing, event(2, AlertStatus.FIRING), T0 + 300_000).stops()).as("due").isFalse();
    AlertRecord acked = new AlertRecord(event(1, AlertStatus.FIRING), T0, 0, 0, "ann", T0 + 1);
    assertThat(judge(acked, event(2, AlertStatus.FIRING), T0 + 900_000).reason()).isEqualTo("acknowledged");
  }

  @Test
  void theEndOfAnEpisodeNoOneWasToldOfIsMutedTheSameWay() {
    AlertRecord silenced = new AlertRecord(event(1, AlertStatus.FIRING), T0, 0, 0, null, 0, false, "SILENCED");
    Outcome o = judge(silenced, event(2, AlertStatus.RESOLVED), T0 + 1000);
    assertThat(o.status()).isEqualTo(NotificationStatus.SILENCED);
    assertThat(o.reason()).isEqualTo("episode_muted");
    AlertRecord toldLater = new AlertRecord(event(1, AlertStatus.FIRING), T0, 1, 0, null, 0, true, null);
    assertThat(judge(toldLater, event(2, AlertStatus.RESOLVED), T0 + 1000).stops()).isFalse();
  }

  @Test
  void repeatsAndEscalationsAreTimedFromTheEpisodesStart() {
    AlertRecord twoRepeats = new AlertRecord(event(1, AlertStatus.FIRING), T0, 2, 0, null, 0);
    assertThat(Lifecycle.nextRepeatAt(twoRepeats, Lifecycle.repeatIntervalMs(POLICY))).isEqualTo(T0 + 900_000);
    assertThat(Lifecycle.nextEscalationAt(twoRepeats, POLICY)).isEqualTo(T0 + 120_000);
    AlertRecord escalated = new AlertRecord(event(1, AlertStatus.FIRING), T0, 0, 1, null, 0);
    assertThat(Lifecycle.nextEscalationAt(escalated, POLICY)).as("no level left").isEqualTo(-1);
    assertThat(Lifecycle.repeatIntervalMs(null)).isEqualTo(Lifecycle.DEFAULT_REPEAT_MS);
  }
}
