package io.vigil.notifier.enrich;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.CmdbChange;
import io.vigil.common.services.ServiceClient;
import io.vigil.notifier.state.Lru;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The instances messages are enriched with, from the cmdb: a bounded near cache kept fresh by {@code
 * cmdb.changes} (which carries each instance's content: a change replaces the cached entry, a
 * deletion marks it gone), and for a miss the cmdb's batch look-up ({@code POST
 * /v1/instances/lookup}) through common's service client (timeout, retry, circuit breaker, the
 * notifier's service credential). A look-up that fails answers "unavailable": the message goes out
 * without the data, flagged.
 */
public final class InstanceDirectory {

  /** An instance as messages show it: its attributes and its tags. */
  public record Instance(String instanceId, String tenant, Map<String, String> attributes, Map<String, String> tags,
      long version) {}

  /** The answer for one key: found (with the instance), missing, or the cmdb could not say. */
  public record Answer(Instance instance, boolean unavailable) {}

  /** The cmdb's look-up contract, as its OpenAPI document gives it. */
  record KeyRef(String namespace, String region, String instanceId) {}

  record LookupRequest(List<KeyRef> keys) {}

  @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
  record Found(String namespace, String region, String instanceId, String tenant, long version,
      Map<String, String> attributes, Map<String, String> tags) {}

  @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
  record LookupResult(List<Found> instances, List<KeyRef> missing) {}

  private record Entry(Instance instance, long expiresAtMs) {}

  private final ServiceClient cmdb;
  private final Lru<String, Entry> cache;
  private final Clock clock;
  private final long ttlMs;
  private final long missingTtlMs;
  private final Counter hits;
  private final Counter misses;

  public InstanceDirectory(ServiceClient cmdb, int capacity, Duration ttl, Duration missingTtl, Clock clock,
      MeterRegistry registry) {
    this.cmdb = cmdb;
    this.cache = new Lru<>(capacity);
    this.clock = clock;
    this.ttlMs = ttl.toMillis();
    this.missingTtlMs = missingTtl.toMillis();
    this.hits = Counter.builder("vigil.notifier.enrich.cache").tag("result", "hit")
        .description("instance look-ups of enrichment answered by the near cache, or not").register(registry);
    this.misses = Counter.builder("vigil.notifier.enrich.cache").tag("result", "miss")
        .description("instance look-ups of enrichment answered by the near cache, or not").register(registry);
  }

  static String key(String namespace, String region, String instanceId) {
    return namespace + "/" + region + "/" + instanceId;
  }

  /**
   * Looks up an instance of a tenant: the near cache, else the cmdb (with the notifier's cross-tenant
   * service credential). Another tenant's instance is missing: an alert names its instance by a
   * dimension value its sender chose, and must not show another tenant's data.
   */
  public Answer find(String tenant, String namespace, String region, String instanceId) {
    Answer a = find(namespace, region, instanceId);
    return a.instance() != null && !tenant.equals(a.instance().tenant()) ? new Answer(null, false) : a;
  }

  private Answer find(String namespace, String region, String instanceId) {
    String k = key(namespace, region, instanceId);
    long now = clock.millis();
    Entry e = cache.get(k);
    if (e != null && e.expiresAtMs() > now) {
      hits.increment();
      return new Answer(e.instance(), false);
    }
    misses.increment();
    LookupResult r;
    try {
      r = cmdb.post("/v1/instances/lookup", new LookupRequest(List.of(new KeyRef(namespace, region, instanceId))),
          LookupResult.class);
    } catch (RuntimeException ex) {
      return new Answer(null, true);
    }
    Map<String, Instance> found = new HashMap<>();
    if (r != null && r.instances() != null) {
      for (Found f : r.instances()) {
        found.put(key(f.namespace(), f.region(), f.instanceId()), new Instance(f.instanceId(), f.tenant(),
            f.attributes() == null ? Map.of() : f.attributes(), f.tags() == null ? Map.of() : f.tags(), f.version()));
      }
    }
    Instance i = found.get(k);
    cache.put(k, new Entry(i, now + (i == null ? missingTtlMs : ttlMs)));
    return new Answer(i, false);
  }

  /** A change from {@code cmdb.changes}: the cached entry follows it, never going back a version. */
  public void apply(CmdbChange c) {
    String k = c.instanceId() == null ? c.instance() : key(c.namespace(), c.region(), c.instanceId());
    Entry held = cache.get(k);
    if (held != null && held.instance() != null && held.instance().version() >= c.version()) {
      return;
    }
    Instance i = c.op() == ChangeOp.DELETE ? null : new Instance(c.instanceId(), c.tenant(),
        c.attributes() == null ? Map.of() : c.attributes(), c.tags() == null ? Map.of() : c.tags(), c.version());
    if (held != null || i == null) {
      cache.put(k, new Entry(i, clock.millis() + (i == null ? missingTtlMs : ttlMs)));
    }
  }

  /** The instance as the template model's {@code instance}: its attributes, its id and its tags. */
  public static Map<String, Object> model(Instance i) {
    Map<String, Object> m = new LinkedHashMap<>(i.attributes());
    m.put("id", i.instanceId());
    m.put("tags", i.tags());
    return m;
  }
}
