package io.vigil.policy.store;

import io.vigil.common.control.ControlJson;
import io.vigil.common.control.ControlLookup;
import io.vigil.common.control.ControlTables;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.Violations;
import io.vigil.common.kafka.TopicProvisioner;
import io.vigil.common.kafka.Topics;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.ControlChange.EntityType;
import io.vigil.common.tracing.TraceContext;
import io.vigil.policy.objects.ObjectKind;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Every write of the control plane: the object, its outbox row and its audit entry in one
 * transaction, over the version the writer read (a stale one changes nothing and answers 409). The
 * row is locked before it is read, so the audit's before-image is the state the change replaced.
 */
@Service
public class ControlStore {

  private final ControlMapper mapper;
  private final Clock clock;
  private final ObjectProvider<TopicProvisioner> topics;
  private final List<Runnable> afterCommit = new ArrayList<>();

  public ControlStore(ControlMapper mapper, Clock clock, ObjectProvider<TopicProvisioner> topics) {
    this.mapper = mapper;
    this.clock = clock;
    this.topics = topics;
  }

  /** Called after every committed change (the outbox relay wakes up). */
  public void onCommit(Runnable listener) {
    afterCommit.add(listener);
  }

  @Transactional
  public <T> ObjectView<T> create(ObjectKind<T> kind, String tenant, T input, String actor) {
    T body = kind.complete(input);
    check(kind, body, null, tenant);
    long now = clock.millis();
    String id = kind.naturalId(body);
    ControlRow before = id == null ? null : mapper.lock(kind.table(), id);
    if (before != null && !before.deleted) {
      throw new ApiException(ErrorCode.CONFLICT, "name", kind.type().name().toLowerCase() + " '" + id + "' exists");
    }
    ControlRow row = row(kind, tenant, body, actor, now);
    row.id = id != null ? id : Ids.next(kind.idPrefix(), now);
    beforeCommit(kind, body, null);
    try {
      if (before == null) {
        row.version = 1;
        row.createdAtMs = now;
        mapper.insert(kind.table(), row);
      } else {
        // a deleted object of this name comes back: its version goes on counting, so readers that
        // saw the deletion take this as newer
        row.version = before.version + 1;
        row.createdAtMs = now;
        if (mapper.update(kind.table(), row, before.version) != 1) {
          throw stale(row.id);
        }
      }
    } catch (DuplicateKeyException e) {
      throw new ApiException(ErrorCode.CONFLICT, "name", "an object of this name exists");
    }
    record(kind, row, ChangeOp.UPSERT, null, body, actor, now);
    return view(kind, row, body);
  }

  @Transactional
  public <T> ObjectView<T> update(ObjectKind<T> kind, String tenant, String id, long expectedVersion, T input,
      String actor) {
    ControlRow before = lockOwned(kind, tenant, id);
    if (before.version != expectedVersion) {
      throw stale(id);
    }
    T stored = read(kind, before);
    T body = kind.complete(kind.keepSecrets(input, stored));
    check(kind, body, stored, tenant);
    long now = clock.millis();
    ControlRow row = row(kind, tenant, body, actor, now);
    row.id = id;
    row.version = before.version + 1;
    row.createdAtMs = before.createdAtMs;
    beforeCommit(kind, body, stored);
    try {
      if (mapper.update(kind.table(), row, expectedVersion) != 1) {
        throw stale(id);
      }
    } catch (DuplicateKeyException e) {
      throw new ApiException(ErrorCode.CONFLICT, "name", "another object has this name");
    }
    record(kind, row, ChangeOp.UPSERT, stored, body, actor, now);
    return view(kind, row, body);
  }

  @Transactional
  public <T> ObjectView<T> delete(ObjectKind<T> kind, String tenant, String id, long expectedVersion, String actor) {
    ControlRow before = lockOwned(kind, tenant, id);
    if (before.version != expectedVersion) {
      throw stale(id);
    }
    T stored = read(kind, before);
    if (kind.type() == EntityType.NAMESPACE) {
      if (mapper.anyLiveIn(ControlTables.table(EntityType.POLICY), id) != null) {
        throw new ApiException(ErrorCode.CONFLICT, "id", "namespace " + id + " still has policies: delete them first");
      }
      forgetNamespace(id);
    }
    long now = clock.millis();
    ControlRow row = row(kind, tenant, stored, actor, now);
    row.id = id;
    row.version = before.version + 1;
    row.createdAtMs = before.createdAtMs;
    row.deleted = true;
    if (mapper.update(kind.table(), row, expectedVersion) != 1) {
      throw stale(id);
    }
    record(kind, row, ChangeOp.DELETE, stored, null, actor, now);
    return view(kind, row, stored);
  }

