package io.vigil.console.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy editor's form against the control plane's spec, and what an audit entry changed. */
class PolicyFormTest {

  @Test
  void thePolicyFormCarriesOverWhatItDoesNotShowAndNamesBadNumbersByTheirRow() {
    Map<String, Object> stored = new LinkedHashMap<>();
    stored.put("name", "cpu");
    stored.put("namespace", "acme/vm");
    stored.put("conditions", List.of(Map.of("metric", "cpu", "period", 60, "operator", "GT", "threshold", 90.0,
        "noDataPeriods", 5)));
    stored.put("eventRules", List.of(Map.of("eventTypes", List.of("reboot"))));
    stored.put("notification", Map.of("escalations", List.of(Map.of("afterSec", 600))));
    stored.put("filters", List.of(Map.of("Function", "In", "Field", "zone", "Args", List.of("a", "b"))));
    PolicyForm form = PolicyForm.of("t1", "p-1", 3, stored);
    assertThat(form.getFilters().get(0).getArgs()).isEqualTo("a,b");
    assertThat(form.getConditions().get(0).getThreshold()).isEqualTo("90");

    form.getConditions().get(0).setThreshold("95.5");
    Map<String, String> errors = new LinkedHashMap<>();
    Map<String, Object> spec = form.padded(3).toSpec(stored, errors);
    assertThat(errors).isEmpty();
    assertThat(spec.get("eventRules")).isEqualTo(stored.get("eventRules"));
    assertThat(((Map<?, ?>) spec.get("notification")).get("escalations")).isNotNull();
    Map<?, ?> condition = (Map<?, ?>) ((List<?>) spec.get("conditions")).get(0);
    assertThat(condition.get("threshold")).isEqualTo(95.5);
    assertThat(condition.get("noDataPeriods")).as("not on the form, kept").isEqualTo(5);
    assertThat(((List<?>) spec.get("filters")).get(0)).isEqualTo(Map.of("Function", "In", "Field", "zone", "Args",
        List.of("a", "b")));

    // a blank row before a bad one: errors name the form's row, both the form's own and the control plane's
    PolicyForm gaps = new PolicyForm();
    gaps.getConditions().add(new PolicyForm.ConditionRow());
    PolicyForm.ConditionRow bad = new PolicyForm.ConditionRow();
    bad.setMetric("cpu");
    bad.setThreshold("ninety");
    gaps.getConditions().add(bad);
    Map<String, String> local = new LinkedHashMap<>();
    gaps.toSpec(Map.of(), local);
    assertThat(local).containsOnlyKeys("conditions[1].threshold");
    assertThat(gaps.formField("conditions[0].threshold")).isEqualTo("conditions[1].threshold");
    assertThat(gaps.formField("name")).isEqualTo("name");
  }

  @Test
  void anAuditEntryNamesTheFieldsItChanged() {
    assertThat(PolicyController.changedKeys(Map.of("spec", Map.of("name", "a", "enabled", true)),
        Map.of("spec", Map.of("name", "a", "enabled", false, "labels", Map.of())))).containsExactly("enabled", "labels");
  }
}
