package io.vigil.console.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.mock.web.MockHttpServletRequest;

/** Where forms return to, errors mapped to the rows filled, the user's zone: as tables. */
class SystemPartsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "/?tenant=t1                 | /?tenant=t1",
      "/alerts/detail?key=a%2Fb    | /alerts/detail?key=a%2Fb",
      "https://evil.example/       | /",
      "//evil.example/             | /",
      "/\\\\evil.example            | /",
      "/sign-in                    | /",
      "/alerts/rows?tenant=t1      | /",
      "/error                      | /",
      "/{x}                        | /",
      "'/a b'                      | /",
      "relative                    | /"})
  void aFormReturnsOnlyToAPageOfThisConsole(String back, String expected) {
    assertThat(Back.safe(back)).isEqualTo(expected);
  }

  @Test
  void theControlPlanesRowIsTheFormsRowLessTheBlankOnes() {
    List<Boolean> blanks = List.of(false, true, true, false, false);
    assertThat(FormRows.formField("matchers[0].Args", "matchers", blanks)).isEqualTo("matchers[0].Args");
    assertThat(FormRows.formField("matchers[1].Args", "matchers", blanks)).isEqualTo("matchers[3].Args");
    assertThat(FormRows.formField("matchers[2]", "matchers", blanks)).isEqualTo("matchers[4]");
    assertThat(FormRows.formField("matchers[9]", "matchers", blanks)).as("no such row: as it came")
        .isEqualTo("matchers[9]");
    assertThat(FormRows.formField("sourceMatchers[1]", "matchers", blanks)).isEqualTo("sourceMatchers[1]");
  }

  @Test
  void theUsersZoneIsAnIanaNameOrUtc() {
    assertThat(zoneOf("Asia%2FShanghai")).isEqualTo("Asia/Shanghai");
    assertThat(zoneOf("%2B05%3A00")).as("an offset is not a zone").isEqualTo("Z");
    assertThat(zoneOf("GMT%2B1")).isEqualTo("Z");
    assertThat(zoneOf("Mars%2FOlympus")).isEqualTo("Z");
    assertThat(new UserZone(ZoneId.of("Asia/Shanghai")).format(Instant.parse("2026-12-05T18:30:00Z").toEpochMilli()))
        .isEqualTo("2026-12-06 02:30:00");
  }

  private static String zoneOf(String cookie) {
    MockHttpServletRequest request = new MockHttpServletRequest();
    request.setCookies(new jakarta.servlet.http.Cookie("vigil_tz", cookie));
    return UserZone.of(request).name();
  }
}
