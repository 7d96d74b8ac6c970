package io.vigil.console.silences;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a recurring silence is next in force, in the window's own zone. */
class RecurringSilenceTest {

  @Test
  void aRecurringSilenceIsNextInForceAtItsWindowInTheWindowsZone() {
    Map<String, Object> nightly = Map.of("matchers", List.of(Map.of("Function", "Equal", "Field", "vm", "Args", "x")),
        "recurring", Map.of("zone", "Asia/Shanghai", "weekdays", List.of(), "times", List.of("02:00-04:00")));
    long noonShanghai = at("2026-12-05T12:00", "Asia/Shanghai");
    long[] next = SilenceController.nextInForce(nightly, noonShanghai);
    assertThat(next).containsExactly(at("2026-12-06T02:00", "Asia/Shanghai"), at("2026-12-06T04:00", "Asia/Shanghai"));
    long inside = at("2026-12-06T03:10", "Asia/Shanghai");
    assertThat(SilenceController.nextInForce(nightly, inside)).as("in force now: from now")
        .containsExactly(inside, at("2026-12-06T04:00", "Asia/Shanghai"));

    Map<String, Object> sundays = new LinkedHashMap<>(nightly);
    sundays.put("recurring", Map.of("zone", "Europe/Berlin", "weekdays", List.of("SUN"), "times", List.of()));
    sundays.put("endsAtMs", at("2026-12-06T10:00", "Europe/Berlin"));
    // Saturday 2026-12-05: all Sunday, but the silence ends at 10:00 that Sunday
    assertThat(SilenceController.nextInForce(sundays, at("2026-12-05T12:00", "Europe/Berlin")))
        .containsExactly(at("2026-12-06T00:00", "Europe/Berlin"), at("2026-12-06T10:00", "Europe/Berlin"));
    assertThat(SilenceController.nextInForce(sundays, at("2026-12-07T12:00", "Europe/Berlin"))).as("over")
        .containsExactly(0L, 0L);
  }

  private static long at(String local, String zone) {
    return LocalDateTime.parse(local).atZone(ZoneId.of(zone)).toInstant().toEpochMilli();
  }
}
