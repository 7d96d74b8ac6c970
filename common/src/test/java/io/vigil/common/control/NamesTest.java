package io.vigil.common.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.error.Violations;
import org.junit.jupiter.api.Test;

class NamesTest {

  @Test
  void anyScriptAccentsAndEmojiAreNames() {
    for (String name : new String[] {"On-call SRE", "值班组", "Ｅｑｕｉｐｅ", "e\u0301quipe", "db team \ud83d\udd25",
        "עברית", "Ops (eu-west)"}) {
      Violations v = new Violations();
      Names.displayName(v, "name", name);
      assertThat(v.list()).as(name).isEmpty();
    }
  }

  @Test
  void controlsBidiOverridesAndBrokenSurrogatesAreRefusedNamingWhere() {
    String[][] cases = {
        {"a\u0000b", "control character (U+0000) at character 1"},
        {"line\nbreak", "control character (U+000A)"},
        {"\u202Eevil", "bidirectional control (U+202E) at character 0"},
        {"x\u2066y", "bidirectional control (U+2066)"},
        {"lone \ud800", "unpaired surrogate at character 5"},
        {"\udc00x", "unpaired surrogate at character 0"}};
    for (String[] c : cases) {
      Violations v = new Violations();
      Names.displayName(v, "name", c[0]);
      assertThat(v.list()).as(c[0]).singleElement().satisfies(p -> {
        assertThat(p.field()).isEqualTo("name");
        assertThat(p.reason()).contains(c[1]);
      });
    }
  }

  @Test
  void freeTextMayHaveLineBreaksAndTabsButNoOtherControls() {
    Violations ok = new Violations();
    Names.optionalText(ok, "description", "first line\n\tsecond line\r\n", 100);
    Names.optionalText(ok, "description", null, 100);
    assertThat(ok.list()).isEmpty();
    Violations bad = new Violations();
    Names.optionalText(bad, "description", "bell\u0007", 100);
    assertThat(bad.list()).singleElement().satisfies(p -> assertThat(p.reason()).contains("U+0007"));
  }
}
