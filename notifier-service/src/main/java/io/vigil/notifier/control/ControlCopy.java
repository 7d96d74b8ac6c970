package io.vigil.notifier.control;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ChatBot;
import io.vigil.common.control.ControlJson;
import io.vigil.common.control.ControlReader;
import io.vigil.common.control.ControlTables;
import io.vigil.common.control.InhibitionRule;
import io.vigil.common.control.MessageTemplate;
import io.vigil.common.control.OnCall;
import io.vigil.common.control.Silence;
import io.vigil.common.control.User;
import io.vigil.common.control.UserGroup;
import io.vigil.common.control.Webhook;
import io.vigil.common.model.ControlChange;
import io.vigil.common.model.ControlChange.EntityType;
import io.vigil.common.semantics.Filter;
import io.vigil.common.semantics.OnCallSchedule;
import io.vigil.common.semantics.TimeWindow;
import io.vigil.notifier.state.Lru;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The notifier's copy of the control objects its stages read: silences, inhibition rules, users,
 * user groups, on-call schedules, webhooks, chat bots and templates of every tenant, held whole in
 * memory (they are few beside the alerts), and policies read on demand into a bounded cache (a region
 * may hold millions; the notifier needs only those that are alerting).
 *
 * <ul>
 *   <li>{@link #loadAll}: the broadcast consumer's snapshot, before any change is applied.
 *   <li>{@link #apply}: one {@code control.changes} record: the object's row is read again and kept
 *       only when newer than what is held, so a replayed change never rolls an object back; a policy
 *       change drops the cached policy so its next alert reads the new one.
 * </ul>
 *
 * Objects are compiled once when they arrive (matchers, recurring windows, schedules), so the stages
 * evaluate them without parsing. A stored object that does not compile is skipped and logged, never
 * fatal: it was validated by the same code when saved.
 */
public final class ControlCopy implements ControlView {

  private static final Logger log = LoggerFactory.getLogger(ControlCopy.class);

  /** The object types this copy holds whole. */
  static final List<EntityType> HELD = List.of(EntityType.SILENCE, EntityType.INHIBITION_RULE, EntityType.USER,
      EntityType.USER_GROUP, EntityType.ONCALL_SCHEDULE, EntityType.WEBHOOK, EntityType.CHAT_BOT,
      EntityType.TEMPLATE);

  /** One held object: its row's id, tenant and version, and its compiled form. */
  public record Held<T>(String id, String tenant, long version, T value) {}

  /** A silence ready to evaluate. */
  public record LiveSilence(String id, Silence silence, List<Filter.Compiled> matchers, TimeWindow window) {

    public static LiveSilence of(String id, Silence s) {
      return new LiveSilence(id, s, s.compiledMatchers(), s.recurring() == null ? null : s.recurring().toWindow("recurring"));
    }
  }

  /** An inhibition rule ready to evaluate. */
  public record LiveRule(String id, InhibitionRule rule, List<Filter.Compiled> source, List<Filter.Compiled> target) {

    public static LiveRule of(String id, InhibitionRule r) {
      return new LiveRule(id, r, compileAll(r.sourceMatchers()), compileAll(r.targetMatchers()));
    }
  }

  /** An on-call schedule with its resolver. */
  public record LiveSchedule(String id, OnCall stored, OnCallSchedule schedule) {

    public static LiveSchedule of(String id, OnCall o) {
      return new LiveSchedule(id, o, o.toSchedule());
    }
  }

  /** A policy as the notifier needs it (with defaults applied). */
  public record LivePolicy(String id, String tenant, long version, boolean enabled, AlertPolicy policy) {}

  private final ControlReader reader;
  private final JdbcTemplate jdbc;
  private final Map<EntityType, Map<String, Held<?>>> held = new EnumMap<>(EntityType.class);
  /**
   * Per type, each tenant's objects (ordered by id), regrouped whenever an object of the type changes:
   * the pipeline reads a tenant's silences and inhibition rules for every event, and a scan of every
   * tenant's per event would grow with the platform, not with the tenant.
   */
  private final Map<EntityType, Map<String, List<Object>>> byTenant = new ConcurrentHashMap<>();
  private final Lru<String, LivePolicy> policies;
  private final CountDownLatch firstLoad = new CountDownLatch(1);
  /**
   * Bumped by every policy change: a policy read from MySQL is cached only if no change arrived
   * while it was read, so a slow read never puts an older policy back over an invalidation.
   */
  private final java.util.concurrent.atomic.AtomicLong policyGeneration = new java.util.concurrent.atomic.AtomicLong();

  public ControlCopy(DataSource control, int policyCacheSize, MeterRegistry registry) {
    this.reader = new ControlReader(control);
    this.jdbc = new JdbcTemplate(control);
    this.policies = new Lru<>(policyCacheSize);
    for (EntityType type : HELD) {
      Map<String, Held<?>> m = new ConcurrentHashMap<>();
      held.put(type, m);
      Gauge.builder("vigil.notifier.control.objects", m, Map::size).tag("type", type.name().toLowerCase())
          .description("control objects the notifier holds in memory, by type").register(registry);
    }
    Gauge.builder("vigil.notifier.control.policies.cached", policies, Lru::size)
        .description("policies cached by the notifier (read on demand, bounded)").register(registry);
  }

  /** The full load of every held type; MySQL down throws a dependency error and the consumer retries. */
  public void loadAll() {
    long started = System.nanoTime();
    int total = 0;
    for (EntityType type : HELD) {
      Map<String, Held<?>> fresh = new ConcurrentHashMap<>();
      total += reader.forEach(type, null, ControlTables.bodyType(type), l -> {
        Held<?> h = compile(type, l.id(), l.tenant(), l.version(), l.body());
        if (h != null) {
          fresh.put(l.id(), h);
        }
      });
      Map<String, Held<?>> m = held.get(type);
      m.keySet().retainAll(fresh.keySet());
      m.putAll(fresh);
      regroup(type);
    }
    policyGeneration.incrementAndGet();
    policies.clear();
    firstLoad.countDown();
    log.info("loaded {} control objects for notification in {} ms", total, (System.nanoTime() - started) / 1_000_000);
  }

  public boolean loaded() {
    return firstLoad.getCount() == 0;
  }

  /** One change: the row is read again; an older or repeated change changes nothing. */
  public void apply(ControlChange change) {
    EntityType type = change.type();
    if (type == EntityType.POLICY) {
      policyGeneration.incrementAndGet();
      policies.remove(change.id());
      return;
    }
    Map<String, Held<?>> m = held.get(type);
    if (m == null) {
      return;
    }
    try {
      applyHeld(change, type, m);
    } finally {
      regroup(type);
    }
  }

  private void applyHeld(ControlChange change, EntityType type, Map<String, Held<?>> m) {
    List<Map<String, Object>> rows = jdbc.queryForList(
        "SELECT tenant, version, deleted, body FROM " + ControlTables.table(type) + " WHERE id = ?", change.id());
    if (rows.isEmpty()) {
      m.remove(change.id());
      return;
    }
    Map<String, Object> row = rows.get(0);
    long version = ((Number) row.get("version")).longValue();
    Held<?> before = m.get(change.id());
    if (before != null && before.version() >= version) {
      return;
    }
    if (truthy(row.get("deleted"))) {
      m.remove(change.id());
      return;
    }
    Object body = ControlJson.read((String) row.get("body"), ControlTables.bodyType(type));
    Held<?> h = compile(type, change.id(), (String) row.get("tenant"), version, body);
    if (h != null) {
      m.put(change.id(), h);
    }
  }

  private static boolean truthy(Object v) {
    return v instanceof Boolean b ? b : v instanceof Number n && n.intValue() != 0;
  }

  private Held<?> compile(EntityType type, String id, String tenant, long version, Object body) {
    try {
      Object value = switch (type) {
        case SILENCE -> LiveSilence.of(id, (Silence) body);
        case INHIBITION_RULE -> LiveRule.of(id, (InhibitionRule) body);
        case ONCALL_SCHEDULE -> LiveSchedule.of(id, (OnCall) body);
        default -> body;
      };
      return new Held<>(id, tenant, version, value);
    } catch (RuntimeException e) {
      log.warn("skipped stored {} {} of tenant {} that does not compile: {}", type, id, tenant, e.getMessage());
      return null;
    }
  }

  private static List<Filter.Compiled> compileAll(List<io.vigil.common.control.FilterSpec> specs) {
    return specs == null ? List.of() : specs.stream().map(f -> f.compile("matchers")).toList();
  }

  // ---- what the stages read

  @Override
  public List<LiveSilence> silences(String tenant) {
    return ofTenant(EntityType.SILENCE, tenant);
  }

  @Override
  public List<LiveRule> inhibitionRules(String tenant) {
    return ofTenant(EntityType.INHIBITION_RULE, tenant);
  }

  @Override
  public User user(String tenant, String id) {
    return get(EntityType.USER, tenant, id, User.class);
  }

  @Override
  public UserGroup group(String tenant, String id) {
    return get(EntityType.USER_GROUP, tenant, id, UserGroup.class);
  }

  @Override
  public LiveSchedule schedule(String tenant, String id) {
    return get(EntityType.ONCALL_SCHEDULE, tenant, id, LiveSchedule.class);
  }

  @Override
  public Webhook webhook(String tenant, String id) {
    return get(EntityType.WEBHOOK, tenant, id, Webhook.class);
  }

  @Override
  public ChatBot bot(String tenant, String id) {
    return get(EntityType.CHAT_BOT, tenant, id, ChatBot.class);
  }

  @Override
  public MessageTemplate template(String tenant, String id) {
    return get(EntityType.TEMPLATE, tenant, id, MessageTemplate.class);
  }

  /**
   * A policy by id, from the cache or read from MySQL; null when it is gone. MySQL down throws a
   * dependency error: the alert waits for it rather than going out to no one.
   */
  @Override
  public LivePolicy policy(String id) {
    LivePolicy p = policies.get(id);
    if (p != null) {
      return p;
    }
    long generation = policyGeneration.get();
    List<Map<String, Object>> rows = jdbc.queryForList("SELECT tenant, version, enabled, deleted, body FROM "
        + ControlTables.table(EntityType.POLICY) + " WHERE id = ?", id);
    if (rows.isEmpty() || truthy(rows.get(0).get("deleted"))) {
      return null;
    }
    Map<String, Object> row = rows.get(0);
    AlertPolicy body = ControlJson.read((String) row.get("body"), AlertPolicy.class).withDefaults();
    p = new LivePolicy(id, (String) row.get("tenant"), ((Number) row.get("version")).longValue(),
        truthy(row.get("enabled")), body);
    if (policyGeneration.get() == generation) {
      policies.put(id, p);
    }
    return p;
  }

  private <T> T get(EntityType type, String tenant, String id, Class<T> as) {
    Held<?> h = id == null ? null : held.get(type).get(id);
    // another tenant's object is not there for this alert
    return h == null || !Objects.equals(h.tenant(), tenant) ? null : as.cast(h.value());
  }

  @SuppressWarnings("unchecked")
  private <T> List<T> ofTenant(EntityType type, String tenant) {
    Map<String, List<Object>> grouped = byTenant.get(type);
    List<Object> of = grouped == null || tenant == null ? null : grouped.get(tenant);
    return of == null ? List.of() : (List<T>) of;
  }

  /** The types the pipeline reads a tenant's all of, per event. */
  private static final java.util.Set<EntityType> BY_TENANT = java.util.EnumSet.of(EntityType.SILENCE,
      EntityType.INHIBITION_RULE);

  /** The type's objects grouped by tenant again, after a change (one change at a time, so none is lost). */
  private synchronized void regroup(EntityType type) {
    if (!BY_TENANT.contains(type)) {
      return;
    }
    List<Held<?>> all = new ArrayList<>(held.get(type).values());
    all.sort(java.util.Comparator.comparing(Held::id));
    Map<String, List<Object>> grouped = new java.util.HashMap<>();
    for (Held<?> h : all) {
      if (h.tenant() != null && h.value() != null) {
        grouped.computeIfAbsent(h.tenant(), t -> new ArrayList<>()).add(h.value());
      }
    }
    grouped.replaceAll((t, l) -> List.copyOf(l));
    byTenant.put(type, Map.copyOf(grouped));
  }
}
