package io.vigil.policy.objects;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ChatBot;
import io.vigil.common.control.ControlLookup;
import io.vigil.common.control.InhibitionRule;
import io.vigil.common.control.MessageTemplate;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.control.OnCall;
import io.vigil.common.control.Product;
import io.vigil.common.control.Secrets;
import io.vigil.common.control.Silence;
import io.vigil.common.control.User;
import io.vigil.common.control.UserGroup;
import io.vigil.common.control.Webhook;
import io.vigil.common.error.Violations;
import io.vigil.common.model.ControlChange.EntityType;
import io.vigil.common.semantics.OutboundUrlPolicy;
import java.util.HashMap;
import java.util.Map;

/** The kind of every object type the control plane stores. */
public final class Kinds {

  private Kinds() {}

  public static final class Products extends ObjectKind<Product> {
    public Products() {
      super(EntityType.PRODUCT, Product.class);
    }

    @Override
    public void validate(Product body, Product before, String tenant, ControlLookup lookup, Violations v) {
      body.validate(v);
      if (before != null) {
        v.check(body.name().equals(before.name()), "name", "cannot change: it is the product's id");
      }
    }

    @Override
    public String naturalId(Product body) {
      return body.name();
    }

    @Override
    public String idPrefix() {
      return "prd";
    }

    @Override
    public String name(Product body) {
      return body.name();
    }
  }

  public static final class Namespaces extends ObjectKind<NamespaceConfig> {
    public Namespaces() {
      super(EntityType.NAMESPACE, NamespaceConfig.class);
    }

    @Override
    public NamespaceConfig complete(NamespaceConfig body) {
      return body.withDefaults();
    }

    @Override
    public void validate(NamespaceConfig body, NamespaceConfig before, String tenant, ControlLookup lookup,
        Violations v) {
      body.validate(v);
      if (before != null) {
        v.check(body.name().equals(before.name()), "name", "cannot change: it is the namespace's id");
        body.validateChangeFrom(before, v);
      }
    }

    @Override
    public void references(NamespaceConfig body, String tenant, ControlLookup lookup, Violations v) {
      v.check(lookup.exists(EntityType.PRODUCT, tenant, body.product()), "name",
          "no product '" + body.product() + "': register the product first");
    }

    @Override
    public String naturalId(NamespaceConfig body) {
      return body.name();
    }

    @Override
    public String idPrefix() {
      return "ns";
    }

    @Override
    public String name(NamespaceConfig body) {
      return body.name();
    }

    @Override
    public String namespace(NamespaceConfig body) {
      return body.name();
    }

    @Override
    public String shard(NamespaceConfig body) {
      return body.shard();
    }
  }

  public static final class Policies extends ObjectKind<AlertPolicy> {
    public Policies() {
      super(EntityType.POLICY, AlertPolicy.class);
    }

    @Override
    public AlertPolicy complete(AlertPolicy body) {
      return body.withDefaults();
    }

    @Override
    public void validate(AlertPolicy body, AlertPolicy before, String tenant, ControlLookup lookup, Violations v) {
      NamespaceConfig ns = body.namespace() == null ? null : lookup.namespace(body.namespace()).orElse(null);
      v.check(body.namespace() != null, "namespace", "the namespace the policy watches, e.g. qce/cvm");
      body.validate(v, ns);
    }

    @Override
    public void references(AlertPolicy body, String tenant, ControlLookup lookup, Violations v) {
      if (body.namespace() != null) {
        v.check(lookup.namespace(body.namespace()).isPresent(), "namespace", "no namespace '" + body.namespace() + "'");
      }
      body.references(v, tenant, lookup);
    }

    @Override
    public String idPrefix() {
      return "pol";
    }

    @Override
    public String name(AlertPolicy body) {
      return body.name();
    }

    @Override
    public String namespace(AlertPolicy body) {
      return body.namespace();
    }

    @Override
    public boolean enabled(AlertPolicy body) {
      return body.enabled();
    }
  }

  public static final class Silences extends ObjectKind<Silence> {
    public Silences() {
      super(EntityType.SILENCE, Silence.class);
    }

    @Override
    public void validate(Silence body, Silence before, String tenant, ControlLookup lookup, Violations v) {
      body.validate(v);
    }

    @Override
    public String idPrefix() {
      return "sil";
    }

    @Override
    public String name(Silence body) {
      String c = body.comment() == null || body.comment().isBlank() ? "silence" : body.comment();
      return c.length() > 256 ? c.substring(0, 256) : c;
    }
  }

  public static final class InhibitionRules extends ObjectKind<InhibitionRule> {
    public InhibitionRules() {
      super(EntityType.INHIBITION_RULE, InhibitionRule.class);
    }

