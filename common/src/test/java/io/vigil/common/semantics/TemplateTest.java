package io.vigil.common.semantics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.error.ApiException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Logic-less templates: variables, sections over lists and flags, channel escaping, checked when saved. */
class TemplateTest {

  private static final Map<String, Object> ALERT = Map.of(
      "alert", Map.of("status", "FIRING", "severity", "CRITICAL", "summary", "cpu <97%> & rising",
          "value", 97.5, "acknowledged", false,
          "dimensions", List.of(Map.of("key", "appid", "value", "1251763868"), Map.of("key", "vm", "value", "ins-1"))),
      "recipients", List.of());

  @Test
  void variablesSectionsAndInvertedSections() {
    Template t = Template.compile("body", "[{{alert.status}}] {{alert.summary}} ({{alert.value}})"
        + "{{#alert.dimensions}} {{key}}={{value}}{{/alert.dimensions}}"
        + "{{^alert.acknowledged}} not acked{{/alert.acknowledged}}{{^recipients}}; nobody{{/recipients}}");
    assertThat(t.render("body", ALERT, Template.Escape.NONE, true)).isEqualTo(
        "[FIRING] cpu <97%> & rising (97.5) appid=1251763868 vm=ins-1 not acked; nobody");
  }

  @Test
  void valuesAreEscapedForTheChannel() {
    Template t = Template.compile("body", "{{alert.summary}}");
    assertThat(t.render("body", ALERT, Template.Escape.HTML, true)).isEqualTo("cpu &lt;97%&gt; &amp; rising");
    Template json = Template.compile("body", "{\"text\": \"{{alert.summary}}\"}");
    assertThat(json.render("body", Map.of("alert", Map.of("summary", "a \"quote\"\nline\\")), Template.Escape.JSON, true))
        .isEqualTo("{\"text\": \"a \\\"quote\\\"\\nline\\\\\"}");
  }

  @Test
  void unknownVariablesAreRefusedWhenSavedAndEmptyWhenSending() {
    Template t = Template.compile("templates[0].body", "{{alert.sumary}}!");
    assertThatThrownBy(() -> t.render("templates[0].body", ALERT, Template.Escape.NONE, true))
        .isInstanceOf(ApiException.class).hasMessageContaining("unknown variable 'alert.sumary'")
        .satisfies(e -> assertThat(((ApiException) e).field()).isEqualTo("templates[0].body"));
    assertThat(t.render("body", ALERT, Template.Escape.NONE, false)).isEqualTo("!");
  }

  @Test
  void nothingButDataIsReachable() {
    // a map's entries are all a template sees: no method, no class, no file
    Template t = Template.compile("body", "{{alert.getClass}}{{alert.class.name}}");
    assertThat(t.render("body", ALERT, Template.Escape.NONE, false)).isEmpty();
    assertThatThrownBy(() -> Template.compile("body", "{{alert.dimensions}}").render("body", ALERT,
        Template.Escape.NONE, true)).isInstanceOf(ApiException.class).hasMessageContaining("not a text");
  }

  @Test
  void syntaxErrorsNameWhereTheyAre() {
    for (String bad : new String[] {"{{alert.status", "{{#a}}x", "{{/a}}", "{{#a}}{{/b}}", "{{ not a name }}",
        "{{a..b}}", "{{>partial}}", "{{{raw}}}"}) {
      assertThatThrownBy(() -> Template.compile("body", bad)).as(bad).isInstanceOf(ApiException.class)
          .satisfies(e -> assertThat(((ApiException) e).field()).isEqualTo("body"));
    }
  }

  @Test
  void outputIsBounded() {
    Template t = Template.compile("body", "{{#xs}}{{#xs}}{{#xs}}{{s}}{{/xs}}{{/xs}}{{/xs}}");
    List<Object> xs = java.util.Collections.nCopies(100, Map.of());
    assertThatThrownBy(() -> t.render("body", Map.of("xs", xs, "s", "x".repeat(1000)), Template.Escape.NONE, false))
        .isInstanceOf(ApiException.class).hasMessageContaining("renders to more than");
  }
}
