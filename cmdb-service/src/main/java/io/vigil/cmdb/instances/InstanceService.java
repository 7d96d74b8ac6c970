package io.vigil.cmdb.instances;

import io.vigil.common.control.AccessConfigCache;
import io.vigil.common.control.Names;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.Violations;
import io.vigil.common.security.VigilPrincipal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may read and write which instances, and the read path through the cache.
 *
 * <ul>
 *   <li>A product credential writes (and reads) the instances of its own namespaces.
 *   <li>An operator reads its tenants' instances; an operator or admin of the tenant may also write
 *       them (corrections by hand, with {@code If-Match}).
 *   <li>A service credential reads every tenant's, for enrichment, and writes nothing.
 * </ul>
 *
 * Another tenant's instance is answered as absent (404 or missing), never revealed.
 */
public class InstanceService {

  private final InstanceStore store;
  private final InstanceCache cache;
  private final NearCache near;
  private final AccessConfigCache access;

  public InstanceService(InstanceStore store, InstanceCache cache, NearCache near, AccessConfigCache access) {
    this.store = store;
    this.cache = cache;
    this.near = near;
    this.access = access;
  }

  /**
   * An instance the caller may read, or 404. Read past the near cache: a single read is an operator's
   * (or a tool's), often before a write with If-Match, and must see another process's commit at once
   * (it is written through to Redis); only the enrichment's batch look-ups take the near copy.
   */
  public Instance get(VigilPrincipal caller, InstanceKey key) {
    InstanceCache.Entry e = lookup(caller, List.of(key), false).get(key);
    if (e == null) {
      throw new ApiException(ErrorCode.NOT_FOUND, null, "no instance " + key.text());
    }
    return e.instance();
  }

  /**
   * The live instances of these keys that the caller may read, as cached (their JSON unread); the
   * others are absent from the map. With {@code useNear}, warm keys come from this process's near
   * cache; the rest from Redis in one round trip, the rest from MySQL in one query (and are cached).
   */
  public Map<InstanceKey, InstanceCache.Entry> lookup(VigilPrincipal caller, List<InstanceKey> keys, boolean useNear) {
    Map<InstanceKey, InstanceCache.Entry> entries = new HashMap<>();
    boolean nearUsable = useNear && near.usable();
    long generation = near.generation(); // taken before reading: a copy read across a clear is not put
    List<InstanceKey> cold = keys;
    if (nearUsable) {
      cold = new ArrayList<>();
      for (InstanceKey k : keys) {
        InstanceCache.Entry e = near.get(k);
        if (e != null) {
          entries.put(k, e);
        } else {
          cold.add(k);
        }
      }
    }
    if (!cold.isEmpty()) {
      Optional<Map<InstanceKey, InstanceCache.Entry>> cached = cache.get(cold);
      // for a floor's life after Redis was in trouble, its copies answer but are not kept near: one
      // may be older than a commit whose write-through failed and is not repaired yet
      boolean redisTrusted = !cache.troubledWithin(NearCache.FLOOR_LIFE);
      List<InstanceKey> missing = new ArrayList<>();
      for (InstanceKey k : cold) {
        InstanceCache.Entry e = cached.isPresent() ? cached.get().get(k) : null;
        if (e == null || near.staleUnderFloor(k, e.version())) {
          missing.add(k); // a Redis copy older than a change seen lately: its write-through failed
          continue;
        }
        entries.put(k, e);
        if (nearUsable && redisTrusted) {
          near.offer(k, e, generation);
        }
      }
      if (!missing.isEmpty()) {
        Map<InstanceKey, InstanceCache.Entry> loaded = new HashMap<>();
        for (InstanceKey k : missing) {
          loaded.put(k, new InstanceCache.Entry(0, null, null)); // unknown unless a row says otherwise
        }
        for (InstanceRow r : store.find(missing)) {
          loaded.put(r.key(), InstanceCache.Entry.of(r.version, r.deleted ? null : InstanceStore.view(r)));
        }
        entries.putAll(loaded);
        if (cached.isPresent()) {
          cache.fill(loaded);
        }
        if (nearUsable) {
          loaded.forEach((k, e) -> near.offer(k, e, generation));
        }
      }
    }
    Map<InstanceKey, InstanceCache.Entry> out = new LinkedHashMap<>();
    for (InstanceKey k : keys) {
      InstanceCache.Entry e = entries.get(k);
      if (e != null && e.live() && mayRead(caller, k.namespace(), e.tenant())) {
        out.put(k, e);
      }
    }
    return out;
  }

