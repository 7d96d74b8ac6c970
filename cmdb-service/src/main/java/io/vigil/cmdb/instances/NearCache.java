package io.vigil.cmdb.instances;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.model.CmdbChange;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The instances this process looked up lately, in its own memory in front of Redis, so a warm
 * enrichment look-up never leaves the JVM. Bounded by the bytes it holds (the answer JSON of each
 * entry and a fixed overhead), each entry kept for a TTL from when it was put.
 *
 * <p>It never goes back a version, whoever writes it:
 *
 * <ul>
 *   <li>this process's own commits put the instance as stored, before the write's answer;
 *   <li>another process's commits arrive on {@code cmdb.changes} (a broadcast consumer: every process
 *       reads every change) and leave a <em>floor</em>: the entry is dropped and, for {@link
 *       #FLOOR_LIFE}, no copy older than the change's version may be put back. That closes the race
 *       in which a look-up read Redis just before the other writer's commit and fills the near cache
 *       after the change arrived;
 *   <li>what look-ups read from Redis or MySQL is put only when it is at least as new as what is held.
 * </ul>
 *
 * A change made by another process is therefore seen here once the outbox relay has published it
 * and this process has read it (milliseconds). The near cache answers only while that consumer
 * follows the topic; whenever the consumer starts again (a failure, Kafka away) the whole near cache
 * is dropped, since changes may have been missed. While Kafka is away and the consumer does not
 * notice, the TTL bounds how long another process's change can go unseen.
 *
 * <p>Eviction is first in, first out: entries leave in the order they were put, which (the TTL
 * counting from the put) is also the order they expire in. A read writes nothing: no recency is
 * kept. That is deliberate. An LRU (Caffeine was measured here) relinks old entries on reads, and
 * each such reference store in the old generation is a card the next young collection scans: with
 * 60,000 reads a second the pauses grew to 10-18 ms, which was the look-up's whole p99.
 */
public final class NearCache {

  /** How long a floor stays: longer than any look-up is in flight (Redis, then MySQL's 10 s timeout). */
  static final Duration FLOOR_LIFE = Duration.ofSeconds(30);
  /** What an entry weighs beyond its JSON: the key and its strings, the slot, the map's node. */
  private static final int ENTRY_OVERHEAD = 200;
  /** What a node of the put order weighs until it leaves the queue. */
  private static final int ORDER_NODE = 64;

  /** An entry, or a floor ({@code entry} null) under which nothing older may be put. */
  private static final class Slot {
    final InstanceCache.Entry entry;
    final long version;
    final long expiresAt;
    final int weight;

    Slot(InstanceCache.Entry entry, long version, long expiresAt, int weight) {
      this.entry = entry;
      this.version = version;
      this.expiresAt = expiresAt;
      this.weight = weight;
    }
  }

  /** A put, in the order of puts; stale once its key holds another slot. */
  private record Put(InstanceKey key, Slot slot) {}

  private final ConcurrentHashMap<InstanceKey, Slot> map = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Put> order = new ConcurrentLinkedQueue<>();
  private final AtomicLong bytes = new AtomicLong();
  private final ReentrantLock trimming = new ReentrantLock();
  private final long maxBytes;
  private final long liveNanos;
  private final long missingNanos;
  private final LongSupplier nanoTime;
  private final Counter hits;
  private final Counter misses;
  private final Counter evictedForSpace;
  private final Counter bypassed;
  private volatile BooleanSupplier following = () -> false;

  /**
   * @param maxBytes the bound on what is held: the answer JSON of each entry and a fixed overhead
   * @param ttl how long an entry of a live instance is kept at most, from when it was put
   * @param missingTtl the same for a deleted or unknown instance (at most {@code ttl})
   * @param nanoTime the clock of expiry ({@link System#nanoTime} but in tests)
   */
  public NearCache(long maxBytes, Duration ttl, Duration missingTtl, LongSupplier nanoTime, MeterRegistry registry) {
    if (maxBytes <= 0 || ttl.isNegative() || ttl.isZero() || missingTtl.isNegative() || missingTtl.isZero()) {
      throw new IllegalArgumentException("near cache: max size, ttl and missing ttl must be > 0");
    }
    this.maxBytes = maxBytes;
    this.liveNanos = ttl.toNanos();
    this.missingNanos = Math.min(missingTtl.toNanos(), liveNanos);
    this.nanoTime = nanoTime;
    String gets = "vigil.cmdb.near.cache.gets";
    String about = "instance look-ups answered from this process's near cache (hit) or read past it (miss)";
    this.hits = Counter.builder(gets).tag("result", "hit").description(about).register(registry);
    this.misses = Counter.builder(gets).tag("result", "miss").description(about).register(registry);
    this.evictedForSpace = Counter.builder("vigil.cmdb.near.cache.evictions")
        .description("entries the near cache dropped, oldest first, to stay within its size").register(registry);
    this.bypassed = Counter.builder("vigil.cmdb.near.cache.bypassed")
        .description("look-ups that skipped the near cache because cmdb.changes was not being followed")
        .register(registry);
    Gauge.builder("vigil.cmdb.near.cache.entries", map, ConcurrentHashMap::size)
        .description("entries and floors in the near cache").register(registry);
    Gauge.builder("vigil.cmdb.near.cache.bytes", bytes, AtomicLong::get).baseUnit("bytes")
        .description("what the near cache holds, as it counts against vigil.cmdb.near-cache.max-size")
        .register(registry);
  }

  /**
   * Says whether the consumer of {@code cmdb.changes} is caught up and running: until it says so, and
   * whenever it does not, the near cache neither answers nor fills.
   */
  public void followedBy(BooleanSupplier following) {
    this.following = following;
  }

  /** False (and counted) while {@code cmdb.changes} is not followed: the caller reads past it. */
  public boolean usable() {
    if (following.getAsBoolean()) {
      return true;
    }
    bypassed.increment();
    return false;
  }

  /** The entry held for a key: null when none, when expired, or when only a floor is held. */
  public InstanceCache.Entry get(InstanceKey key) {
    Slot s = map.get(key);
    if (s != null && s.entry != null && s.expiresAt - nanoTime.getAsLong() > 0) {
      hits.increment();
      return s.entry;
    }
    misses.increment();
    return null;
  }

  /** What a look-up read from Redis or MySQL: kept unless something newer is held. */
  public void offer(InstanceKey key, InstanceCache.Entry e) {
    if (following.getAsBoolean()) {
      put(key, e, e.version(), false);
    }
  }

  /** This process's committed writes: each replaces an older entry or floor. */
  public void written(List<Instance.Change> changes) {
    for (Instance.Change c : changes) {
      put(c.key(), InstanceCache.Entry.of(c.version(), c.instance()), c.version(), true);
    }
  }

  /**
   * A change from {@code cmdb.changes}: an older entry is dropped and a floor left at the change's
   * version (the change does not carry all the API shows, e.g. the creation time, so it is not put
   * as an entry). This process's own changes come back here too and find their entry already held.
   */
  public void apply(CmdbChange change) {
    String prefix = change.namespace() + "/" + change.region() + "/";
    String id = change.instanceId() != null ? change.instanceId()
        : change.instance().startsWith(prefix) ? change.instance().substring(prefix.length()) : null;
    if (id != null) {
      put(new InstanceKey(change.namespace(), change.region(), id), null, change.version(), false);
    }
  }

  /**
   * Puts an entry (or, {@code entry} null, a floor) at a version over what is held, unless what is
   * held is live and newer; at the same version an entry replaces a floor, and a commit replaces
   * anything (it is what was just stored).
   */
  private void put(InstanceKey key, InstanceCache.Entry entry, long version, boolean commit) {
    long now = nanoTime.getAsLong();
    long life = entry == null ? FLOOR_LIFE.toNanos() : entry.live() ? liveNanos : missingNanos;
    int weight = ENTRY_OVERHEAD + key.namespace().length() + key.region().length() + key.instanceId().length()
        + (entry == null || entry.json() == null ? 0 : entry.json().length);
    Slot fresh = new Slot(entry, version, now + life, weight);
    Slot kept = map.compute(key, (k, held) -> {
      if (held != null && held.expiresAt - now > 0) {
        boolean newer = version > held.version
            || version == held.version && (commit || held.entry == null && entry != null);
        if (!newer) {
          return held;
        }
      }
      bytes.addAndGet(weight - (held == null ? 0 : held.weight));
      return fresh;
    });
    if (kept == fresh) {
      order.add(new Put(key, fresh));
      bytes.addAndGet(ORDER_NODE);
      trim(now);
    }
  }

  /**
   * Drops from the oldest put on: puts made stale by a later one, expired entries, and live ones while
   * over the size. One thread trims at a time; the others go on.
   */
  private void trim(long now) {
    if (!trimming.tryLock()) {
      return;
    }
    try {
      Put head;
      while ((head = order.peek()) != null) {
        Slot s = head.slot();
        boolean stale = map.get(head.key()) != s;
        boolean expired = s.expiresAt - now <= 0;
        boolean over = bytes.get() > maxBytes;
        if (!stale && !expired && !over) {
          return;
        }
        order.poll();
        bytes.addAndGet(-ORDER_NODE);
        if (!stale && map.remove(head.key(), s)) {
          bytes.addAndGet(-s.weight);
          if (!expired) {
            evictedForSpace.increment();
          }
        }
      }
    } finally {
      trimming.unlock();
    }
  }

  /** Everything dropped: the consumer starts again and may have missed changes. */
  public void clear() {
    for (InstanceKey k : map.keySet()) {
      map.computeIfPresent(k, (key, s) -> {
        bytes.addAndGet(-s.weight);
        return null;
      });
    }
    trim(nanoTime.getAsLong()); // the put order: every node is stale now, or a put made since
  }

  long size() {
    return map.size();
  }

  long bytes() {
    return bytes.get();
  }
}
