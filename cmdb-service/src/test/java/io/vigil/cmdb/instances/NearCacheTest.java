package io.vigil.cmdb.instances;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.CmdbChange;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The near cache's rules: never back a version, floors from other processes' changes, TTLs, bounds. */
class NearCacheTest {

  static final InstanceKey KEY = new InstanceKey("acme/vm", "ap-guangzhou", "ins-1");

  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final AtomicBoolean following = new AtomicBoolean(true);
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  NearCache near;

  @BeforeEach
  void create() {
    near = cache(1 << 20, registry);
  }

  NearCache cache(long maxBytes, SimpleMeterRegistry registry) {
    NearCache c = new NearCache(maxBytes, Duration.ofSeconds(60), Duration.ofSeconds(10), nanos::get, registry);
    c.followedBy(following::get);
    return c;
  }

  static InstanceCache.Entry live(long version) {
    return InstanceCache.Entry.of(version, instance(KEY.instanceId(), version));
  }

  static Instance instance(String id, long version) {
    return new Instance("acme/vm", "ap-guangzhou", id, "t1", version, "product:acme", Map.of("appid", "t1"),
        Map.of(), 1, 1);
  }

  static CmdbChange change(long version, ChangeOp op) {
    return new CmdbChange(CmdbChange.SCHEMA_VERSION, KEY.text(), KEY.namespace(), KEY.region(), version, op,
        op == ChangeOp.DELETE ? null : Map.of("appid", "t1"), "product:acme", 1_700_000_000_000L, KEY.instanceId(),
        null, "t1");
  }

  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void aReadIsKeptAndNeverReplacedByAnOlderOne() {
    near.offer(KEY, live(5), near.generation());
    assertThat(near.get(KEY).version()).isEqualTo(5);
    near.offer(KEY, live(4), near.generation());
    assertThat(near.get(KEY).version()).as("an older read does not go back").isEqualTo(5);
    near.offer(KEY, live(6), near.generation());
    assertThat(near.get(KEY).version()).isEqualTo(6);
  }

  @Test
  void anotherProcessesChangeDropsTheEntryAndLeavesAFloorUnderWhichNoOlderReadIsPut() {
    near.offer(KEY, live(5), near.generation());
    near.apply(change(7, ChangeOp.UPSERT));
    assertThat(near.get(KEY)).as("dropped: the change does not carry all the API shows").isNull();

    // a look-up that read Redis before the other process's commit comes back late with version 5
    near.offer(KEY, live(5), near.generation());
    assertThat(near.get(KEY)).isNull();
    near.offer(KEY, live(7), near.generation());
    assertThat(near.get(KEY).version()).as("the change's own version is let in").isEqualTo(7);
  }

  @Test
  void aChangeForAKeyNotHeldStillLeavesAFloorThatExpires() {
    assertThat(near.staleUnderFloor(KEY, 8)).isFalse();
    near.apply(change(9, ChangeOp.DELETE));
    assertThat(near.staleUnderFloor(KEY, 8)).isTrue();
    near.offer(KEY, live(8), near.generation());
    assertThat(near.get(KEY)).isNull();
    advance(NearCache.FLOOR_LIFE.plusSeconds(1));
    near.offer(KEY, live(8), near.generation()); // a floor's life is longer than any look-up is in flight
    assertThat(near.get(KEY).version()).isEqualTo(8);
  }

  @Test
  void thisProcessesOwnChangeComingBackOnTheTopicKeepsTheEntry() {
    near.offer(KEY, live(10), near.generation());
    near.written(List.of(new Instance.Change(KEY, instance(KEY.instanceId(), 12), 12)));
    assertThat(near.get(KEY).version()).as("a commit replaces the entry held").isEqualTo(12);
    near.apply(change(12, ChangeOp.UPSERT));
    assertThat(near.get(KEY).version()).isEqualTo(12);
    near.apply(change(11, ChangeOp.UPSERT));
    assertThat(near.get(KEY).version()).as("an older change on the topic is no news").isEqualTo(12);
  }

  @Test
  void aDeleteCommittedIsHeldAsAbsentAndNotResurrectedByALateRead() {
    near.offer(KEY, live(19), near.generation());
    near.written(List.of(new Instance.Change(KEY, null, 21)));
    InstanceCache.Entry e = near.get(KEY);
    assertThat(e.version()).isEqualTo(21);
    assertThat(e.live()).isFalse();
    near.offer(KEY, live(20), near.generation());
    assertThat(near.get(KEY).live()).isFalse();
  }

  @Test
  void aCommitForAKeyNotHeldLeavesOnlyAFloor() {
    near.written(List.of(new Instance.Change(KEY, instance(KEY.instanceId(), 5), 5)));
    assertThat(near.get(KEY)).as("a bulk sync does not fill the near cache").isNull();
    assertThat(near.staleUnderFloor(KEY, 4)).as("a Redis copy older than the commit is not to be used").isTrue();
    near.offer(KEY, live(4), near.generation());
    assertThat(near.get(KEY)).isNull();
    near.offer(KEY, live(5), near.generation());
    assertThat(near.get(KEY).version()).isEqualTo(5);
  }