  /** A page of the instances the caller may read that match the query. */
  public Page search(VigilPrincipal caller, String namespace, String region, String tenant,
      Map<String, String> attributes, Map<String, String> tags, Long after, int limit) {
    Set<String> tenants = null;
    String product = null;
    switch (caller.kind()) {
      case SERVICE -> tenants = tenant == null ? null : Set.of(tenant);
      case OPERATOR -> {
        if (tenant != null) {
          if (!caller.canRead(tenant)) {
            return new Page(List.of(), null); // another tenant's: as if it had none
          }
          tenants = Set.of(tenant);
        } else if (!caller.tenants().contains(VigilPrincipal.ALL_TENANTS)) {
          tenants = caller.tenants();
        }
      }
      case PRODUCT -> {
        tenants = tenant == null ? null : Set.of(tenant);
        if (namespace != null) {
          if (!caller.writesNamespace(namespace)) {
            return new Page(List.of(), null);
          }
        } else {
          // a credential of the control tables reads every namespace of its product; a configured
          // one lists its namespaces and names the one to search
          product = caller.namespaces().stream().filter(n -> n.endsWith("/*"))
              .map(n -> n.substring(0, n.length() - 2)).findFirst()
              .orElseThrow(() -> new ApiException(ErrorCode.INVALID_PARAMETER, "namespace",
                  "name the namespace to search"));
        }
      }
    }
    InstanceQuery q = new InstanceQuery(namespace, region, tenants, product, attributes, tags);
    List<InstanceRow> rows = store.search(q, after, limit);
    List<Instance> items = new ArrayList<>(rows.size());
    for (InstanceRow r : rows) {
      Instance i = InstanceStore.view(r);
      if (q.matches(i) && mayRead(caller, i.namespace(), i.tenant())) {
        items.add(i);
      }
    }
    String next = rows.size() < limit ? null : Long.toString(rows.get(rows.size() - 1).pk);
    return new Page(items, next);
  }

  /** A page of a search, and the cursor of the next one (null at the end). */
  public record Page(List<Instance> items, String nextCursor) {}

