package io.vigil.notifier.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ChatBot;
import io.vigil.common.control.ControlJson;
import io.vigil.common.control.OnCall;
import io.vigil.common.control.User;
import io.vigil.common.control.UserGroup;
import io.vigil.common.control.Webhook;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.Severity;
import io.vigil.common.model.Channel;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.series.AlertIds;
import io.vigil.notifier.TableControl;
import io.vigil.notifier.channel.Destination;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Notice.Recipient;
import io.vigil.notifier.pipeline.Outcome;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoutingStageTest {

  static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  static final Map<Severity, List<Channel>> LADDERS = Map.of(
      Severity.CRITICAL, List.of(Channel.PHONE, Channel.SMS, Channel.EMAIL),
      Severity.WARNING, List.of(Channel.SMS, Channel.EMAIL),
      Severity.INFO, List.of(Channel.EMAIL));

  static AlertPolicy policy(AlertPolicy.Receivers r) {
    return ControlJson.read("""
        {"name": "p", "namespace": "acme/vm", "conditions": [{"metric": "cpu_usage", "period": 60,
         "operator": "GT", "threshold": 90}], "receivers": %s}""".formatted(ControlJson.write(r)), AlertPolicy.class);
  }

  static Notice notice(TableControl control, String policyId, Severity severity) {
    String key = policyId + ":s:000000000000002a";
    AlertEvent e = new AlertEvent(1, AlertIds.eventId(key, 1), key, policyId, 1, "t1", "acme/vm", "ap-guangzhou",
        "cpu_usage", 42, null, Map.of(), AlertEvent.AlertStatus.FIRING, severity, 1, 95.0, 90.0, null, 0,
        NOW.toEpochMilli(), 60, 0, "default", null);
    Notice n = new Notice(e, NOW.toEpochMilli());
    n.policy(control.policy(policyId));
    return n;
  }

  static TableControl people() {
    return new TableControl()
        .user("t1", new User("ann", null, Map.of(Channel.EMAIL, "ann@example.test", Channel.SMS, "+8613800000001",
            Channel.PHONE, "+8613800000001")))
        .user("t1", new User("ben", null, Map.of(Channel.EMAIL, "ben@example.test")))
        .user("t1", new User("cat", null, Map.of(Channel.SMS, "+8613800000003")))
        .user("t2", new User("dan", null, Map.of(Channel.EMAIL, "dan@example.test")))
        .group("t1", "sre", new UserGroup("sre", null, List.of("ann", "ben")))
        .schedule("t1", "primary", new OnCall("primary", "Asia/Shanghai", List.of(new OnCall.Layer("weekly",
            "2026-11-23T09:00", "P7D", List.of("cat", "ben"), null)), List.of()))
        .webhook("t1", "hook", new Webhook("hook", "https://hooks.example.com/a", "s3cret-s3cret-s3cret", null))
        .webhook("t1", "paged", new Webhook("paged", "https://hooks.example.com/b", null, null, "noc@example.test"))
        .bot("t1", "room", new ChatBot("room", ChatBot.Style.WECOM, "https://qyapi.example.com/x", null));
  }

  @Test
  void receiversResolveToPeopleOnceWithTheSeveritysLadderAndToHooksAndBots() {
    TableControl control = people().policy("p1", "t1", policy(new AlertPolicy.Receivers(List.of("ann"),
        List.of("sre"), List.of("primary"), List.of("hook"), List.of("room"))));
    RoutingStage stage = new RoutingStage(control, LADDERS, Clock.fixed(NOW, ZoneOffset.UTC));
    Notice n = notice(control, "p1", Severity.WARNING);
    assertThat(stage.apply(n).stops()).isFalse();
    assertThat(n.recipients()).extracting(Recipient::id)
        .containsExactly("user:ann", "user:ben", "user:cat", "webhook:hook", "bot:room");
    Recipient ann = n.recipients().get(0);
    assertThat(ann.ladder()).extracting(Notice.Target::channel).containsExactly(Channel.SMS, Channel.EMAIL);
    assertThat(ann.ladder().get(1).to()).isEqualTo(new Destination.Email("ann@example.test"));
    assertThat(n.recipients().get(1).ladder()).extracting(Notice.Target::channel).containsExactly(Channel.EMAIL);

    Notice critical = notice(control, "p1", Severity.CRITICAL);
    stage.apply(critical);
    assertThat(critical.recipients().get(0).ladder()).extracting(Notice.Target::channel)
        .containsExactly(Channel.PHONE, Channel.SMS, Channel.EMAIL);
  }

  @Test
  void aWebhookWithAFallbackAddressIsTriedFirstThenMailed() {
    TableControl control = people().policy("p1", "t1", policy(new AlertPolicy.Receivers(List.of(), List.of(),
        List.of(), List.of("paged", "hook"), List.of())));
    Notice n = notice(control, "p1", Severity.WARNING);
    new RoutingStage(control, LADDERS, Clock.fixed(NOW, ZoneOffset.UTC)).apply(n);
    assertThat(n.recipients()).extracting(Recipient::id).containsExactly("webhook:paged", "webhook:hook");
    assertThat(n.recipients().get(0).ladder()).extracting(Notice.Target::channel)
        .containsExactly(Channel.WEBHOOK, Channel.EMAIL);
    assertThat(n.recipients().get(0).ladder().get(1).to()).isEqualTo(new Destination.Email("noc@example.test"));
    assertThat(n.recipients().get(1).ladder()).extracting(Notice.Target::channel).containsExactly(Channel.WEBHOOK);
  }

  @Test
  void theScheduleAnswersWhoIsOnCallNow() {
    TableControl control = people().policy("p1", "t1", policy(new AlertPolicy.Receivers(List.of(), List.of(),
        List.of("primary"), List.of(), List.of())));
    // the first week is cat's, the second ben's
    Notice first = notice(control, "p1", Severity.WARNING);
    new RoutingStage(control, LADDERS, Clock.fixed(NOW, ZoneOffset.UTC)).apply(first);
    assertThat(first.recipients()).extracting(Recipient::id).containsExactly("user:cat");
    Notice second = notice(control, "p1", Severity.WARNING);
    new RoutingStage(control, LADDERS, Clock.fixed(NOW.plusSeconds(7 * 86400), ZoneOffset.UTC)).apply(second);
    assertThat(second.recipients()).extracting(Recipient::id).containsExactly("user:ben");
  }

  @Test
  void unresolvableReceiversAreNotedAndNoneLeftIsNoReceiver() {
    TableControl control = people().policy("p1", "t1", policy(new AlertPolicy.Receivers(List.of("dan", "ghost"),
        List.of("nope"), List.of(), List.of("gone"), List.of())));
    Notice n = notice(control, "p1", Severity.WARNING);
    Outcome o = new RoutingStage(control, LADDERS, Clock.fixed(NOW, ZoneOffset.UTC)).apply(n);
    assertThat(o.status()).isEqualTo(NotificationStatus.NO_RECEIVER);
    assertThat(o.detail()).contains("user dan").as("another tenant's user is not found").contains("group nope")
        .contains("webhook gone");
    Notice gone = notice(control, "no-such-policy", Severity.WARNING);
    assertThat(new RoutingStage(control, LADDERS, Clock.fixed(NOW, ZoneOffset.UTC)).apply(gone).reason())
        .isEqualTo("policy_gone");
  }

  @Test
  void aPersonsLadderHoldsPersonChannelsOnly() {
    assertThatThrownBy(() -> new RoutingStage(new TableControl(), Map.of(Severity.CRITICAL, List.of(Channel.WEBHOOK),
        Severity.WARNING, List.of(Channel.SMS), Severity.INFO, List.of(Channel.EMAIL)), Clock.systemUTC()))
        .hasMessageContaining("person channels");
  }
}
