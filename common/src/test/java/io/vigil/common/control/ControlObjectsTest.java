package io.vigil.common.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.error.ApiException;
import io.vigil.common.error.FieldProblem;
import io.vigil.common.error.Violations;
import io.vigil.common.model.Channel;
import io.vigil.common.model.ControlChange.EntityType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The checks of the control objects, the ones the API saves with and readers re-run. */
class ControlObjectsTest {

  static final NamespaceConfig NS = new NamespaceConfig("qce/cvm", null, null, List.of("instance"), List.of("zone"),
      List.of(new NamespaceConfig.Metric("cpu", "percent", null)), List.of(60, 300), null, null, List.of("reboot"),
      null, null, null).withDefaults();

  static AlertPolicy.Condition condition(String operator, double threshold, Double recovery) {
    return new AlertPolicy.Condition("cpu", 60, null, null, null, AlertPolicy.Operator.valueOf(operator), threshold,
        null, null, recovery, null).withDefaults();
  }

  static AlertPolicy policy(List<AlertPolicy.Condition> conditions, List<FilterSpec> filters) {
    return new AlertPolicy("p", "qce/cvm", conditions, null, filters, null, null, null, null, null, null, null)
        .withDefaults();
  }

  static List<String> fields(Violations v) {
    return v.list().stream().map(FieldProblem::field).toList();
  }

  @Test
  void theInstanceAnAlertIsAboutIsItsInstanceDimensionElseItsObject() {
    NamespaceConfig withInstances = new NamespaceConfig("qce/cvm", null, null, List.of("instance"), List.of("zone"),
        List.of(new NamespaceConfig.Metric("cpu", "percent", null)), List.of(60), null, null, List.of("reboot"),
        null, null, null, "instance").withDefaults();
    assertThat(withInstances.instanceIdOf(java.util.Map.of("instance", "ins-1", "zone", "z"), "obj-9")).isEqualTo("ins-1");
    assertThat(withInstances.instanceIdOf(java.util.Map.of("zone", "z"), "obj-9")).as("an event's object").isEqualTo("obj-9");
    assertThat(withInstances.instanceIdOf(null, null)).isNull();
    assertThat(NS.instanceIdOf(java.util.Map.of("instance", "ins-1"), "obj-9")).as("no instance dimension").isNull();
  }

  @Test
  void aNamespaceGetsItsDefaultsAndTheTenantDimensionIsAlwaysRequired() {
    assertThat(NS.tenantDimension()).isEqualTo("appid");
    assertThat(NS.requiredDimensions()).containsExactly("appid", "instance");
    assertThat(NS.shard()).isEqualTo("default");
    assertThat(NS.graceMs()).isEqualTo(NamespaceConfig.DEFAULT_GRACE_MS);
    assertThat(NS.dimensions()).containsExactlyInAnyOrder("appid", "instance", "zone");
    Violations v = new Violations();
    NS.validate(v);
    assertThat(v.isEmpty()).as("%s", v.list()).isTrue();
  }

  @Test
  void theInstanceDimensionIsOneOfTheNamespacesOtherThanTheTenants() {
    for (String[] c : new String[][] {{"instance", "ok"}, {"zone", "ok"}, {"appid", "bad"}, {"host", "bad"}}) {
      NamespaceConfig ns = new NamespaceConfig("qce/cvm", null, null, List.of("instance"), List.of("zone"),
          NS.metrics(), NS.periods(), null, null, null, null, null, null, c[0]).withDefaults();
      assertThat(ns.instanceDimension()).isEqualTo(c[0]);
      Violations v = new Violations();
      ns.validate(v);
      assertThat(fields(v)).as(c[0]).isEqualTo(c[1].equals("ok") ? List.of() : List.of("instanceDimension"));
    }
  }

  @Test
  void aDimensionAddedToAnExistingNamespaceMustBeOptional() {
    NamespaceConfig more = new NamespaceConfig("qce/cvm", null, null, List.of("instance", "host"), List.of("zone"),
        NS.metrics(), NS.periods(), null, null, null, null, null, null).withDefaults();
    Violations v = new Violations();
    more.validateChangeFrom(NS, v);
    assertThat(fields(v)).containsExactly("requiredDimensions");
    NamespaceConfig optional = new NamespaceConfig("qce/cvm", null, null, List.of("instance"), List.of("zone", "host"),
        NS.metrics(), NS.periods(), null, null, null, null, null, null).withDefaults();
    Violations ok = new Violations();
    optional.validateChangeFrom(NS, ok);
    assertThat(ok.isEmpty()).isTrue();
  }

  @ParameterizedTest(name = "{0} with shard ''{1}''")
  @CsvSource({"qce/cvm,default,true", "qce/cvm,Big_Shard,false", "QCE/cvm,default,false", "qce,default,false",
      "qce/cvm,db-1,true"})
  void namesAndShardsHaveOneShape(String name, String shard, boolean valid) {
    NamespaceConfig ns = new NamespaceConfig(name, null, null, null, null, List.of(), null, null, null, null, shard,
        null, null).withDefaults();
    Violations v = new Violations();
    ns.validate(v);
    assertThat(v.isEmpty()).as("%s", v.list()).isEqualTo(valid);
  }

  @ParameterizedTest(name = "{0} {1} recovering at {2}: {3}")
  @CsvSource({"GT,90,80,true", "GT,90,95,false", "GE,90,90,true", "LT,10,20,true", "LT,10,5,false", "EQ,1,1,false"})
  void aRecoveryThresholdLiesOnTheRecoveredSide(String op, double threshold, double recovery, boolean valid) {
    Violations v = new Violations();
    policy(List.of(condition(op, threshold, recovery)), List.of()).validate(v, NS);
    assertThat(fields(v).contains("conditions[0].recoveryThreshold")).isEqualTo(!valid);
  }