  @Test
  void entriesLiveTheirTtlFromTheWriteNotFromTheLastRead() {
    near.offer(KEY, live(1), near.generation());
    InstanceKey gone = new InstanceKey("acme/vm", "ap-guangzhou", "gone");
    near.offer(gone, new InstanceCache.Entry(0, null, null), near.generation());
    advance(Duration.ofSeconds(11));
    assertThat(near.get(gone)).as("unknown instances for the shorter TTL").isNull();
    for (int i = 0; i < 5; i++) {
      assertThat(near.get(KEY)).isNotNull();
      advance(Duration.ofSeconds(9));
    }
    advance(Duration.ofSeconds(5)); // 61 s
    assertThat(near.get(KEY)).as("60 s after it was put, however often read").isNull();
  }

  @Test
  void whileTheTopicIsNotFollowedItNeitherAnswersNorFills() {
    following.set(false);
    assertThat(near.usable()).isFalse();
    near.offer(KEY, live(3), near.generation());
    following.set(true);
    assertThat(near.get(KEY)).isNull();
    assertThat(registry.get("vigil.cmdb.near.cache.bypassed").counter().count()).isEqualTo(1);
    assertThat(near.size()).isZero();
  }

  @Test
  void clearDropsEverythingAndWhatALookUpReadBeforeItIsNotPut() {
    near.offer(KEY, live(3), near.generation());
    long before = near.generation();
    near.clear();
    assertThat(near.get(KEY)).isNull();
    assertThat(near.bytes()).isZero();
    near.offer(KEY, live(3), before);
    assertThat(near.get(KEY)).as("read before the consumer started over: it may predate a missed change").isNull();
    near.offer(KEY, live(3), near.generation());
    assertThat(near.get(KEY)).isNotNull();
  }

  @Test
  void aHotKeyPutAgainAndAgainDoesNotPushOutAnOlderEntry() {
    SimpleMeterRegistry own = new SimpleMeterRegistry();
    NearCache small = cache(20_000, own);
    InstanceKey a = new InstanceKey("acme/vm", "ap-guangzhou", "a");
    InstanceKey b = new InstanceKey("acme/vm", "ap-guangzhou", "b");
    small.offer(a, InstanceCache.Entry.of(1, instance("a", 1)), small.generation());
    for (int v = 1; v <= 20_000; v++) {
      small.offer(b, InstanceCache.Entry.of(v, instance("b", v)), small.generation());
    }
    assertThat(small.get(a)).isNotNull();
    assertThat(small.get(b).version()).isEqualTo(20_000);
    assertThat(own.get("vigil.cmdb.near.cache.evictions").counter().count()).isZero();
    assertThat(small.queued()).as("stale puts are compacted away").isLessThanOrEqualTo(2 * 2 + 1024 + 1);
  }

  @Test
  void floorsAreOutsideTheSizeBoundAndLeaveAfterTheirLife() {
    for (int i = 0; i < 1_000; i++) {
      near.apply(new CmdbChange(CmdbChange.SCHEMA_VERSION, "acme/vm/ap-guangzhou/f-" + i, "acme/vm", "ap-guangzhou",
          7, ChangeOp.UPSERT, Map.of(), "product:acme", 1_700_000_000_000L, "f-" + i, null, "t1"));
    }
    assertThat(near.floors()).isEqualTo(1_000);
    assertThat(near.bytes()).isZero();
    advance(NearCache.FLOOR_LIFE.plusSeconds(1));
    near.apply(change(1, ChangeOp.UPSERT));
    assertThat(near.floors()).isEqualTo(1);
  }

  @Test
  void pastTheFloorsItKeepsNothingReadIsPutForAFloorsLife() {
    near.offer(KEY, live(1), near.generation());
    for (int i = 0; i <= NearCache.MAX_FLOORS; i++) {
      near.apply(new CmdbChange(CmdbChange.SCHEMA_VERSION, "acme/vm/ap-guangzhou/f-" + i, "acme/vm", "ap-guangzhou",
          7, ChangeOp.UPSERT, Map.of(), "product:acme", 1_700_000_000_000L, "f-" + i, null, "t1"));
    }
    assertThat(registry.get("vigil.cmdb.near.cache.floor.overflows").counter().count()).isEqualTo(1);
    assertThat(near.floors()).isEqualTo(NearCache.MAX_FLOORS);
    assertThat(near.get(KEY)).as("what is held still answers").isNotNull();
    InstanceKey other = new InstanceKey("acme/vm", "ap-guangzhou", "f-" + NearCache.MAX_FLOORS);
    near.offer(other, live(7), near.generation());
    assertThat(near.get(other)).as("its change has no floor: a read of it is not kept").isNull();
    advance(NearCache.FLOOR_LIFE.plusSeconds(1));
    near.offer(other, live(7), near.generation());
    assertThat(near.get(other)).isNotNull();
  }

