package io.vigil.common.control;

import io.vigil.common.model.ControlChange.EntityType;
import java.util.EnumMap;
import java.util.Map;

/**
 * The control-schema table of each object type (migrations in {@code db/control}), and the record
 * its {@code body} column holds. Readers load from these tables by the same names.
 */
public final class ControlTables {

  /** Rows of global objects (products, namespaces) carry this tenant. */
  public static final String GLOBAL = "";

  private static final Map<EntityType, String> TABLES = new EnumMap<>(EntityType.class);
  private static final Map<EntityType, Class<?>> BODIES = new EnumMap<>(EntityType.class);

  static {
    put(EntityType.PRODUCT, "ctl_products", Product.class);
    put(EntityType.NAMESPACE, "ctl_namespaces", NamespaceConfig.class);
    put(EntityType.POLICY, "ctl_policies", AlertPolicy.class);
    put(EntityType.SILENCE, "ctl_silences", Silence.class);
    put(EntityType.INHIBITION_RULE, "ctl_inhibition_rules", InhibitionRule.class);
    put(EntityType.USER, "ctl_users", User.class);
    put(EntityType.USER_GROUP, "ctl_user_groups", UserGroup.class);
    put(EntityType.WEBHOOK, "ctl_webhooks", Webhook.class);
    put(EntityType.CHAT_BOT, "ctl_chat_bots", ChatBot.class);
    put(EntityType.ONCALL_SCHEDULE, "ctl_oncall_schedules", OnCall.class);
    put(EntityType.TEMPLATE, "ctl_templates", MessageTemplate.class);
  }

  private ControlTables() {}

  private static void put(EntityType type, String table, Class<?> body) {
    TABLES.put(type, table);
    BODIES.put(type, body);
  }

  /** The table of an object type stored as a JSON body; throws for types with tables of their own shape. */
  public static String table(EntityType type) {
    String t = TABLES.get(type);
    if (t == null) {
      throw new IllegalArgumentException(type + " is not stored as a JSON body");
    }
    return t;
  }

  public static Class<?> bodyType(EntityType type) {
    return BODIES.get(type);
  }

  public static boolean isGlobal(EntityType type) {
    return type == EntityType.PRODUCT || type == EntityType.NAMESPACE;
  }
}
