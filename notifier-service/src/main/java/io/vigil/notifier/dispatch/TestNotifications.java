package io.vigil.notifier.dispatch;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ControlJson;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.Channel;
import io.vigil.common.model.NotificationRecord;
import io.vigil.common.series.AlertIds;
import io.vigil.common.series.AlertKey;
import io.vigil.notifier.control.ControlCopy.LivePolicy;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Notice.Recipient;
import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.pipeline.Stage;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * "Send a test notification": a made-up alert of the caller's tenant through the real routing,
 * render, dispatch and record of the pipeline, to one receiver (a webhook, a chat bot, or a user on
 * one channel or their ladder), so an operator can check a channel before an incident. Its records
 * are marked {@code source=test}; it makes no alert state and no timers.
 */
public final class TestNotifications {

  /** What one test sent. */
  public record Result(String alertKey, Outcome stopped, List<NotificationRecord> records) {}

  private final Stage routing;
  private final Stage render;
  private final Stage dispatch;
  private final io.vigil.notifier.pipeline.Pipeline.Finisher record;
  private final String region;
  private final Clock clock;

  public TestNotifications(Stage routing, Stage render, Stage dispatch, io.vigil.notifier.pipeline.Pipeline.Finisher record,
      String region, Clock clock) {
    this.routing = routing;
    this.render = render;
    this.dispatch = dispatch;
    this.record = record;
    this.region = region;
    this.clock = clock;
  }

  /**
   * @param receivers exactly one receiver of the tenant
   * @param channel for a user: only this channel (null: the user's ladder for INFO)
   */
  public Result send(String tenant, AlertPolicy.Receivers receivers, Channel channel, String requestedBy)
      throws Exception {
    long now = clock.millis();
    String key = AlertKey.ofObject("test", "t" + UUID.randomUUID().toString().replace("-", "")).toString();
    AlertEvent e = new AlertEvent(AlertEvent.SCHEMA_VERSION, AlertIds.eventId(key, 1), key, "test", 1, tenant,
        "vigil/test", region, null, 0, key.substring(key.lastIndexOf(':') + 1), Map.of(), AlertEvent.AlertStatus.FIRING,
        AlertEvent.Severity.INFO, 1, null, null, "This is a test notification from Vigil, sent by " + requestedBy
        + ". No action is needed.", now, now, 0, 0, null, "test");
    AlertPolicy policy = ControlJson.read("{\"name\": \"Test notification\", \"namespace\": \"vigil/test\"}",
        AlertPolicy.class).withDefaults();
    policy = new AlertPolicy(policy.name(), policy.namespace(), policy.conditions(), policy.combine(),
        policy.filters(), policy.eventRules(), policy.severity(), policy.labels(), policy.annotations(), receivers,
        policy.notification(), policy.enabled());
    Notice n = new Notice(e, now).followUp(Notice.Kind.TEST, 0);
    n.policy(new LivePolicy("test", tenant, 1, true, policy));
    for (Stage s : List.of(routing, render, dispatch)) {
      if (s == render && channel != null) {
        List<Recipient> only = n.recipients().stream().map(r -> new Recipient(r.id(),
            r.ladder().stream().filter(t -> t.channel() == channel).toList())).filter(r -> !r.ladder().isEmpty())
            .toList();
        if (only.isEmpty()) {
          Outcome o = Outcome.stop(io.vigil.common.model.NotificationStatus.NO_RECEIVER, "no_contact",
              "no contact for " + channel);
          return new Result(key, o, List.of());
        }
        n.recipients(only);
      }
      Outcome o = s.apply(n);
      if (o.stops()) {
        return new Result(key, o, List.of());
      }
    }
    record.finish(n).get(10, TimeUnit.SECONDS);
    return new Result(key, null, List.copyOf(n.records()));
  }
}