  /** One item of a batch: a new object (no id), or a change of {@code id} over {@code version}. */
  public record BatchItem<T>(String id, Long version, T object) {}

  /**
   * Creates and updates up to a thousand objects all-or-nothing: every item is checked first and
   * every bad field of every item is answered at once ({@code items[3].conditions[0].metric}); only
   * when all pass are they written, in one transaction, each with its outbox row and audit entry.
   */
  @Transactional
  public <T> List<ObjectView<T>> batch(ObjectKind<T> kind, String tenant, List<BatchItem<T>> items, String actor) {
    Violations invalid = new Violations();
    Violations missing = new Violations();
    ControlLookup lookup = memoized(lookup());
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String at = "items[" + i + "]";
      BatchItem<T> item = items.get(i);
      if (item == null || item.object() == null) {
        invalid.add(at + ".object", "the object to create or update");
        continue;
      }
      T stored = null;
      if (item.id() != null) {
        if (!seen.add(item.id())) {
          invalid.add(at + ".id", item.id() + " appears twice in the batch");
          continue;
        }
        if (item.version() == null) {
          invalid.add(at + ".version", "the version the change applies to");
          continue;
        }
        ControlRow row = mapper.find(kind.table(), item.id());
        if (row == null || row.deleted || !row.tenant.equals(tenantOf(kind, tenant))) {
          missing.add(at + ".id", "no " + kind.type().name().toLowerCase() + " " + item.id());
          continue;
        }
        stored = read(kind, row);
      }
      T body = kind.complete(stored == null ? item.object() : kind.keepSecrets(item.object(), stored));
      Violations one = new Violations();
      kind.validate(body, stored, tenantOf(kind, tenant), lookup, one);
      one.list().forEach(p -> invalid.add(at + "." + p.field(), p.reason()));
      Violations refs = new Violations();
      kind.references(body, tenantOf(kind, tenant), lookup, refs);
      refs.list().forEach(p -> missing.add(at + "." + p.field(), p.reason()));
    }
    invalid.throwIfAny();
    missing.throwIfAny(ErrorCode.INVALID_REFERENCE);
    List<ObjectView<T>> done = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      BatchItem<T> item = items.get(i);
      try {
        done.add(item.id() == null ? create(kind, tenant, item.object(), actor)
            : update(kind, tenant, item.id(), item.version(), item.object(), actor));
      } catch (ApiException e) {
        throw new ApiException(e.code(), "items[" + i + "]" + (e.field() == null ? "" : "." + e.field()),
            e.getMessage());
      }
    }
    return done;
  }

  private static ControlLookup memoized(ControlLookup lookup) {
    java.util.Map<String, Optional<NamespaceConfig>> namespaces = new java.util.HashMap<>();
    java.util.Map<String, Boolean> exists = new java.util.HashMap<>();
    return new ControlLookup() {
      @Override
      public Optional<NamespaceConfig> namespace(String name) {
        return namespaces.computeIfAbsent(name, lookup::namespace);
      }

      @Override
      public boolean exists(EntityType type, String tenant, String id) {
        return exists.computeIfAbsent(type + "\u0000" + tenant + "\u0000" + id, k -> lookup.exists(type, tenant, id));
      }
    };
  }

  @Transactional(readOnly = true)
  public <T> ObjectView<T> get(ObjectKind<T> kind, String tenant, String id) {
    ControlRow row = mapper.find(kind.table(), id);
    if (row == null || row.deleted || !row.tenant.equals(tenantOf(kind, tenant))) {
      throw notFound(kind, id);
    }
    return view(kind, row, read(kind, row));
  }

  @Transactional(readOnly = true)
  public <T> ObjectPage<T> list(ObjectKind<T> kind, String tenant, ListQuery q) {
    String after = q.cursor() == null ? null : decodeCursor(q.cursor());
    String prefix = q.namePrefix() == null ? null
        : q.namePrefix().replace("!", "!!").replace("%", "!%").replace("_", "!_");
    List<ControlRow> rows = mapper.page(kind.table(), tenantOf(kind, tenant), q.namespace(), prefix, q.enabled(), after,
        q.limit() + 1);
    List<ObjectView<T>> items = new ArrayList<>();
    for (int i = 0; i < Math.min(rows.size(), q.limit()); i++) {
      items.add(view(kind, rows.get(i), read(kind, rows.get(i))));
    }
    String next = rows.size() > q.limit() ? encodeCursor(items.get(items.size() - 1).id()) : null;
    return new ObjectPage<>(items, next);
  }

  /** An object's audit trail, newest first (it outlives a deletion). */
  @Transactional(readOnly = true)
  public <T> List<AuditEntry> audit(ObjectKind<T> kind, String tenant, String id, Long before, int limit) {
    ControlRow row = mapper.find(kind.table(), id);
    if (row == null || !row.tenant.equals(tenantOf(kind, tenant))) {
      throw notFound(kind, id);
    }
    return auditOf(kind.type(), id, before, limit);
  }

  /** A namespace's config as last read, kept briefly: every policy write checks against one. */
  private record CachedNamespace(Optional<NamespaceConfig> config, long readAtMs) {}

  private static final long NAMESPACE_CACHE_MS = 5_000;
  private final java.util.concurrent.ConcurrentHashMap<String, CachedNamespace> namespaces =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * A namespace's config for checking a policy: from a cache of a few seconds (namespaces change
   * rarely, policies often), dropped at once when this instance commits a namespace change; another
   * instance's change is seen within {@value #NAMESPACE_CACHE_MS} ms.
   */
  private Optional<NamespaceConfig> namespaceConfig(String name) {
    long now = clock.millis();
    CachedNamespace c = namespaces.get(name);
    if (c != null && now - c.readAtMs() < NAMESPACE_CACHE_MS) {
      return c.config();
    }
    ControlRow row = mapper.find(ControlTables.table(EntityType.NAMESPACE), name);
    Optional<NamespaceConfig> config = row == null || row.deleted ? Optional.empty()
        : Optional.of(ControlJson.read(row.body, NamespaceConfig.class));
    if (namespaces.size() > 10_000) {
      namespaces.clear();
    }
    namespaces.put(name, new CachedNamespace(config, now));
    return config;
  }

  /** What checks of references ask, answered inside the writing transaction. */
  public ControlLookup lookup() {
    return new ControlLookup() {
      @Override
      public Optional<NamespaceConfig> namespace(String name) {
        return namespaceConfig(name);
      }

      @Override
      public boolean exists(EntityType type, String tenant, String id) {
        return id != null && mapper.countLive(ControlTables.table(type), tenant, id) > 0;
      }
    };
  }

  // ---- the parts of a write

  private <T> void check(ObjectKind<T> kind, T body, T before, String tenant) {
    Violations invalid = new Violations();
    ControlLookup lookup = lookup();
    kind.validate(body, before, tenantOf(kind, tenant), lookup, invalid);
    invalid.throwIfAny();
    Violations missing = new Violations();
    kind.references(body, tenantOf(kind, tenant), lookup, missing);
    missing.throwIfAny(ErrorCode.INVALID_REFERENCE);
  }

  /**
   * Work that must be done before the change may commit: a namespace's shard gets its rollup topic
   * (and dead-letter topic), and its policies follow it to the new shard.
   */
  private <T> void beforeCommit(ObjectKind<T> kind, T body, T before) {
    if (kind.type() != EntityType.NAMESPACE) {
      return;
    }
    NamespaceConfig ns = (NamespaceConfig) body;
    forgetNamespace(ns.name());
    TopicProvisioner provisioner = topics.getIfAvailable();
    if (provisioner != null) {
      provisioner.ensure(List.of(Topics.rollup(ns.shard())));
    }
    if (before != null && !ns.shard().equals(((NamespaceConfig) before).shard())) {
      mapper.moveShard(ControlTables.table(EntityType.POLICY), ns.name(), ns.shard());
    }
  }

  /** Another instance changed a namespace: read it again at its next use. */
  public void onChange(io.vigil.common.model.ControlChange change) {
    if (change.type() == EntityType.NAMESPACE) {
      namespaces.remove(change.id());
    }
  }

  /** Drops a namespace from the cache now and again when the transaction ends (either way). */
  private void forgetNamespace(String name) {
    namespaces.remove(name);
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCompletion(int status) {
          namespaces.remove(name);
        }
      });
    }
  }

  private <T> ControlRow row(ObjectKind<T> kind, String tenant, T body, String actor, long now) {
    ControlRow row = new ControlRow();
    row.tenant = tenantOf(kind, tenant);
    row.name = kind.name(body);
    row.namespace = kind.namespace(body);
    row.shard = kind.shard(body);
    if (kind.type() == EntityType.POLICY && row.namespace != null) {
      row.shard = lookup().namespace(row.namespace).map(NamespaceConfig::shard).orElse(null);
    }
    row.enabled = kind.enabled(body);
    row.body = ControlJson.write(body);
    row.updatedAtMs = now;
    row.updatedBy = actor;
    return row;
  }

  private <T> void record(ObjectKind<T> kind, ControlRow row, ChangeOp op, T before, T after, String actor, long now) {
    recordChange(kind.type(), row.id, row.tenant, kind.global() ? null : row.tenant, row.namespace, row.shard,
        row.version, op, redactedJson(kind, before, null), redactedJson(kind, after, row), actor, now);
  }

  /** An object as the audit keeps it: the stored body itself when it has no secret to hide. */
  private static <T> String redactedJson(ObjectKind<T> kind, T body, ControlRow stored) {
    if (body == null) {
      return null;
    }
    T redacted = kind.redacted(body);
    return redacted == body && stored != null && !stored.deleted ? stored.body : ControlJson.write(redacted);
  }

  /**
   * The outbox row and the audit entry of a change, in the caller's transaction, and the relay woken
   * after it commits. Bodies must already have their secrets hidden.
   *
   * @param auditTenant the tenant the audit entry is filed under ({@code ""} for global objects)
   * @param changeTenant the tenant on {@code control.changes} (null for global objects)
   */
  public void recordChange(EntityType type, String id, String auditTenant, String changeTenant, String namespace,
      String shard, long version, ChangeOp op, String beforeJson, String afterJson, String actor, long now) {
    OutboxRow o = new OutboxRow();
    o.entityType = type.name();
    o.entityId = id;
    o.version = version;
    o.op = op.name();
    o.tenant = changeTenant;
    o.namespace = namespace;
    o.shard = shard;
    o.createdAtMs = now;
    var trace = TraceContext.current();
    o.traceparent = trace == null ? null : trace.value();
    mapper.insertOutbox(o);
    AuditRow a = new AuditRow();
    a.entityType = type.name();
    a.entityId = id;
    a.tenant = auditTenant;
    a.version = version;
    a.op = op.name();
    a.actor = actor;
    a.atMs = now;
    a.beforeBody = beforeJson;
    a.afterBody = afterJson;
    mapper.insertAudit(a);
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          afterCommit.forEach(Runnable::run);
        }
      });
    }
  }

  /** An audit trail by type and id, newest first, for objects kept outside the JSON-body tables. */
  public List<AuditEntry> auditOf(EntityType type, String id, Long before, int limit) {
    return mapper.audit(type.name(), id, before, limit).stream().map(a -> new AuditEntry(a.seq, a.entityType,
        a.entityId, a.version, a.op, a.actor, a.atMs, tree(a.beforeBody), tree(a.afterBody))).toList();
  }

  private <T> ControlRow lockOwned(ObjectKind<T> kind, String tenant, String id) {
    ControlRow row = mapper.lock(kind.table(), id);
    if (row == null || row.deleted || !row.tenant.equals(tenantOf(kind, tenant))) {
      throw notFound(kind, id);
    }
    return row;
  }

  private static <T> String tenantOf(ObjectKind<T> kind, String tenant) {
    return kind.global() ? ControlTables.GLOBAL : tenant;
  }

  private <T> ObjectView<T> view(ObjectKind<T> kind, ControlRow row, T body) {
    return new ObjectView<>(row.id, kind.global() ? null : row.tenant, row.version, row.createdAtMs, row.updatedAtMs,
        row.updatedBy, kind.redacted(body));
  }

  private static <T> T read(ObjectKind<T> kind, ControlRow row) {
    return ControlJson.read(row.body, kind.bodyType());
  }

  private static tools.jackson.databind.JsonNode tree(String json) {
    return json == null ? null : ControlJson.MAPPER.readTree(json);
  }

  private static ApiException stale(String id) {
    return new ApiException(ErrorCode.CONFLICT, "If-Match",
        id + " changed since the version you read: fetch it again and re-apply your change");
  }

  private static <T> ApiException notFound(ObjectKind<T> kind, String id) {
    return new ApiException(ErrorCode.NOT_FOUND, "id", "no " + kind.type().name().toLowerCase() + " " + id);
  }

  static String encodeCursor(String id) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
  }

  static String decodeCursor(String cursor) {
    try {
      return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ApiException(ErrorCode.INVALID_PARAMETER, "cursor", "not a cursor this API returned");
    }
  }
}