    @Override
    public void validate(InhibitionRule body, InhibitionRule before, String tenant, ControlLookup lookup,
        Violations v) {
      body.validate(v);
    }

    @Override
    public String idPrefix() {
      return "inh";
    }

    @Override
    public String name(InhibitionRule body) {
      return body.name();
    }
  }

  public static final class Users extends ObjectKind<User> {
    public Users() {
      super(EntityType.USER, User.class);
    }

    @Override
    public void validate(User body, User before, String tenant, ControlLookup lookup, Violations v) {
      body.validate(v);
    }

    @Override
    public String idPrefix() {
      return "usr";
    }

    @Override
    public String name(User body) {
      return body.name();
    }
  }

  public static final class UserGroups extends ObjectKind<UserGroup> {
    public UserGroups() {
      super(EntityType.USER_GROUP, UserGroup.class);
    }

    @Override
    public void validate(UserGroup body, UserGroup before, String tenant, ControlLookup lookup, Violations v) {
      body.validate(v);
    }

    @Override
    public void references(UserGroup body, String tenant, ControlLookup lookup, Violations v) {
      body.references(v, tenant, lookup);
    }

    @Override
    public String idPrefix() {
      return "grp";
    }

    @Override
    public String name(UserGroup body) {
      return body.name();
    }
  }

  public static final class Webhooks extends ObjectKind<Webhook> {
    private final OutboundUrlPolicy urls;

    public Webhooks(OutboundUrlPolicy urls) {
      super(EntityType.WEBHOOK, Webhook.class);
      this.urls = urls;
    }

    @Override
    public void validate(Webhook body, Webhook before, String tenant, ControlLookup lookup, Violations v) {
      body.validate(v, urls);
    }

    @Override
    public String idPrefix() {
      return "whk";
    }

    @Override
    public String name(Webhook body) {
      return body.name();
    }

    @Override
    public Webhook redacted(Webhook body) {
      return body.redacted();
    }

    @Override
    public Webhook keepSecrets(Webhook in, Webhook stored) {
      String secret = Secrets.REDACTED.equals(in.secret()) ? stored.secret() : in.secret();
      Map<String, String> headers = in.headers() == null ? null : new HashMap<>(in.headers());
      if (headers != null) {
        headers.replaceAll((k, val) -> Secrets.REDACTED.equals(val) && stored.headers() != null
            && stored.headers().containsKey(k) ? stored.headers().get(k) : val);
      }
      return new Webhook(in.name(), in.url(), secret, headers, in.fallbackEmail());
    }
  }

  public static final class ChatBots extends ObjectKind<ChatBot> {
    private final OutboundUrlPolicy urls;

    public ChatBots(OutboundUrlPolicy urls) {
      super(EntityType.CHAT_BOT, ChatBot.class);
      this.urls = urls;
    }

    @Override
    public void validate(ChatBot body, ChatBot before, String tenant, ControlLookup lookup, Violations v) {
      body.validate(v, urls);
    }

    @Override
    public String idPrefix() {
      return "bot";
    }

    @Override
    public String name(ChatBot body) {
      return body.name();
    }

    @Override
    public ChatBot redacted(ChatBot body) {
      return body.redacted();
    }

    @Override
    public ChatBot keepSecrets(ChatBot in, ChatBot stored) {
      return Secrets.REDACTED.equals(in.secret())
          ? new ChatBot(in.name(), in.style(), in.url(), stored.secret()) : in;
    }
  }

  public static final class Schedules extends ObjectKind<OnCall> {
    public Schedules() {
      super(EntityType.ONCALL_SCHEDULE, OnCall.class);
    }

    @Override
    public void validate(OnCall body, OnCall before, String tenant, ControlLookup lookup, Violations v) {
      body.validate(v);
    }

    @Override
    public void references(OnCall body, String tenant, ControlLookup lookup, Violations v) {
      body.references(v, tenant, lookup);
    }

    @Override
    public String idPrefix() {
      return "onc";
    }

    @Override
    public String name(OnCall body) {
      return body.name();
    }
  }

  public static final class Templates extends ObjectKind<MessageTemplate> {
    public Templates() {
      super(EntityType.TEMPLATE, MessageTemplate.class);
    }

    @Override
    public void validate(MessageTemplate body, MessageTemplate before, String tenant, ControlLookup lookup,
        Violations v) {
      body.validate(v);
    }

    @Override
    public String idPrefix() {
      return "tpl";
    }

    @Override
    public String name(MessageTemplate body) {
      return body.name();
    }
  }
}
