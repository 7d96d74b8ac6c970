package io.vigil.common.semantics;

import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A recurring window of wall-clock time in an IANA zone: some weekdays, some times of day (silences
 * "every night 22:00 to 06:00 Beijing time", maintenance "Sundays 02:00 to 04:00 Berlin time"). The
 * one definition silences, inhibition schedules and on-call use.
 *
 * <p>Meaning, stated once and tested with daylight-saving days:
 *
 * <ul>
 *   <li>A time range is [start, end) in local wall-clock time; {@code 24:00} as an end means the end
 *       of the day. A range whose end is before its start crosses midnight and belongs to the day it
 *       starts: "Fri 22:00–06:00" covers Saturday 05:59.
 *   <li>No weekdays means every day; no time ranges means the whole day.
 *   <li>Daylight saving: an instant is judged by its local time in the zone. A local time skipped in
 *       spring does not occur, so a window inside the gap contains no instant that day; a local time
 *       repeated in autumn occurs twice, and both instants are inside.
 * </ul>
 */
public record TimeWindow(ZoneId zone, Set<DayOfWeek> weekdays, List<Range> ranges) {

  /** [start, end) in local time; {@code end == null} means 24:00. */
  public record Range(LocalTime start, LocalTime end) {

    boolean crossesMidnight() {
      return end != null && end.isBefore(start);
    }

    boolean containsSameDay(LocalTime t) {
      return !t.isBefore(start) && (end == null || t.isBefore(end));
    }
  }

  public TimeWindow {
    weekdays = weekdays == null || weekdays.isEmpty() ? EnumSet.allOf(DayOfWeek.class) : EnumSet.copyOf(weekdays);
    ranges = ranges == null || ranges.isEmpty() ? List.of(new Range(LocalTime.MIDNIGHT, null)) : List.copyOf(ranges);
  }

  /**
   * Checks and builds a window as the API receives it.
   *
   * @param path where the window stands in the request, e.g. {@code windows[0]}
   * @param zone an IANA zone id, e.g. {@code Asia/Shanghai}
   * @param weekdays {@code MONDAY} ... or {@code MON} ..., any case; empty for every day
   * @param times ranges as {@code HH:mm-HH:mm}; empty for the whole day
   */
  public static TimeWindow parse(String path, String zone, List<String> weekdays, List<String> times) {
    ZoneId zoneId;
    try {
      zoneId = ZoneId.of(zone == null ? "" : zone);
    } catch (DateTimeException e) {
      throw invalid(path + ".zone", "not an IANA time zone: " + zone);
    }
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    if (weekdays != null) {
      for (int i = 0; i < weekdays.size(); i++) {
        days.add(day(path + ".weekdays[" + i + "]", weekdays.get(i)));
      }
    }
    List<Range> ranges = new ArrayList<>();
    if (times != null) {
      for (int i = 0; i < times.size(); i++) {
        ranges.add(range(path + ".times[" + i + "]", times.get(i)));
      }
    }
    return new TimeWindow(zoneId, days, ranges);
  }

  private static DayOfWeek day(String field, String text) {
    if (text != null) {
      String t = text.trim().toUpperCase(Locale.ROOT);
      for (DayOfWeek d : DayOfWeek.values()) {
        if (d.name().equals(t) || d.name().substring(0, 3).equals(t)) {
          return d;
        }
      }
    }
    throw invalid(field, "not a weekday: " + text);
  }

  private static Range range(String field, String text) {
    String[] parts = text == null ? new String[0] : text.split("-", -1);
    if (parts.length != 2) {
      throw invalid(field, "a time range is HH:mm-HH:mm: " + text);
    }
    try {
      LocalTime start = LocalTime.parse(parts[0].trim());
      String endText = parts[1].trim();
      LocalTime end = endText.equals("24:00") ? null : LocalTime.parse(endText);
      if (end != null && end.equals(start)) {
        throw invalid(field, "an empty range: start and end are the same");
      }
      return new Range(start, end);
    } catch (DateTimeParseException e) {
      throw invalid(field, "a time range is HH:mm-HH:mm: " + text);
    }
  }

  private static ApiException invalid(String field, String detail) {
    return new ApiException(ErrorCode.VALIDATION_FAILED, field, detail);
  }

  /** Whether the instant falls inside this window. */
  public boolean contains(Instant instant) {
    ZonedDateTime local = instant.atZone(zone);
    DayOfWeek today = local.getDayOfWeek();
    DayOfWeek yesterday = today.minus(1);
    LocalTime time = local.toLocalTime();
    for (Range r : ranges) {
      if (r.crossesMidnight()) {
        if ((weekdays.contains(today) && !time.isBefore(r.start()))
            || (weekdays.contains(yesterday) && time.isBefore(r.end()))) {
          return true;
        }
      } else if (weekdays.contains(today) && r.containsSameDay(time)) {
        return true;
      }
    }
    return false;
  }
}
