package io.vigil.storage.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.common.model.AlertEvent.Severity;
import io.vigil.common.model.Channel;
import io.vigil.common.model.NotificationRecord;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.series.AlertIds;
import io.vigil.common.series.AlertKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

public class AlertSummaryTest {

  static final long T = 1_764_892_800_000L;

  public static AlertEvent event(String key, long seq, AlertStatus status, Severity severity, long at, long firstFired) {
    return new AlertEvent(1, AlertIds.eventId(key, seq), key, AlertKey.parse(key).policyId(), 2, "t1", "qce/cvm",
        "local", "cpu", 7L, null, Map.of("host", "a"), status, severity, seq, status == AlertStatus.NO_DATA ? null : 95.0,
        90.0, "cpu high", firstFired, at, 60, at - 60_000, "default", null);
  }

  static final String KEY = AlertKey.ofSeries("p-9", 7L).value();

  @Test
  void followsTheNewestEventAndIgnoresOldOnes() {
    Map<String, Object> s = AlertSummary.apply(new HashMap<>(), List.of(
        event(KEY, 1, AlertStatus.FIRING, Severity.WARNING, T, T),
        event(KEY, 2, AlertStatus.FIRING, Severity.CRITICAL, T + 60_000, T)));
    assertThat(s).containsEntry("open", true).containsEntry("sequence", 2L).containsEntry("severity", "CRITICAL")
        .containsEntry("severityRank", 0).containsEntry("openedAtMs", T).containsEntry("events", 2)
        .doesNotContainKey("resolvedAtMs");

    Map<String, Object> again = AlertSummary.apply(s, List.of(event(KEY, 1, AlertStatus.FIRING, Severity.INFO, T, T)));
    assertThat(again).as("a replayed event changes nothing").isSameAs(s);

    Map<String, Object> resolved = AlertSummary.apply(s, List.of(event(KEY, 3, AlertStatus.RESOLVED,
        Severity.CRITICAL, T + 180_000, T)));
    assertThat(resolved).containsEntry("open", false).containsEntry("resolvedAtMs", T + 180_000)
        .containsEntry("openedAtMs", T).containsEntry("events", 3);
  }

  @Test
  void aNewEpisodeReopensUnacknowledged() {
    Map<String, Object> s = AlertSummary.apply(new HashMap<>(), List.of(
        event(KEY, 1, AlertStatus.FIRING, Severity.WARNING, T, T)));
    s = AlertSummary.acknowledge(s, ack(KEY, T + 10_000, "alice"));
    assertThat(s).containsEntry("acknowledgedBy", "alice").containsEntry("acknowledgedAtMs", T + 10_000);
    assertThat(AlertSummary.acknowledge(s, ack(KEY, T + 5_000, "bob"))).as("an older ack").isSameAs(s);

    s = AlertSummary.apply(s, List.of(event(KEY, 2, AlertStatus.RESOLVED, Severity.WARNING, T + 60_000, T)));
    assertThat(s).as("kept while it resolves").containsEntry("acknowledgedBy", "alice");
    s = AlertSummary.apply(s, List.of(event(KEY, 3, AlertStatus.FIRING, Severity.WARNING, T + 600_000, T + 600_000)));
    assertThat(s).containsEntry("open", true).containsEntry("openedAtMs", T + 600_000)
        .doesNotContainKey("acknowledgedBy").doesNotContainKey("resolvedAtMs");
  }

  @Test
  void anAcknowledgementBeforeTheEventsIsKeptWhenTheyArrive() {
    Map<String, Object> s = AlertSummary.acknowledge(new HashMap<>(), ack(KEY, T + 10_000, "alice"));
    s = AlertSummary.apply(s, List.of(event(KEY, 1, AlertStatus.FIRING, Severity.INFO, T + 20_000, T)));
    assertThat(s).containsEntry("open", true).containsEntry("acknowledgedBy", "alice").containsEntry("tenant", "t1");
  }

  @Test
  void noDataIsOpen() {
    Map<String, Object> s = AlertSummary.apply(new HashMap<>(), List.of(
        event(KEY, 1, AlertStatus.NO_DATA, Severity.INFO, T, 0)));
    assertThat(s).containsEntry("open", true).containsEntry("openedAtMs", T).doesNotContainKey("value")
        .containsEntry("severityRank", 2);
  }

  public static NotificationRecord ack(String key, long at, String who) {
    String eventId = AlertIds.eventId(key, 1);
    return new NotificationRecord(1, AlertIds.notificationId(eventId, who, "ack"), eventId, key, "t1", "local",
        "p-9", who, null, NotificationStatus.ACKNOWLEDGED, "acknowledge", 0, null, at, AlertStatus.FIRING,
        Severity.WARNING, "qce/cvm", "metric", false, 0, null, 0, null);
  }

  public static NotificationRecord sent(String key, long seq, long at, String who, Channel channel, int level) {
    String eventId = AlertIds.eventId(key, seq);
    return new NotificationRecord(1, AlertIds.notificationId(eventId, who, channel.name()), eventId, key, "t1",
        "local", "p-9", who, channel, NotificationStatus.SENT, "dispatch", 1, null, at, AlertStatus.FIRING,
        Severity.WARNING, "qce/cvm", "metric", false, level, null, 0, null);
  }
}
