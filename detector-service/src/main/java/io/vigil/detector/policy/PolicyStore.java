package io.vigil.detector.policy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ControlJson;
import io.vigil.common.control.ControlReader;
import io.vigil.common.control.ControlTables;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.model.ControlChange;
import io.vigil.common.model.ControlChange.EntityType;
import io.vigil.common.observability.MetricNames;
import io.vigil.detector.index.IndexedPolicy;
import io.vigil.detector.index.PolicyIndex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The policies of this detector's shard, in memory: an immutable {@link Snapshot} (the index and the
 * policies by id) that matching reads without a lock and that changes replace whole.
 *
 * <ul>
 *   <li>{@link #loadAll}: the full load (streamed from MySQL), the broadcast consumer's snapshot, run
 *       before the changes after it are applied; readiness waits for it.
 *   <li>{@link #apply}: one {@code control.changes} record. The change names the policy; its row is
 *       read again and kept only if newer than what is held, so a replayed or reordered change never
 *       rolls a policy back. Changes are collected and swapped in together by {@link #flush} (a
 *       burst of a thousand changes builds the index once, not a thousand times).
 *   <li>{@link #reconcile}: a periodic full load compared with what is held; every policy that
 *       differs is read again by id and repaired like a change (drift from a lost change, or a
 *       policy whose namespace moved shards).
 * </ul>
 *
 * A policy leaves the shard's copy when it is deleted, or its row names another shard; a disabled
 * policy is held (its version matters) but not indexed. Every swap tells the {@link Listener} which
 * policies changed, so open alerts of a deleted, disabled or changed policy are resolved.
 */
public final class PolicyStore {

  /** Told after each swap of the policies that changed; runs on the swapping thread. */
  public interface Listener {

    /**
     * @param before the policy as it was held, or null if new to this shard
     * @param after the policy as now held, or null if it left the shard (deleted or moved)
     */
    void changed(LivePolicy before, LivePolicy after);

    /**
     * A new snapshot is published; called once before that swap's {@link #changed} calls, so a
     * listener can wait out whoever was working with the snapshot before.
     */
    default void swapped() {}
  }

  /**
   * What matching reads, swapped atomically: the index of conditions (by namespace and metric), the
   * index of event rules (by namespace and event type), and the policies by id.
   */
  public record Snapshot(PolicyIndex index, PolicyIndex events, Map<String, LivePolicy> byId) {}

  private static final Logger log = LoggerFactory.getLogger(PolicyStore.class);
  private static final String ROW = "SELECT tenant, shard, version, enabled, deleted, body FROM "
      + ControlTables.table(EntityType.POLICY) + " WHERE id = ?";
  private static final String NAMESPACE_ROW = "SELECT body, deleted FROM "
      + ControlTables.table(EntityType.NAMESPACE) + " WHERE id = ?";

  private final String shard;
  private final ControlReader reader;
  private final JdbcTemplate jdbc;
  private final int maxExpansion;
  private final Counter refused;
  private volatile Snapshot snapshot =
      new Snapshot(PolicyIndex.build(List.of(), 1), PolicyIndex.build(List.of(), 1), Map.of());
  private volatile Map<String, NamespaceConfig> namespaces = Map.of();
  /** Counted down once the first full load is in memory: {@link #loaded} and {@link #awaitLoaded}. */
  private final java.util.concurrent.CountDownLatch firstLoad = new java.util.concurrent.CountDownLatch(1);
  /**
   * Changes read and not yet swapped in; guarded by itself, apart from {@link #swapLock}, so the change
   * consumer goes on reading while an index is built (a build of 100,000 policies takes a while).
   */
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  /** Held by whatever replaces the snapshot (a swap, a full load): one at a time, each from the last. */
  private final Object swapLock = new Object();
  private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** A policy read again: its new form, or null when it left the shard; version -1 if the row is gone. */
  private record Pending(String id, long version, LivePolicy policy) {}

  public PolicyStore(String shard, DataSource dataSource, int maxExpansion, MeterRegistry registry) {
    this.shard = Objects.requireNonNull(shard, "shard");
    this.reader = new ControlReader(dataSource);
    this.jdbc = new JdbcTemplate(dataSource);
    this.maxExpansion = maxExpansion;
    this.refused = Counter.builder("vigil.detector.policies.refused")
        .description("stored policies this detector could not compile (skipped; the log names them)")
        .register(registry);
    Gauge.builder(MetricNames.POLICIES_LOADED, this, s -> s.snapshot.index().size()).tag("shard", shard)
        .description("enabled policies held in the shard's index").register(registry);
    Gauge.builder("vigil.detector.policies.pending", this, PolicyStore::pendingChanges).tag("shard", shard)
        .description("policy changes read and waiting for the next flush into the index").register(registry);
  }

  /** Policy changes read and not yet swapped in. */
  public int pendingChanges() {
    synchronized (pending) {
      return pending.size();
    }
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  /** The access config of a namespace as this detector holds it, or null. */
  public NamespaceConfig namespace(String name) {
    return name == null ? null : namespaces.get(name);
  }

  public boolean loaded() {
    return firstLoad.getCount() == 0;
  }

  /** Waits up to {@code timeout} for the first full load; true once it is in. */
  public boolean awaitLoaded(java.time.Duration timeout) throws InterruptedException {
    return firstLoad.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  public String shard() {
    return shard;
  }

  /** The full load: every namespace (for its tenant dimension) and every live policy of the shard. */
  public void loadAll() {
    synchronized (swapLock) {
      loadAllLocked();
    }
  }

  private void loadAllLocked() {
    long started = System.nanoTime();
    Map<String, NamespaceConfig> ns = loadNamespaces();
    Map<String, LivePolicy> byId = new HashMap<>();
    reader.forEach(EntityType.POLICY, shard, AlertPolicy.class, l -> {
      LivePolicy p = compile(l.id(), l.tenant(), l.version(), l.enabled(), l.body(), ns);
      if (p != null) {
        byId.put(p.id(), p);
      }
    });
    namespaces = ns;
    Snapshot before = snapshot;
    List<IndexedPolicy> indexed = new ArrayList<>(byId.size());
    List<IndexedPolicy> events = new ArrayList<>();
    for (LivePolicy p : byId.values()) {
      if (p.enabled() && p.indexed() != null) {
        indexed.add(p.indexed());
      }
      if (p.enabled()) {
        events.addAll(p.eventEntries());
      }
    }
    Snapshot after = new Snapshot(PolicyIndex.build(indexed, maxExpansion), PolicyIndex.build(events, maxExpansion),
        Map.copyOf(byId));
    snapshot = after;
    firstLoad.countDown();
    log.info("loaded the policies of shard {}: {} held, {} indexed, in {} ms", shard, byId.size(), indexed.size(),
        (System.nanoTime() - started) / 1_000_000);
    notifyDiff(before.byId(), after.byId());
  }

  /**
   * The periodic repair: a full load of the shard compared with what is held; each policy that
   * differs is read again by id and goes through the same path as a change.
   */
  public void reconcile() {
    Map<String, Long> truth = new HashMap<>();
    reader.forEachVersion(EntityType.POLICY, shard, truth::put);
    List<String> suspects = new ArrayList<>();
    Map<String, LivePolicy> held = snapshot.byId();
    truth.forEach((id, version) -> {
      LivePolicy p = held.get(id);
      if (p == null || p.version() < version) {
        suspects.add(id);
      }
    });
    held.keySet().stream().filter(id -> !truth.containsKey(id)).forEach(suspects::add);
    for (String id : suspects) {
      reread(id);
    }
    if (!suspects.isEmpty()) {
      log.warn("reconcile of shard {} repaired {} policies that differed from MySQL", shard, suspects.size());
      driftRepaired += suspects.size();
    }
    flush();
  }

  private volatile long driftRepaired;

  /** Policies the reconciles found out of date since start (a lost or unapplied change). */
  public long driftRepaired() {
    return driftRepaired;
  }

  /**
   * One change from {@code control.changes}: a policy of this shard (or one held here that moved away)
   * is read again; a namespace whose tenant dimension changed recompiles its policies. Reads MySQL:
   * when it is down this throws a dependency error and the broadcast consumer retries it.
   */
  public void apply(ControlChange change) {
    if (change.type() == EntityType.POLICY) {
      boolean ours = change.shard() == null || shard.equals(change.shard());
      if (ours || snapshot.byId().containsKey(change.id())) {
        reread(change.id());
      }
    } else if (change.type() == EntityType.NAMESPACE) {
      rereadNamespace(change.id());
    }
  }

  /**
   * Swaps in the changes read since the last flush: one index build for all of them. Answers how many
   * changes it took (0: nothing to do).
   */
  public int flush() {
    List<Pending> batch;
    synchronized (pending) {
      if (pending.isEmpty()) {
        return 0;
      }
      batch = new ArrayList<>(pending.values());
      pending.clear();
    }
    swap(batch);
    return batch.size();
  }

  private void swap(List<Pending> batch) {
    synchronized (swapLock) {
      swapLocked(batch);
    }
  }

  private void swapLocked(List<Pending> batch) {
    Snapshot before = snapshot;
    Map<String, LivePolicy> byId = new HashMap<>(before.byId());
    List<IndexedPolicy> upserts = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<IndexedPolicy> eventUpserts = new ArrayList<>();
    List<String> eventRemoved = new ArrayList<>();
    Map<String, LivePolicy[]> changes = new LinkedHashMap<>();
    for (Pending p : batch) {
      LivePolicy held = byId.get(p.id());
      if (held != null && p.version() >= 0 && held.version() >= p.version()) {
        continue; // stale: what is held is as new
      }
      if (held != null) {
        held.eventEntries().forEach(e -> eventRemoved.add(e.id()));
      }
      if (p.policy() == null) {
        if (held != null) {
          byId.remove(p.id());
          removed.add(p.id());
          changes.put(p.id(), new LivePolicy[] {held, null});
        }
        continue;
      }
      byId.put(p.id(), p.policy());
      if (p.policy().enabled() && p.policy().indexed() != null) {
        upserts.add(p.policy().indexed());
      } else {
        removed.add(p.id());
      }
      if (p.policy().enabled()) {
        eventUpserts.addAll(p.policy().eventEntries());
      }
      changes.put(p.id(), new LivePolicy[] {held, p.policy()});
    }
    if (changes.isEmpty()) {
      return;
    }
    snapshot = new Snapshot(before.index().with(upserts, removed),
        eventUpserts.isEmpty() && eventRemoved.isEmpty() ? before.events()
            : before.events().with(eventUpserts, eventRemoved), Map.copyOf(byId));
    for (Listener l : listeners) {
      l.swapped();
    }
    for (LivePolicy[] c : changes.values()) {
      for (Listener l : listeners) {
        l.changed(c[0], c[1]);
      }
    }
  }

  private void reread(String id) {
    List<Map<String, Object>> rows = jdbc.queryForList(ROW, id);
    Pending p;
    if (rows.isEmpty()) {
      p = new Pending(id, -1, null);
    } else {
      Map<String, Object> row = rows.get(0);
      long version = ((Number) row.get("version")).longValue();
      boolean gone = ((Number) row.get("deleted")).intValue() != 0 || !shard.equals(row.get("shard"));
      LivePolicy policy = gone ? null : compile(id, (String) row.get("tenant"), version,
          ((Number) row.get("enabled")).intValue() != 0, readBody(id, (String) row.get("body")), namespaces);
      p = new Pending(id, version, policy);
      if (!gone && policy == null) {
        return; // refused (counted); what is held stays
      }
    }
    synchronized (pending) {
      pending.put(id, p);
    }
  }

  private void rereadNamespace(String name) {
    List<Map<String, Object>> rows = jdbc.queryForList(NAMESPACE_ROW, name);
    NamespaceConfig now = rows.isEmpty() || ((Number) rows.get(0).get("deleted")).intValue() != 0 ? null
        : ControlJson.read((String) rows.get(0).get("body"), NamespaceConfig.class);
    Map<String, NamespaceConfig> next = new HashMap<>(namespaces);
    NamespaceConfig before = now == null ? next.remove(name) : next.put(name, now);
    namespaces = Map.copyOf(next);
    if (tenantField(before).equals(tenantField(now))) {
      return;
    }
    log.info("namespace {} changed its tenant dimension: its policies are compiled again", name);
    for (LivePolicy p : snapshot.byId().values()) {
      if (name.equals(p.namespace())) {
        reread(p.id());
        synchronized (pending) { // the same version, compiled against the new dimension: force it in
          Pending q = pending.get(p.id());
          if (q != null && q.policy() != null) {
            pending.put(p.id(), new Pending(p.id(), -1, q.policy()));
          }
        }
      }
    }
  }

  private static String tenantField(NamespaceConfig ns) {
    return ns == null || ns.tenantDimension() == null ? NamespaceConfig.DEFAULT_TENANT_DIMENSION
        : ns.tenantDimension();
  }

  private AlertPolicy readBody(String id, String json) {
    try {
      return ControlJson.read(json, AlertPolicy.class);
    } catch (RuntimeException e) {
      refused(id, e);
      return null;
    }
  }

  private LivePolicy compile(String id, String tenant, long version, boolean enabled, AlertPolicy body,
      Map<String, NamespaceConfig> ns) {
    if (body == null) {
      return null;
    }
    try {
      return LivePolicy.of(id, tenant, version, enabled, body, ns.get(body.namespace()));
    } catch (IllegalArgumentException e) {
      refused(id, e);
      return null;
    }
  }

  private void refused(String id, Exception e) {
    refused.increment();
    log.error("policy {} of shard {} cannot be run and is skipped: {}", id, shard, e.getMessage());
  }

  private Map<String, NamespaceConfig> loadNamespaces() {
    Map<String, NamespaceConfig> all = new HashMap<>();
    reader.forEach(EntityType.NAMESPACE, null, NamespaceConfig.class, l -> all.put(l.id(), l.body()));
    return Map.copyOf(all);
  }

  private void notifyDiff(Map<String, LivePolicy> before, Map<String, LivePolicy> after) {
    if (before.isEmpty()) {
      return;
    }
    before.forEach((id, old) -> {
      LivePolicy now = after.get(id);
      if (now == null || now.version() != old.version()) {
        listeners.forEach(l -> l.changed(old, now));
      }
    });
    after.forEach((id, now) -> {
      if (!before.containsKey(id)) {
        listeners.forEach(l -> l.changed(null, now));
      }
    });
  }
}
