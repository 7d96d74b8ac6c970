package io.vigil.notifier.route;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ChatBot;
import io.vigil.common.control.User;
import io.vigil.common.control.UserGroup;
import io.vigil.common.control.Webhook;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.Channel;
import io.vigil.common.model.NotificationStatus;
import io.vigil.notifier.channel.Destination;
import io.vigil.notifier.control.ControlView;
import io.vigil.notifier.control.ControlCopy.LiveSchedule;
import io.vigil.notifier.pipeline.Notice;
import io.vigil.notifier.pipeline.Notice.Recipient;
import io.vigil.notifier.pipeline.Notice.Target;
import io.vigil.notifier.pipeline.Outcome;
import io.vigil.notifier.pipeline.Stage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who is told (订阅关系): the policy's receivers resolved to recipients — its users, the members of
 * its user groups, whoever each of its on-call schedules has on call now (common's resolver, the one
 * the policy API's {@code oncall?at=} answers with), its webhooks and chat bots. A person is reached
 * on the first channel of the severity's ladder they have a contact for, falling back to the next
 * at dispatch; a person reached through several receivers is told once.
 *
 * <p>A receiver that no longer exists (deleted since the policy was saved) is skipped and noted on
 * the trail; no recipient at all stops the notice as {@code NO_RECEIVER}.
 */
public final class RoutingStage implements Stage {

  private final ControlView control;
  private final Map<AlertEvent.Severity, List<Channel>> ladders;
  private final Clock clock;

  /**
   * @param ladders per severity, the channels to try for a person in order (e.g. CRITICAL: PHONE,
   *     SMS, EMAIL); only person channels (SMS, PHONE, EMAIL)
   */
  public RoutingStage(ControlView control, Map<AlertEvent.Severity, List<Channel>> ladders, Clock clock) {
    this.control = control;
    this.ladders = new EnumMap<>(ladders);
    for (AlertEvent.Severity s : AlertEvent.Severity.values()) {
      List<Channel> l = this.ladders.get(s);
      if (l == null || l.isEmpty()) {
        throw new IllegalArgumentException("no channel ladder for severity " + s);
      }
      if (l.contains(Channel.WEBHOOK) || l.contains(Channel.BOT)) {
        throw new IllegalArgumentException("a person's ladder has person channels only (SMS, PHONE, EMAIL): " + s);
      }
    }
    this.clock = clock;
  }

  @Override
  public String name() {
    return "routing";
  }

  @Override
  public Outcome apply(Notice n) {
    if (n.policy() == null) {
      return Outcome.stop(NotificationStatus.NO_RECEIVER, "policy_gone", n.event().policyId());
    }
    String tenant = n.event().tenant();
    AlertPolicy.Receivers receivers = n.policy().policy().receivers();
    if (n.kind() == Notice.Kind.ESCALATION) {
      // an escalation goes to its level's receivers
      List<AlertPolicy.Escalation> levels = n.policy().policy().notification().escalations();
      if (levels == null || levels.size() < n.escalationLevel()) {
        return Outcome.stop(NotificationStatus.NO_RECEIVER, "escalation_level_gone",
            "level " + n.escalationLevel() + " is no longer in the policy");
      }
      receivers = levels.get(n.escalationLevel() - 1).receivers();
    }
    return route(n, tenant, receivers);
  }

  /** Resolves a set of receivers (the policy's, or an escalation level's) onto the notice. */
  public Outcome route(Notice n, String tenant, AlertPolicy.Receivers receivers) {
    Set<String> people = new LinkedHashSet<>();
    List<String> missing = new ArrayList<>();
    for (String u : orEmpty(receivers.users())) {
      people.add(u);
    }
    for (String g : orEmpty(receivers.groups())) {
      UserGroup group = control.group(tenant, g);
      if (group == null) {
        missing.add("group " + g);
      } else {
        people.addAll(orEmpty(group.members()));
      }
    }
    for (String s : orEmpty(receivers.schedules())) {
      LiveSchedule schedule = control.schedule(tenant, s);
      if (schedule == null) {
        missing.add("schedule " + s);
      } else {
        schedule.schedule().onCall(clock.instant()).ifPresentOrElse(people::add,
            () -> missing.add("no one on call in schedule " + s));
      }
    }
    Map<String, Recipient> recipients = new LinkedHashMap<>();
    List<Channel> ladder = ladders.get(n.event().severity());
    for (String id : people) {
      User user = control.user(tenant, id);
      if (user == null) {
        missing.add("user " + id);
        continue;
      }
      List<Target> targets = new ArrayList<>();
      Map<Channel, String> contacts = user.contacts() == null ? Map.of() : user.contacts();
      for (Channel c : ladder) {
        String address = contacts.get(c);
        if (address != null) {
          targets.add(new Target(c, c == Channel.EMAIL ? new Destination.Email(address) : new Destination.Phone(address),
              null));
        }
      }
      if (targets.isEmpty()) {
        missing.add("user " + id + " has no contact for " + ladder);
      } else {
        recipients.put("user:" + id, new Recipient("user:" + id, targets));
      }
    }
    for (String w : orEmpty(receivers.webhooks())) {
      Webhook hook = control.webhook(tenant, w);
      if (hook == null) {
        missing.add("webhook " + w);
      } else {
        List<Target> targets = new ArrayList<>(2);
        targets.add(new Target(Channel.WEBHOOK,
            new Destination.Hook(w, hook.url(), hook.secret(), hook.headers() == null ? Map.of() : hook.headers()),
            null));
        if (hook.fallbackEmail() != null) {
          // the dispatcher tries a recipient's targets in order: the e-mail only when the endpoint failed
          targets.add(new Target(Channel.EMAIL, new Destination.Email(hook.fallbackEmail()), null));
        }
        recipients.put("webhook:" + w, new Recipient("webhook:" + w, List.copyOf(targets)));
      }
    }
    for (String b : orEmpty(receivers.bots())) {
      ChatBot bot = control.bot(tenant, b);
      if (bot == null) {
        missing.add("bot " + b);
      } else {
        recipients.put("bot:" + b, new Recipient("bot:" + b, List.of(new Target(Channel.BOT,
            new Destination.Bot(b, bot.style(), bot.url(), bot.secret()), null))));
      }
    }
    long now = clock.millis();
    for (String m : missing) {
      n.step(name(), "NOTE", "receiver_unresolved", m, null, null, null, now);
    }
    if (recipients.isEmpty()) {
      return Outcome.stop(NotificationStatus.NO_RECEIVER, missing.isEmpty() ? "no_receivers" : "receivers_unresolved",
          missing.isEmpty() ? null : String.join("; ", missing));
    }
    n.recipients(new ArrayList<>(recipients.values()));
    return Outcome.CONTINUE;
  }

  private static <T> List<T> orEmpty(List<T> l) {
    return l == null ? List.of() : l;
  }
}