  @Test
  void expiredUnknownEntriesBehindALiveOneAreTrimmed() {
    near.offer(KEY, live(1), near.generation());
    for (int i = 0; i < 100; i++) {
      near.offer(new InstanceKey("acme/vm", "ap-guangzhou", "u-" + i), new InstanceCache.Entry(0, null, null),
          near.generation());
    }
    advance(Duration.ofSeconds(11)); // the unknown ones' TTL is 10 s, the live one's 60 s
    near.offer(new InstanceKey("acme/vm", "ap-guangzhou", "next"), live(1), near.generation());
    assertThat(near.size()).isEqualTo(2);
  }

  @Test
  void readersPuttingWhatTheyReadWhileChangesArriveNeverLeaveAnOlderVersion() throws Exception {
    int keys = 8;
    java.util.concurrent.atomic.AtomicLongArray stored = new java.util.concurrent.atomic.AtomicLongArray(keys);
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    List<Thread> readers = new java.util.ArrayList<>();
    for (int r = 0; r < 3; r++) {
      Thread t = new Thread(() -> {
        java.util.Random random = new java.util.Random();
        while (!done.get()) {
          int k = random.nextInt(keys);
          long read = stored.get(k); // what Redis held when the look-up read it
          Thread.yield();
          InstanceKey key = new InstanceKey("acme/vm", "ap-guangzhou", "c-" + k);
          if (read > 0) {
            near.offer(key, InstanceCache.Entry.of(read, instance(key.instanceId(), read)), near.generation());
          }
        }
      });
      t.start();
      readers.add(t);
    }
    for (long v = 1; v <= 20_000; v++) {
      int k = (int) (v % keys);
      stored.set(k, v); // another process commits (Redis written through), then its change arrives
      near.apply(new CmdbChange(CmdbChange.SCHEMA_VERSION, "acme/vm/ap-guangzhou/c-" + k, "acme/vm", "ap-guangzhou",
          v, ChangeOp.UPSERT, Map.of(), "product:acme", 1_700_000_000_000L, "c-" + k, null, "t1"));
    }
    done.set(true);
    for (Thread t : readers) {
      t.join();
    }
    for (int k = 0; k < keys; k++) {
      InstanceCache.Entry e = near.get(new InstanceKey("acme/vm", "ap-guangzhou", "c-" + k));
      assertThat(e == null ? stored.get(k) : e.version()).as("key " + k).isEqualTo(stored.get(k));
    }
  }

  @Test
  void theBoundIsOnTheBytesHeld() {
    SimpleMeterRegistry own = new SimpleMeterRegistry();
    NearCache small = cache(100_000, own);
    for (int i = 0; i < 1_000; i++) {
      InstanceKey k = new InstanceKey("acme/vm", "ap-guangzhou", "ins-" + i);
      small.offer(k, InstanceCache.Entry.of(1, instance(k.instanceId(), 1)), small.generation());
    }
    assertThat(small.size()).isPositive().isLessThan(1_000);
    assertThat(small.bytes()).isLessThanOrEqualTo(100_000);
    assertThat(own.get("vigil.cmdb.near.cache.evictions").counter().count()).isPositive();
    InstanceKey newest = new InstanceKey("acme/vm", "ap-guangzhou", "ins-999");
    InstanceKey oldest = new InstanceKey("acme/vm", "ap-guangzhou", "ins-0");
    assertThat(small.get(newest)).as("first in, first out").isNotNull();
    assertThat(small.get(oldest)).isNull();
  }

  @Test
  void expiredEntriesLeaveAsNewOnesArriveAndClearEmptiesTheAccount() {
    for (int i = 0; i < 100; i++) {
      InstanceKey k = new InstanceKey("acme/vm", "ap-guangzhou", "old-" + i);
      near.offer(k, InstanceCache.Entry.of(1, instance(k.instanceId(), 1)), near.generation());
    }
    advance(Duration.ofSeconds(61));
    near.offer(KEY, live(1), near.generation());
    assertThat(near.size()).as("the expired ones are trimmed by the next put").isEqualTo(1);
    near.clear();
    assertThat(near.size()).isZero();
    assertThat(near.bytes()).isZero();
  }

  @Test
  void nonsenseBoundsAreRefused() {
    assertThatThrownBy(() -> new NearCache(0, Duration.ofSeconds(1), Duration.ofSeconds(1), nanos::get, registry))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NearCache(1, Duration.ZERO, Duration.ofSeconds(1), nanos::get, registry))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
