package io.vigil.notifier;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ChatBot;
import io.vigil.common.control.InhibitionRule;
import io.vigil.common.control.MessageTemplate;
import io.vigil.common.control.OnCall;
import io.vigil.common.control.Silence;
import io.vigil.common.control.User;
import io.vigil.common.control.UserGroup;
import io.vigil.common.control.Webhook;
import io.vigil.notifier.control.ControlCopy.LivePolicy;
import io.vigil.notifier.control.ControlCopy.LiveRule;
import io.vigil.notifier.control.ControlCopy.LiveSchedule;
import io.vigil.notifier.control.ControlCopy.LiveSilence;
import io.vigil.notifier.control.ControlView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Control objects held in tables, for stage tests: what {@code ControlCopy} would hold after a load. */
public final class TableControl implements ControlView {

  private record Owned(String tenant, Object value) {}

  private final Map<String, Owned> objects = new HashMap<>();
  private final List<Owned> silences = new ArrayList<>();
  private final List<Owned> rules = new ArrayList<>();
  private final Map<String, LivePolicy> policies = new HashMap<>();

  public TableControl user(String tenant, User u) {
    objects.put("user:" + u.name(), new Owned(tenant, u));
    return this;
  }

  public TableControl group(String tenant, String id, UserGroup g) {
    objects.put("group:" + id, new Owned(tenant, g));
    return this;
  }

  public TableControl schedule(String tenant, String id, OnCall o) {
    objects.put("schedule:" + id, new Owned(tenant, LiveSchedule.of(id, o)));
    return this;
  }

  public TableControl webhook(String tenant, String id, Webhook w) {
    objects.put("webhook:" + id, new Owned(tenant, w));
    return this;
  }

  public TableControl bot(String tenant, String id, ChatBot b) {
    objects.put("bot:" + id, new Owned(tenant, b));
    return this;
  }

  public TableControl template(String tenant, String id, MessageTemplate t) {
    objects.put("template:" + id, new Owned(tenant, t));
    return this;
  }

  public TableControl silence(String tenant, String id, Silence s) {
    silences.add(new Owned(tenant, LiveSilence.of(id, s)));
    return this;
  }

  public TableControl rule(String tenant, String id, InhibitionRule r) {
    rules.add(new Owned(tenant, LiveRule.of(id, r)));
    return this;
  }

  public TableControl policy(String id, String tenant, AlertPolicy p) {
    policies.put(id, new LivePolicy(id, tenant, 1, true, p.withDefaults()));
    return this;
  }

  @Override
  public List<LiveSilence> silences(String tenant) {
    return silences.stream().filter(o -> o.tenant().equals(tenant)).map(o -> (LiveSilence) o.value()).toList();
  }

  @Override
  public List<LiveRule> inhibitionRules(String tenant) {
    return rules.stream().filter(o -> o.tenant().equals(tenant)).map(o -> (LiveRule) o.value()).toList();
  }

  private <T> T get(String kind, String tenant, String id, Class<T> as) {
    Owned o = objects.get(kind + ":" + id);
    return o == null || !o.tenant().equals(tenant) ? null : as.cast(o.value());
  }

  @Override
  public User user(String tenant, String id) {
    return get("user", tenant, id, User.class);
  }

  @Override
  public UserGroup group(String tenant, String id) {
    return get("group", tenant, id, UserGroup.class);
  }

  @Override
  public LiveSchedule schedule(String tenant, String id) {
    return get("schedule", tenant, id, LiveSchedule.class);
  }

  @Override
  public Webhook webhook(String tenant, String id) {
    return get("webhook", tenant, id, Webhook.class);
  }

  @Override
  public ChatBot bot(String tenant, String id) {
    return get("bot", tenant, id, ChatBot.class);
  }

  @Override
  public MessageTemplate template(String tenant, String id) {
    return get("template", tenant, id, MessageTemplate.class);
  }

  @Override
  public LivePolicy policy(String id) {
    return policies.get(id);
  }
}
