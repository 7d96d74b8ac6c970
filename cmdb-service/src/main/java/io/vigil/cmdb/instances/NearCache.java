package io.vigil.cmdb.instances;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.model.CmdbChange;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The instances this process's enrichment look-ups read lately, in its own memory in front of Redis,
 * so a warm batch look-up never leaves the JVM. Bounded by the bytes it holds (the answer JSON of
 * each entry and a fixed overhead), each entry kept for a TTL from when it was put.
 *
 * <p>It never goes back a version, whoever writes it:
 *
 * <ul>
 *   <li>a commit of this process replaces the entry it holds, and leaves a <em>floor</em> for a key
 *       it does not hold;
 *   <li>another process's commits arrive on {@code cmdb.changes} (a broadcast consumer: every process
 *       reads every change): the entry is dropped and a floor left at the change's version;
 *   <li>for {@link #FLOOR_LIFE} no copy older than a floor may be put. That closes the race in which
 *       a look-up read Redis just before the commit and fills the near cache after it; and a Redis
 *       copy older than a floor is not used at all (the look-up reads MySQL and repairs Redis);
 *   <li>what a look-up read is put only when it is at least as new as what is held, and only if the
 *       near cache was not emptied while the look-up was reading ({@link #generation()}).
 * </ul>
 *
 * A change made by another process is seen here once the outbox relay has published it and this
 * process has read it (milliseconds). The near cache answers only while that consumer is known to
 * follow the topic (common's {@code BroadcastConsumer.following}: its positions confirmed against the
 * broker's end offsets within the last 15 s); whenever the consumer starts over, the near cache is
 * emptied.
 *
 * <p>Eviction is first in, first out, in two queues: live instances, and deleted or unknown ones
 * (a shorter TTL), so each queue's order is also its order of expiry. Floors live in a map of their
 * own, outside the size bound, for their fixed 30 s. A read writes nothing: no recency is kept. That
 * is deliberate: an LRU (Caffeine was measured here) relinks old entries on reads, and each such
 * reference store in the old generation is a card the next young collection scans; with 60,000 reads
 * a second the pauses grew to 10-18 ms, the look-up's whole p99.
 */
public final class NearCache {

  /** How long a floor stays: longer than any look-up is in flight (Redis, then MySQL's 10 s timeout). */
  static final Duration FLOOR_LIFE = Duration.ofSeconds(30);
  /**
   * At most this many floors (about 300 bytes each). Past it (changes at over 6,000 instances a
   * second) a change's floor is not kept, and nothing look-ups read is put for a floor's life; what is
   * held is still dropped by each change.
   */
  static final int MAX_FLOORS = 200_000;
  /** What an entry weighs beyond its JSON: the key and its strings, the slot, the map's node. */
  private static final int ENTRY_OVERHEAD = 200;

  private record Slot(InstanceCache.Entry entry, long expiresAt, int weight) {}

  private record Floor(long version, long expiresAt) {}

  /** A put, in the order of puts; stale once its key holds another slot. */
  private record Put(InstanceKey key, Slot slot) {}

  private record FloorPut(InstanceKey key, Floor floor) {}

  private final ConcurrentHashMap<InstanceKey, Slot> map = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InstanceKey, Floor> floors = new ConcurrentHashMap<>();
  private final Queue<Put> liveOrder = new ConcurrentLinkedQueue<>();
  private final Queue<Put> missingOrder = new ConcurrentLinkedQueue<>();
  private final Queue<FloorPut> floorOrder = new ConcurrentLinkedQueue<>();
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong generation = new AtomicLong();
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
  /** Until when (monotonic) nothing read is put: floors were given up, or Redis was in trouble. */
  private volatile long fillBlockedUntil;
  private volatile boolean fillBlocked;
  private final Counter floorOverflows;

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
        .description("look-ups that read past the near cache because cmdb.changes was not known to be followed")
        .register(registry);
    this.floorOverflows = Counter.builder("vigil.cmdb.near.cache.floor.overflows")
        .description("times more changes arrived within a floor's life than floors are kept: the near cache"
            + " was emptied and not filled for 30 s").register(registry);
    Gauge.builder("vigil.cmdb.near.cache.entries", map, ConcurrentHashMap::size)
        .description("instances held in the near cache").register(registry);
    Gauge.builder("vigil.cmdb.near.cache.floors", floors, ConcurrentHashMap::size)
        .description("versions under which no older copy may be put, for 30 s after a change").register(registry);
    Gauge.builder("vigil.cmdb.near.cache.bytes", bytes, AtomicLong::get).baseUnit("bytes")
        .description("what the near cache holds, as it counts against vigil.cmdb.near-cache.max-size")
        .register(registry);
  }

  /**
   * Says whether the consumer of {@code cmdb.changes} is known to follow the topic: until it says so,
   * and whenever it does not, the near cache neither answers nor fills.
   */
  public void followedBy(BooleanSupplier following) {
    this.following = following;
  }

  /** False (and counted) while {@code cmdb.changes} is not known to be followed: the caller reads past it. */
  public boolean usable() {
    if (following.getAsBoolean()) {
      return true;
    }
    bypassed.increment();
    return false;
  }

  /** Taken before a look-up reads Redis or MySQL, and handed back with what it read to {@link #offer}. */
  public long generation() {
    return generation.get();
  }

  /** The entry held for a key: null when none or expired. */
  public InstanceCache.Entry get(InstanceKey key) {
    Slot s = map.get(key);
    if (s != null && s.expiresAt() - nanoTime.getAsLong() > 0) {
      hits.increment();
      return s.entry();
    }
    misses.increment();
    return null;
  }

  /** True when a change newer than {@code version} was seen lately: a copy at that version is stale. */
  public boolean staleUnderFloor(InstanceKey key, long version) {
    Floor f = floors.get(key);
    return f != null && f.expiresAt() - nanoTime.getAsLong() > 0 && version < f.version();
  }

  /**
   * What a look-up read from Redis or MySQL: kept unless something as new is held, a floor is above
   * it, or the near cache was emptied since {@code generation} was taken.
   */
  public void offer(InstanceKey key, InstanceCache.Entry e, long generation) {
    if (!following.getAsBoolean() || generation != this.generation.get()) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (fillBlocked && fillBlockedUntil - now > 0) {
      return;
    }
    Slot fresh = slot(key, e, now);
    Slot kept = map.compute(key, (k, held) -> {
      if (staleUnderFloor(k, e.version()) || generation != this.generation.get()) {
        return held;
      }
      if (held != null && held.expiresAt() - now > 0 && held.entry().version() >= e.version()) {
        return held;
      }
      bytes.addAndGet(fresh.weight() - (held == null ? 0 : held.weight()));
      return fresh;
    });
    if (kept != fresh) {
      return;
    }
    if (generation != this.generation.get()) {
      // cleared while this was put, and the clear's sweep may have passed the key: undo it
      map.computeIfPresent(key, (k, held) -> {
        if (held != fresh) {
          return held;
        }
        bytes.addAndGet(-fresh.weight());
        return null;
      });
      return;
    }
    (e.live() ? liveOrder : missingOrder).add(new Put(key, fresh));
    queued.incrementAndGet();
    trim(now);
  }

  /**
   * This process's committed writes: an entry held is replaced by what was stored; a key not held
   * only gets a floor (a bulk sync through this process does not push out what look-ups read).
   */
  public void written(List<Instance.Change> changes) {
    long now = nanoTime.getAsLong();
    for (Instance.Change c : changes) {
      InstanceCache.Entry e = InstanceCache.Entry.of(c.version(), c.instance());
      Slot fresh = slot(c.key(), e, now);
      Slot kept = map.compute(c.key(), (k, held) -> {
        raiseFloor(k, c.version(), now);
        if (held == null) {
          return null;
        }
        if (held.entry().version() > c.version()) {
          return held;
        }
        bytes.addAndGet(fresh.weight() - held.weight());
        return fresh;
      });
      if (kept == fresh) {
        (e.live() ? liveOrder : missingOrder).add(new Put(c.key(), fresh));
        queued.incrementAndGet();
      }
    }
    trim(now);
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
    if (id == null) {
      return; // not a key this service writes: nothing of ours to drop
    }
    long now = nanoTime.getAsLong();
    map.compute(new InstanceKey(change.namespace(), change.region(), id), (k, held) -> {
      if (held != null && held.entry().version() >= change.version()) {
        return held;
      }
      raiseFloor(k, change.version(), now);
      if (held != null) {
        bytes.addAndGet(-held.weight());
      }
      return null;
    });
    trim(now);
  }

  /** Everything held dropped (floors stay: they are still true): the consumer starts over. */
  public void clear() {
    generation.incrementAndGet();
    for (InstanceKey k : map.keySet()) {
      map.computeIfPresent(k, (key, s) -> {
        bytes.addAndGet(-s.weight());
        return null;
      });
    }
    trim(nanoTime.getAsLong()); // every queued put is stale now, or made since
  }

  private Slot slot(InstanceKey key, InstanceCache.Entry e, long now) {
    int weight = ENTRY_OVERHEAD + key.namespace().length() + key.region().length() + key.instanceId().length()
        + (e.json() == null ? 0 : e.json().length);
    return new Slot(e, now + (e.live() ? liveNanos : missingNanos), weight);
  }

  /** Stops putting what look-ups read for {@code d} from now: a copy read meanwhile might be too old. */
  private void blockFills(Duration d) {
    fillBlockedUntil = nanoTime.getAsLong() + d.toNanos();
    fillBlocked = true;
  }

  /** Called inside the key's compute, so it is ordered with the puts of the same key. */
  private void raiseFloor(InstanceKey key, long version, long now) {
    if (floors.size() >= MAX_FLOORS && !floors.containsKey(key)) {
      floorOverflows.increment();
      blockFills(FLOOR_LIFE);
      generation.incrementAndGet(); // a look-up reading now puts nothing either
      return;
    }
    Floor f = new Floor(version, now + FLOOR_LIFE.toNanos());
    Floor kept = floors.merge(key, f, (old, mine) -> old.expiresAt() - now > 0 && old.version() > mine.version()
        ? old : mine);
    if (kept == f) {
      floorOrder.add(new FloorPut(key, f));
    }
  }

  /**
   * Drops from the oldest put on: puts made stale by a later one, expired entries and floors, then
   * the oldest entries while over the size (unknown and deleted ones first). One thread trims at a
   * time; the others go on.
   */
  private void trim(long now) {
    if (!trimming.tryLock()) {
      return;
    }
    try {
      FloorPut fp;
      while ((fp = floorOrder.peek()) != null && fp.floor().expiresAt() - now <= 0) {
        floorOrder.poll();
        floors.remove(fp.key(), fp.floor());
      }
      while (dropHead(missingOrder, now, false)) {
        // expired or stale
      }
      while (dropHead(liveOrder, now, false)) {
        // expired or stale
      }
      while (bytes.get() > maxBytes && (dropHead(missingOrder, now, true) || dropHead(liveOrder, now, true))) {
        // the oldest, for space
      }
      if (queued.get() > 2L * map.size() + 1024) {
        // stale puts pile up behind a live head when the same keys are put again and again
        liveOrder.removeIf(this::staleRemoved);
        missingOrder.removeIf(this::staleRemoved);
      }
    } finally {
      trimming.unlock();
    }
  }

  private boolean staleRemoved(Put p) {
    if (map.get(p.key()) == p.slot()) {
      return false;
    }
    queued.decrementAndGet();
    return true;
  }

  /** Drops the queue's head if it is stale, expired, or {@code force}d; false when nothing was dropped. */
  private boolean dropHead(Queue<Put> order, long now, boolean force) {
    Put head = order.peek();
    if (head == null) {
      return false;
    }
    Slot s = head.slot();
    boolean stale = map.get(head.key()) != s;
    boolean expired = s.expiresAt() - now <= 0;
    if (!stale && !expired && !force) {
      return false;
    }
    order.poll();
    queued.decrementAndGet();
    if (!stale && map.remove(head.key(), s)) {
      bytes.addAndGet(-s.weight());
      if (!expired) {
        evictedForSpace.increment();
      }
    }
    return true;
  }

  long size() {
    return map.size();
  }

  long bytes() {
    return bytes.get();
  }

  long queued() {
    return queued.get();
  }

  long floors() {
    return floors.size();
  }
}
