package io.vigil.common.semantics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.error.ApiException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Recurring windows in an IANA zone, daylight-saving days included. */
class TimeWindowTest {

  private static Instant utc(String localUtc) {
    return LocalDateTime.parse(localUtc).toInstant(ZoneOffset.UTC);
  }

  private static Instant at(String local, String zone) {
    return LocalDateTime.parse(local).atZone(ZoneId.of(zone)).toInstant();
  }

  static Stream<Arguments> table() {
    TimeWindow nights = TimeWindow.parse("w", "Asia/Shanghai", List.of("FRI"), List.of("22:00-06:00"));
    TimeWindow office = TimeWindow.parse("w", "Europe/Berlin", List.of("monday", "TUESDAY"), List.of("09:00-17:30"));
    TimeWindow allDaySunday = TimeWindow.parse("w", "UTC", List.of("SUN"), List.of());
    TimeWindow untilMidnight = TimeWindow.parse("w", "UTC", List.of(), List.of("20:00-24:00"));
    // 2026-03-08 02:00-03:00 does not exist in New York (clocks jump to 03:00)
    TimeWindow springGap = TimeWindow.parse("w", "America/New_York", List.of(), List.of("02:00-03:00"));
    // 2026-11-01 01:00-02:00 happens twice in New York (EDT, then EST)
    TimeWindow autumnTwice = TimeWindow.parse("w", "America/New_York", List.of(), List.of("01:00-02:00"));
    return Stream.of(
        // 2026-11-27 is a Friday
        Arguments.of("Friday 22:00 Beijing", nights, at("2026-11-27T22:00", "Asia/Shanghai"), true),
        Arguments.of("Friday 21:59 Beijing", nights, at("2026-11-27T21:59", "Asia/Shanghai"), false),
        Arguments.of("Saturday 05:59 Beijing, started Friday", nights, at("2026-11-28T05:59", "Asia/Shanghai"), true),
        Arguments.of("Saturday 06:00 Beijing: end excluded", nights, at("2026-11-28T06:00", "Asia/Shanghai"), false),
        Arguments.of("Saturday 22:00 Beijing: not a Friday", nights, at("2026-11-28T22:00", "Asia/Shanghai"), false),
        Arguments.of("Friday 14:00 UTC is 22:00 Beijing", nights, utc("2026-11-27T14:00"), true),
        Arguments.of("Monday 09:00 Berlin", office, at("2026-11-30T09:00", "Europe/Berlin"), true),
        Arguments.of("Monday 17:30 Berlin: end excluded", office, at("2026-11-30T17:30", "Europe/Berlin"), false),
        Arguments.of("Wednesday noon Berlin", office, at("2026-12-02T12:00", "Europe/Berlin"), false),
        Arguments.of("Sunday any time", allDaySunday, utc("2026-11-29T23:59:59"), true),
        Arguments.of("Monday 00:00 after that Sunday", allDaySunday, utc("2026-11-30T00:00"), false),
        Arguments.of("23:59 inside 20:00-24:00", untilMidnight, utc("2026-11-30T23:59:59"), true),
        Arguments.of("00:00 after it", untilMidnight, utc("2026-12-01T00:00"), false),
        Arguments.of("spring: 06:30 UTC is 01:30 EST", springGap, utc("2026-03-08T06:30"), false),
        Arguments.of("spring: 07:00 UTC is 03:00 EDT, the gap skipped", springGap, utc("2026-03-08T07:00"), false),
        Arguments.of("spring: 02:30 the day before exists", springGap, at("2026-03-07T02:30", "America/New_York"), true),
        Arguments.of("autumn: 05:30 UTC is 01:30 EDT", autumnTwice, utc("2026-11-01T05:30"), true),
        Arguments.of("autumn: 06:30 UTC is 01:30 EST, again", autumnTwice, utc("2026-11-01T06:30"), true),
        Arguments.of("autumn: 07:00 UTC is 02:00 EST", autumnTwice, utc("2026-11-01T07:00"), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void contains(String what, TimeWindow window, Instant instant, boolean expected) {
    assertThat(window.contains(instant)).isEqualTo(expected);
  }

  @Test
  void badInputNamesItsField() {
    assertField(() -> TimeWindow.parse("windows[1]", "Mars/Olympus", List.of(), List.of()), "windows[1].zone");
    assertField(() -> TimeWindow.parse("windows[1]", "UTC", List.of("MON", "Funday"), List.of()), "windows[1].weekdays[1]");
    assertField(() -> TimeWindow.parse("windows[1]", "UTC", List.of(), List.of("9-17")), "windows[1].times[0]");
    assertField(() -> TimeWindow.parse("windows[1]", "UTC", List.of(), List.of("09:00-09:00")), "windows[1].times[0]");
    assertField(() -> TimeWindow.parse("windows[1]", "UTC", List.of(), List.of("09:00")), "windows[1].times[0]");
  }

  private static void assertField(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String field) {
    assertThatThrownBy(call).isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).field()).isEqualTo(field));
  }
}
