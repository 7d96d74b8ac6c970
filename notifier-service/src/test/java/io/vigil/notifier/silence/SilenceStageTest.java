package io.vigil.notifier.silence;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.control.FilterSpec;
import io.vigil.common.control.InhibitionRule;
import io.vigil.common.control.Silence;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.semantics.AlertLabels;
import io.vigil.common.series.AlertIds;
import io.vigil.notifier.TableControl;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.state.FiringSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SilenceStageTest {

  // a Wednesday, 02:30 in Shanghai
  static final Instant NOW = Instant.parse("2026-11-25T18:30:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  static Notice notice(String tenant, String policy, Map<String, String> dims) {
    String key = policy + ":s:" + String.format("%016x", (dims.hashCode() & 0xffffffffL) + 10);
    AlertEvent e = new AlertEvent(1, AlertIds.eventId(key, 1), key, policy, 1, tenant, "acme/vm", "ap-guangzhou",
        "cpu_usage", 1, null, dims, AlertEvent.AlertStatus.FIRING, AlertEvent.Severity.WARNING, 1, 95.0, 90.0, null,
        0, NOW.toEpochMilli(), 60, 0, "default", null);
    Notice n = new Notice(e, NOW.toEpochMilli());
    n.labels(AlertLabels.of(e, Map.of("team", "compute")));
    return n;
  }

  static FilterSpec eq(String field, String value) {
    return new FilterSpec("Equal", field, value);
  }

  @Test
  void aOneOffSilenceMutesWhatItMatchesWhileInForce() {
    long now = NOW.toEpochMilli();
    TableControl control = new TableControl()
        .silence("t1", "s-now", new Silence(List.of(eq("instance", "a")), now - 1000, now + 1000, null, null))
        .silence("t1", "s-past", new Silence(List.of(eq("instance", "b")), now - 2000, now - 1000, null, null))
        .silence("t2", "s-other", new Silence(List.of(eq("instance", "c")), now - 1000, now + 1000, null, null))
        .silence("t1", "s-label", new Silence(List.of(eq("team", "compute"), eq("severity", "WARNING"),
            eq("instance", "d")), now - 1000, now + 1000, null, null));
    SilenceStage stage = new SilenceStage(control, t -> new FiringSet(2_000), CLOCK);
    Outcome a = stage.apply(notice("t1", "p1", Map.of("instance", "a")));
    assertThat(a.status()).isEqualTo(NotificationStatus.SILENCED);
    assertThat(a.detail()).isEqualTo("s-now");
    assertThat(stage.apply(notice("t1", "p1", Map.of("instance", "b"))).stops()).as("expired").isFalse();
    assertThat(stage.apply(notice("t1", "p1", Map.of("instance", "c"))).stops()).as("another tenant's").isFalse();
    assertThat(stage.apply(notice("t1", "p1", Map.of("instance", "d"))).detail())
        .as("policy labels and the alert's own fields match too").isEqualTo("s-label");
  }

  @Test
  void aRecurringSilenceMutesOnlyInsideItsWindowInItsZone() {
    TableControl control = new TableControl()
        .silence("t1", "nightly", new Silence(List.of(eq("instance", "a")), null, null,
            new Silence.Recurring("Asia/Shanghai", List.of(), List.of("02:00-03:00")), "backups"))
        .silence("t1", "daytime", new Silence(List.of(eq("instance", "b")), null, null,
            new Silence.Recurring("Asia/Shanghai", List.of(), List.of("09:00-18:00")), null));
    SilenceStage stage = new SilenceStage(control, t -> new FiringSet(2_000), CLOCK);
    assertThat(stage.apply(notice("t1", "p1", Map.of("instance", "a"))).detail()).isEqualTo("nightly");
    assertThat(stage.apply(notice("t1", "p1", Map.of("instance", "b"))).stops()).isFalse();
  }

  @Test
  void anAlertIsInhibitedByAFiringSourceWithEqualLabelsOnly() {
    TableControl control = new TableControl().rule("t1", "r1", new InhibitionRule("host down",
        List.of(eq("policyId", "host")), List.of(eq("policyId", "disk")), List.of("host")));
    FiringSet firing = new FiringSet(2_000);
    Notice hostAlert = notice("t1", "host", Map.of("host", "h1"));
    firing.put(hostAlert.event().alertKey(), hostAlert.labels(), 0);
    FiringSet otherTenant = new FiringSet(2_000);
    SilenceStage stage = new SilenceStage(control, t -> t.equals("t1") ? firing : otherTenant, CLOCK);

    Outcome same = stage.apply(notice("t1", "disk", Map.of("host", "h1", "disk", "vda")));
    assertThat(same.status()).isEqualTo(NotificationStatus.INHIBITED);
    assertThat(same.detail()).startsWith("r1 by " + hostAlert.event().alertKey());
    assertThat(stage.apply(notice("t1", "disk", Map.of("host", "h2"))).stops()).as("another host").isFalse();
    assertThat(stage.apply(notice("t1", "disk", Map.of("disk", "vda"))).stops())
        .as("an absent label equals only an absent one").isFalse();
    assertThat(stage.apply(notice("t1", "other", Map.of("host", "h1"))).stops()).as("not a target").isFalse();
    assertThat(stage.apply(hostAlert).stops()).as("the source itself").isFalse();
    firing.remove(hostAlert.event().alertKey(), 0);
    assertThat(stage.apply(notice("t1", "disk", Map.of("host", "h1"))).stops()).as("source resolved").isFalse();

    // the rule's index follows the firing set alert by alert once built
    Notice h2 = notice("t1", "host", Map.of("host", "h2"));
    firing.put(h2.event().alertKey(), h2.labels(), 0);
    assertThat(stage.apply(notice("t1", "disk", Map.of("host", "h2"))).detail()).startsWith(
        "r1 by " + h2.event().alertKey());
    Notice hostless = notice("t1", "host", Map.of("zone", "z1"));
    firing.put(hostless.event().alertKey(), hostless.labels(), 0);
    assertThat(stage.apply(notice("t1", "disk", Map.of("disk", "vdb"))).detail())
        .as("both lack the label: equal on it").startsWith("r1 by " + hostless.event().alertKey());
    assertThat(stage.apply(notice("t2", "disk", Map.of("host", "h1"))).stops()).as("t1's rule, t1's sources")
        .isFalse();
    assertThat(otherTenant.indexed()).as("another tenant's alerts are not looked at").isZero();
  }

  @Test
  void aChangedRuleIsIndexedAfreshAndAFirstLookAtARuleSeesWhatFiredBefore() {
    FiringSet firing = new FiringSet(2_000);
    Notice hostAlert = notice("t1", "host", Map.of("host", "h1", "rack", "r7"));
    firing.put(hostAlert.event().alertKey(), hostAlert.labels(), 0);
    TableControl byHost = new TableControl().rule("t1", "r1", new InhibitionRule("host down",
        List.of(eq("policyId", "host")), List.of(eq("policyId", "disk")), List.of("host")));
    Notice disk = notice("t1", "disk", Map.of("host", "h9", "rack", "r7"));
    assertThat(new SilenceStage(byHost, t -> firing, CLOCK).apply(disk).stops()).as("another host").isFalse();
    TableControl byRack = new TableControl().rule("t1", "r1", new InhibitionRule("rack down",
        List.of(eq("policyId", "host")), List.of(eq("policyId", "disk")), List.of("rack")));
    Outcome o = new SilenceStage(byRack, t -> firing, CLOCK).apply(disk);
    assertThat(o.status()).as("the same rule id, now equal on rack").isEqualTo(NotificationStatus.INHIBITED);
    assertThat(firing.indexed()).isEqualTo(1);
  }
}
