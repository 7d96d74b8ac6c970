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
    near.offer(KEY, live(5));
    assertThat(near.get(KEY).version()).isEqualTo(5);
    near.offer(KEY, live(4));
    assertThat(near.get(KEY).version()).as("an older read does not go back").isEqualTo(5);
    near.offer(KEY, live(6));
    assertThat(near.get(KEY).version()).isEqualTo(6);
  }

  @Test
  void anotherProcessesChangeDropsTheEntryAndLeavesAFloorUnderWhichNoOlderReadIsPut() {
    near.offer(KEY, live(5));
    near.apply(change(7, ChangeOp.UPSERT));
    assertThat(near.get(KEY)).as("dropped: the change does not carry all the API shows").isNull();

    // a look-up that read Redis before the other process's commit comes back late with version 5
    near.offer(KEY, live(5));
    assertThat(near.get(KEY)).isNull();
    near.offer(KEY, live(7));
    assertThat(near.get(KEY).version()).as("the change's own version is let in").isEqualTo(7);
  }

  @Test
  void aChangeForAKeyNotHeldStillLeavesAFloorThatExpires() {
    near.apply(change(9, ChangeOp.DELETE));
    near.offer(KEY, live(8));
    assertThat(near.get(KEY)).isNull();
    advance(NearCache.FLOOR_LIFE.plusSeconds(1));
    near.offer(KEY, live(8)); // a floor's life is longer than any look-up is in flight
    assertThat(near.get(KEY).version()).isEqualTo(8);
  }

  @Test
  void thisProcessesOwnChangeComingBackOnTheTopicKeepsTheEntry() {
    near.written(List.of(new Instance.Change(KEY, instance(KEY.instanceId(), 12), 12)));
    near.apply(change(12, ChangeOp.UPSERT));
    assertThat(near.get(KEY).version()).isEqualTo(12);
    near.apply(change(11, ChangeOp.UPSERT));
    assertThat(near.get(KEY).version()).as("an older change on the topic is no news").isEqualTo(12);
  }

  @Test
  void aCommitReplacesAFloorAndADeleteIsHeldAsAbsentAtItsVersion() {
    near.apply(change(20, ChangeOp.UPSERT));
    near.written(List.of(new Instance.Change(KEY, null, 21)));
    InstanceCache.Entry e = near.get(KEY);
    assertThat(e.version()).isEqualTo(21);
    assertThat(e.live()).isFalse();
    near.offer(KEY, live(20));
    assertThat(near.get(KEY).live()).as("a deleted instance is not resurrected by a late read").isFalse();
  }

  @Test
  void entriesLiveTheirTtlFromTheWriteNotFromTheLastRead() {
    near.offer(KEY, live(1));
    InstanceKey gone = new InstanceKey("acme/vm", "ap-guangzhou", "gone");
    near.offer(gone, new InstanceCache.Entry(0, null, null));
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
    near.offer(KEY, live(3));
    following.set(true);
    assertThat(near.get(KEY)).isNull();
    assertThat(registry.get("vigil.cmdb.near.cache.bypassed").counter().count()).isEqualTo(1);
    assertThat(near.size()).isZero();
  }

  @Test
  void clearDropsEverything() {
    near.offer(KEY, live(3));
    near.clear();
    assertThat(near.get(KEY)).isNull();
  }

  @Test
  void theBoundIsOnTheBytesHeld() {
    SimpleMeterRegistry own = new SimpleMeterRegistry();
    NearCache small = cache(100_000, own);
    for (int i = 0; i < 1_000; i++) {
      InstanceKey k = new InstanceKey("acme/vm", "ap-guangzhou", "ins-" + i);
      small.offer(k, InstanceCache.Entry.of(1, instance(k.instanceId(), 1)));
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
  void rewritingTheSameKeysCannotGrowThePutOrderBeyondTheBound() {
    SimpleMeterRegistry own = new SimpleMeterRegistry();
    NearCache small = cache(50_000, own);
    for (int v = 1; v <= 20_000; v++) {
      InstanceKey k = new InstanceKey("acme/vm", "ap-guangzhou", "ins-" + (v % 5));
      small.offer(k, InstanceCache.Entry.of(v, instance(k.instanceId(), v)));
    }
    assertThat(small.bytes()).isLessThanOrEqualTo(50_000);
    assertThat(small.size()).isBetween(1L, 5L);
  }

  @Test
  void expiredEntriesLeaveAsNewOnesArriveAndClearEmptiesTheAccount() {
    for (int i = 0; i < 100; i++) {
      InstanceKey k = new InstanceKey("acme/vm", "ap-guangzhou", "old-" + i);
      near.offer(k, InstanceCache.Entry.of(1, instance(k.instanceId(), 1)));
    }
    advance(Duration.ofSeconds(61));
    near.offer(KEY, live(1));
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
