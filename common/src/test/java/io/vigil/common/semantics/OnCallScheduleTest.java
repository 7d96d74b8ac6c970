package io.vigil.common.semantics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** On-call as a pure function of a schedule and an instant: rotations, daylight saving, layers, overrides. */
class OnCallScheduleTest {

  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  private static Instant at(String local, ZoneId zone) {
    return LocalDateTime.parse(local).atZone(zone).toInstant();
  }

  private static OnCallSchedule.Layer daily(String start, List<String> who) {
    return new OnCallSchedule.Layer("primary", LocalDateTime.parse(start), Duration.ofDays(1), who, null);
  }

  @Test
  void aDailyRotationHandsOffAtTheStartsLocalTime() {
    var schedule = new OnCallSchedule(SHANGHAI, List.of(daily("2026-11-23T09:00", List.of("ana", "bo", "cy"))), null);
    assertThat(schedule.onCall(at("2026-11-23T08:59", SHANGHAI))).as("before the first handoff").isEmpty();
    assertThat(schedule.onCall(at("2026-11-23T09:00", SHANGHAI))).contains("ana");
    assertThat(schedule.onCall(at("2026-11-24T08:59", SHANGHAI))).contains("ana");
    assertThat(schedule.onCall(at("2026-11-24T09:00", SHANGHAI))).contains("bo");
    assertThat(schedule.onCall(at("2026-11-25T23:00", SHANGHAI))).contains("cy");
    assertThat(schedule.onCall(at("2026-11-26T09:00", SHANGHAI))).as("round again").contains("ana");
  }

  @Test
  void dailyHandoffsStayAtNineAcrossDaylightSaving() {
    // New York springs forward on 2026-03-08 (a 23-hour day) and falls back on 2026-11-01 (25 hours)
    var spring = new OnCallSchedule(NEW_YORK, List.of(daily("2026-03-07T09:00", List.of("ana", "bo"))), null);
    assertThat(spring.onCall(at("2026-03-08T08:59", NEW_YORK))).contains("ana");
    assertThat(spring.onCall(at("2026-03-08T09:00", NEW_YORK))).contains("bo");
    assertThat(spring.onCall(at("2026-03-09T09:00", NEW_YORK))).contains("ana");
    var autumn = new OnCallSchedule(NEW_YORK, List.of(daily("2026-10-31T09:00", List.of("ana", "bo"))), null);
    assertThat(autumn.onCall(at("2026-11-01T08:59", NEW_YORK))).contains("ana");
    assertThat(autumn.onCall(at("2026-11-01T09:00", NEW_YORK))).contains("bo");
    // an hourly rotation counts real hours: the repeated hour is a turn of its own
    var hourly = new OnCallSchedule(NEW_YORK, List.of(new OnCallSchedule.Layer("h", LocalDateTime.parse(
        "2026-11-01T00:00"), Duration.ofHours(1), List.of("ana", "bo"), null)), null);
    Instant firstOneThirty = Instant.parse("2026-11-01T05:30:00Z"); // 01:30 EDT
    Instant secondOneThirty = Instant.parse("2026-11-01T06:30:00Z"); // 01:30 EST
    assertThat(hourly.onCall(firstOneThirty)).contains("bo");
    assertThat(hourly.onCall(secondOneThirty)).contains("ana");
  }

  @Test
  void aRestrictedLaterLayerWinsInsideItsWindowAndOverridesWinOverAll() {
    var nights = daily("2026-11-23T09:00", List.of("ana", "bo"));
    var office = new OnCallSchedule.Layer("office", LocalDateTime.parse("2026-11-23T09:00"), Duration.ofDays(7),
        List.of("dee"), TimeWindow.parse("office", "Asia/Shanghai", List.of("MON", "TUE", "WED", "THU", "FRI"),
            List.of("09:00-18:00")));
    var override = new OnCallSchedule.Override(at("2026-11-25T12:00", SHANGHAI), at("2026-11-25T14:00", SHANGHAI), "eve");
    var schedule = new OnCallSchedule(SHANGHAI, List.of(nights, office), List.of(override));
    assertThat(schedule.onCall(at("2026-11-24T10:00", SHANGHAI))).as("office hours: the later layer").contains("dee");
    assertThat(schedule.onCall(at("2026-11-24T19:00", SHANGHAI))).as("evening: the base layer").contains("bo");
    assertThat(schedule.onCall(at("2026-11-28T10:00", SHANGHAI))).as("Saturday: the base layer").contains("bo");
    assertThat(schedule.onCall(at("2026-11-25T13:00", SHANGHAI))).as("the override").contains("eve");
    assertThat(schedule.onCall(at("2026-11-25T14:00", SHANGHAI))).as("override end excluded").contains("dee");
    assertThat(new OnCallSchedule(SHANGHAI, List.of(), List.of()).onCall(Instant.now())).isEqualTo(Optional.empty());
  }

  @Test
  void badSchedulesAreRefused() {
    assertThatThrownBy(() -> new OnCallSchedule.Layer("x", LocalDateTime.parse("2026-11-23T09:00"),
        Duration.ofMinutes(90), List.of("a"), null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OnCallSchedule.Layer("x", LocalDateTime.parse("2026-11-23T09:00"),
        Duration.ofDays(1), List.of(), null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new OnCallSchedule.Override(Instant.EPOCH, Instant.EPOCH, "a"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theNextHandoffIsTheNextDailyTurnOrAnOverridesEdgeExactly() {
    var schedule = new OnCallSchedule(NEW_YORK, List.of(daily("2026-03-07T09:00", List.of("ana", "bo"))), null);
    // across the spring-forward day the next handoff is still 09:00 local, 23 real hours later
    assertThat(schedule.nextHandoff(at("2026-03-07T10:00", NEW_YORK), Duration.ofDays(2)))
        .contains(new OnCallSchedule.Handoff(at("2026-03-08T09:00", NEW_YORK), "bo"));
    assertThat(schedule.nextHandoff(at("2026-03-07T08:00", NEW_YORK), Duration.ofDays(1))).as("the first turn")
        .contains(new OnCallSchedule.Handoff(at("2026-03-07T09:00", NEW_YORK), "ana"));
    assertThat(schedule.nextHandoff(at("2026-03-07T10:00", NEW_YORK), Duration.ofHours(12))).as("none this soon")
        .isEmpty();

    Instant from = at("2026-03-07T10:00", NEW_YORK).plusSeconds(17);
    var covered = new OnCallSchedule(NEW_YORK, schedule.layers(), List.of(
        new OnCallSchedule.Override(from.plusSeconds(1000), from.plusSeconds(2000), "cy")));
    assertThat(covered.nextHandoff(from, Duration.ofDays(1)))
        .contains(new OnCallSchedule.Handoff(from.plusSeconds(1000), "cy"));
    assertThat(covered.nextHandoff(from.plusSeconds(1000), Duration.ofDays(1))).as("back when it ends")
        .contains(new OnCallSchedule.Handoff(from.plusSeconds(2000), "ana"));
    var same = new OnCallSchedule(NEW_YORK, schedule.layers(), List.of(
        new OnCallSchedule.Override(from.plusSeconds(1000), from.plusSeconds(2000), "ana")));
    assertThat(same.nextHandoff(from, Duration.ofHours(12))).as("an override of the one on call changes nobody")
        .isEmpty();
    assertThatThrownBy(() -> schedule.nextHandoff(from, Duration.ofDays(40)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