  /**
   * Checks and writes a batch (all or nothing): every item's fields, the caller's right to each
   * namespace and tenant, then the versions against what is stored.
   * A single write's fields are named bare ({@code version}), a batch's by item ({@code
   * items[3].version}).
   */
  public List<WriteResult> write(VigilPrincipal caller, List<WriteRequest> requests, OnStale onStale) {
    if (caller.kind() == VigilPrincipal.Kind.SERVICE) {
      throw new ApiException(ErrorCode.FORBIDDEN, "Authorization", "service credentials read instances only");
    }
    if (!access.loaded()) {
      throw new DependencyUnavailableException("mysql", "the access config is not loaded yet");
    }
    boolean single = requests.size() == 1;
    Violations v = new Violations();
    List<WriteItem> items = new ArrayList<>(requests.size());
    Map<InstanceKey, Integer> seen = new HashMap<>();
    for (int i = 0; i < requests.size(); i++) {
      WriteRequest r = requests.get(i);
      String at = single ? "" : "items[" + i + "].";
      if (r == null) {
        v.add("items[" + i + "]", "an item is required");
        continue;
      }
      int before = v.list().size();
      InstanceKey.check(v, at, r.namespace(), r.region(), r.instanceId());
      v.check(r.version() != null && r.version() > 0, at + "version",
          "the writer's version of this state, > 0 (e.g. epoch ms at the source)");
      if (!r.delete()) {
        InstanceRules.attributes(v, at, r.attributes());
        InstanceRules.tags(v, at, r.tags());
      } else {
        v.check(r.attributes() == null || r.attributes().isEmpty(), at + "attributes", "a delete carries none");
        v.check(r.tags() == null || r.tags().isEmpty(), at + "tags", "a delete carries none");
      }
      if (v.list().size() > before) {
        continue; // the item's own fields are wrong: its key and rights mean nothing yet
      }
      InstanceKey key = new InstanceKey(r.namespace(), r.region(), r.instanceId());
      Integer first = seen.putIfAbsent(key, i);
      if (first != null) {
        v.add("items[" + i + "]", "the same instance as items[" + first + "]: one write per instance per batch");
        continue;
      }
      NamespaceConfig ns = namespace(caller, r.namespace(), at);
      String tenant = null;
      if (ns != null && !r.delete()) {
        String dim = ns.tenantDimension();
        tenant = r.attributes() == null ? null : r.attributes().get(dim);
        if (!v.check(tenant != null && Names.matches(Names.TENANT, tenant), at + "attributes." + dim,
            "the namespace's tenant dimension names the instance's tenant: required")) {
          continue;
        }
        if (caller.kind() == VigilPrincipal.Kind.OPERATOR) {
          requireWrite(caller, tenant);
        }
      }
      if (v.isEmpty()) {
        items.add(new WriteItem(key, r.version(), r.delete(), tenant, r.delete() ? null : orEmpty(r.attributes()),
            r.delete() ? null : orEmpty(r.tags()), r.ifMatch()));
      }
    }
    v.throwIfAny();
    String source = (caller.kind() == VigilPrincipal.Kind.PRODUCT ? "product:" : "operator:") + caller.name();
    return store.write(items, onStale, source, (i, item, stored) -> {
      if (caller.kind() != VigilPrincipal.Kind.OPERATOR) {
        return;
      }
      boolean live = stored != null && !stored.deleted;
      if (item.delete() && !live) {
        throw new ApiException(ErrorCode.NOT_FOUND, null, "no instance " + item.key().text());
      }
      if (live) {
        requireWrite(caller, stored.tenant); // moving an instance takes the right to both tenants
      }
    });
  }

  /** The namespace a write names, when the caller may write it; null (with a violation) otherwise. */
  private NamespaceConfig namespace(VigilPrincipal caller, String name, String at) {
    if (caller.kind() == VigilPrincipal.Kind.PRODUCT) {
      if (!caller.writesNamespace(name)) {
        throw new ApiException(ErrorCode.FORBIDDEN, at + "namespace",
            "this credential does not write namespace '" + name + "'");
      }
      return access.namespace(name).orElseThrow(() -> new ApiException(ErrorCode.FORBIDDEN, at + "namespace",
          "this credential does not write namespace '" + name + "'"));
    }
    return access.namespace(name).orElseThrow(() -> new ApiException(ErrorCode.INVALID_REFERENCE, at + "namespace",
        "no namespace '" + name + "'"));
  }

  private static void requireWrite(VigilPrincipal caller, String tenant) {
    if (!caller.canRead(tenant)) {
      throw new ApiException(ErrorCode.NOT_FOUND, null, "no such instance");
    }
    if (!caller.canWrite(tenant)) {
      throw new ApiException(ErrorCode.FORBIDDEN, null, "role " + caller.roles() + " cannot change instances");
    }
  }

  private static boolean mayRead(VigilPrincipal caller, String namespace, String tenant) {
    return switch (caller.kind()) {
      case SERVICE -> true;
      case OPERATOR -> caller.canRead(tenant);
      case PRODUCT -> caller.writesNamespace(namespace);
    };
  }

  private static Map<String, String> orEmpty(Map<String, String> m) {
    return m == null ? Map.of() : m;
  }

  /** One write as the API received it; {@code delete} writes a tombstone at {@code version}. */
  public record WriteRequest(String namespace, String region, String instanceId, Long version, boolean delete,
      Map<String, String> attributes, Map<String, String> tags, Long ifMatch) {}
}