  @Test
  void aPolicyIsCheckedAgainstItsNamespace() {
    AlertPolicy.Condition unknownMetric = new AlertPolicy.Condition("disk", 900, null, null, null,
        AlertPolicy.Operator.GT, Double.POSITIVE_INFINITY, 0, null, null, 0).withDefaults();
    Violations v = new Violations();
    policy(List.of(unknownMetric), List.of(new FilterSpec("Equal", "color", "red"),
        new FilterSpec("In", "zone", List.of("a", "b")), new FilterSpec("Regex", "instance", "(")))
        .validate(v, NS);
    assertThat(fields(v)).containsExactlyInAnyOrder("conditions[0].metric", "conditions[0].period",
        "conditions[0].threshold", "conditions[0].forPeriods", "conditions[0].noDataPeriods", "filters[0].Field",
        "filters[2].Args");
    Violations empty = new Violations();
    policy(List.of(), List.of()).validate(empty, NS);
    assertThat(fields(empty)).containsExactly("conditions");
  }

  @Test
  void referencesAreLookedUpForTheTenant() {
    ControlLookup onlyAlice = new ControlLookup() {
      @Override
      public Optional<NamespaceConfig> namespace(String name) {
        return Optional.of(NS);
      }

      @Override
      public boolean exists(EntityType type, String tenant, String id) {
        return type == EntityType.USER && tenant.equals("t1") && id.equals("usr_alice");
      }
    };
    AlertPolicy p = new AlertPolicy("p", "qce/cvm", List.of(condition("GT", 1, null)), null, null, null, null, null,
        null, new AlertPolicy.Receivers(List.of("usr_alice", "usr_alice"), null, List.of("onc_x"), null, null), null,
        null).withDefaults();
    Violations v = new Violations();
    p.references(v, "t1", onlyAlice);
    assertThat(fields(v)).containsExactly("receivers.users[1]", "receivers.schedules[0]");
    Violations other = new Violations();
    p.references(other, "t2", onlyAlice);
    assertThat(fields(other)).contains("receivers.users[0]");
  }

  @Test
  void templatesAreRenderedAgainstTheSampleAlertWhenSaved() {
    Violations v = new Violations();
    new MessageTemplate("t", Channel.SMS, null, "{{severity}} {{policyName}} {{#dimensions}}{{instance}}{{/dimensions}}")
        .validate(v);
    assertThat(v.isEmpty()).as("%s", v.list()).isTrue();
    Violations bad = new Violations();
    new MessageTemplate("t", Channel.SMS, null, "{{severity}} {{secretEnv}}").validate(bad);
    assertThat(fields(bad)).containsExactly("body");
    Violations tooLong = new Violations();
    new MessageTemplate("t", Channel.SMS, null, "{{summary}}".repeat(30)).validate(tooLong);
    assertThat(fields(tooLong)).containsExactly("body");
  }

  @Test
  void violationsCollectEveryFieldAndThrowThemTogether() {
    Violations v = new Violations();
    v.check(false, "a", "first");
    v.capture("b", () -> { throw new IllegalArgumentException("second"); });
    v.capture("c", () -> FilterSpec.compileAll(new Violations(), "x", List.of()).size());
    assertThatThrownBy(v::throwIfAny).isInstanceOfSatisfying(ApiException.class, e -> {
      assertThat(e.field()).isEqualTo("a");
      assertThat(e.errors()).extracting(FieldProblem::field).containsExactly("a", "b");
    });
  }

  @Test
  void aStoredBodyRoundTripsAndUnknownFieldsOfANewerWriterAreIgnored() {
    String json = ControlJson.write(NS);
    assertThat(ControlJson.read(json, NamespaceConfig.class)).isEqualTo(NS);
    String newer = json.replace("{", "{\"addedLater\": 1, ");
    assertThat(ControlJson.read(newer, NamespaceConfig.class)).isEqualTo(NS);
    assertThat(json).doesNotContain("null");
  }

  @Test
  void secretsAreRedactedForAnswersAndAudit() {
    Webhook w = new Webhook("w", "https://example.com/x", "0123456789abcdef", Map.of("X-Key", "v"));
    assertThat(ControlJson.write(w.redacted())).doesNotContain("0123456789abcdef").doesNotContain("\"v\"");
    ChatBot b = new ChatBot("b", ChatBot.Style.FEISHU, "https://example.com/y", "secret-123");
    assertThat(b.redacted().secret()).isEqualTo(Secrets.REDACTED);
    assertThat(Set.of(ChatBot.Style.values())).hasSize(4);
  }

  @Test
  void aWebhookMayNameAnEmailAddressToFallBackTo() {
    Webhook saved = ControlJson.read("""
        {"name": "ops", "url": "https://hooks.example.com/a", "fallbackEmail": "oncall@example.com"}""", Webhook.class);
    assertThat(saved.fallbackEmail()).isEqualTo("oncall@example.com");
    assertThat(saved.redacted().fallbackEmail()).as("an address, not a secret").isEqualTo("oncall@example.com");
    assertThat(ControlJson.read("""
        {"name": "ops", "url": "https://hooks.example.com/a"}""", Webhook.class).fallbackEmail()).isNull();
    Violations v = new Violations();
    new Webhook("ops", "https://hooks.example.com/a", null, null, "not an address")
        .validate(v, io.vigil.common.semantics.OutboundUrlPolicy.strict());
    assertThat(fields(v)).contains("fallbackEmail");
    Violations fine = new Violations();
    saved.validate(fine, io.vigil.common.semantics.OutboundUrlPolicy.strict());
    assertThat(fields(fine)).doesNotContain("fallbackEmail");
  }
}
