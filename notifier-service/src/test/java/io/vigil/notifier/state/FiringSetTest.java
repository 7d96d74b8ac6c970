package io.vigil.notifier.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** A tenant's firing alerts as inhibition sources: the per-rule index answers as a pass over all of them would. */
class FiringSetTest {

  static final Predicate<Map<String, String>> HOST_DOWN = l -> "host_down".equals(l.get("alertname"));
  static final Object RULE = new Object();

  static Map<String, String> labels(String alertname, String zone, String host) {
    Map<String, String> m = new HashMap<>();
    m.put("alertname", alertname);
    if (zone != null) {
      m.put("zone", zone);
    }
    if (host != null) {
      m.put("host", host);
    }
    return m;
  }

  @Test
  void aTargetFindsASourceThatAgreesOnTheEqualLabelsAndNeverItself() {
    FiringSet set = new FiringSet(2_000);
    set.put("a1", labels("host_down", "z1", "h1"), 0);
    set.put("a2", labels("disk_full", "z1", "h2"), 0);
    List<String> byZone = List.of("zone");
    assertThat(set.inhibitor("r", RULE, HOST_DOWN, byZone, labels("disk_full", "z1", "h2"), "a2", 0)).isEqualTo("a1");
    assertThat(set.inhibitor("r", RULE, HOST_DOWN, byZone, labels("disk_full", "z2", "h3"), "a3", 0)).isNull();
    assertThat(set.inhibitor("r", RULE, HOST_DOWN, byZone, labels("host_down", "z1", "h1"), "a1", 0))
        .as("a source does not inhibit itself").isNull();
    set.put("a4", labels("host_down", null, "h4"), 0);
    assertThat(set.inhibitor("r", RULE, HOST_DOWN, byZone, labels("disk_full", null, "h9"), "a9", 0))
        .as("both lack the zone: equal on it").isEqualTo("a4");
    assertThat(set.inhibitor("any", new Object(), HOST_DOWN, List.of(), labels("x", "z7", null), "a9", 0))
        .as("no equal labels: any source inhibits").isNotNull();
  }

  @Test
  void theIndexFollowsAlertsThatStartStopOrChangeAndAReplaceFromRedis() {
    FiringSet set = new FiringSet(2_000);
    List<String> byZone = List.of("zone");
    Map<String, String> target = labels("disk_full", "z1", "h2");
    assertThat(set.inhibitor("r", RULE, HOST_DOWN, byZone, target, "t", 0)).isNull();
    set.put("a1", labels("host_down", "z1", "h1"), 0);
    assertThat(set.inhibitor("r", RULE, HOST_DOWN, byZone, target, "t", 0)).isEqualTo("a1");
    set.put("a1", labels("host_down", "z2", "h1"), 0);
    assertThat(set.inhibitor("r", RULE, HOST_DOWN, byZone, target, "t", 0)).as("moved to another zone").isNull();
    set.put("a1", labels("host_down", "z1", "h1"), 0);
    set.remove("a1", 0);
    assertThat(set.inhibitor("r", RULE, HOST_DOWN, byZone, target, "t", 0)).as("resolved").isNull();

    set.put("local", labels("host_down", "z1", "h1"), 0);
    set.replace(Map.of("elsewhere", labels("host_down", "z1", "h5")), 10_000);
    assertThat(set.alerts()).as("Redis's copy rules what changed here long before").containsOnlyKeys("elsewhere");
    assertThat(set.inhibitor("r", RULE, HOST_DOWN, byZone, target, "t", 10_000)).isEqualTo("elsewhere");
    set.replace(Map.of(), 10_000 + 11 * 60_000);
    assertThat(set.indexed()).as("a rule not asked of for ten minutes loses its index").isZero();
  }

  @Test
  void aRefreshKeepsWhatThisInstanceChangedWhileItsWriteMayNotHaveReachedRedis() {
    FiringSet set = new FiringSet(2_000);
    List<String> byZone = List.of("zone");
    set.put("gone-here", labels("host_down", "z1", "h1"), 1_000);
    set.remove("gone-here", 9_500);
    set.put("new-here", labels("host_down", "z2", "h2"), 9_800);
    // Redis was read at 10,000, before this instance's writes of 9,500 and 9,800 were in
    set.replace(Map.of("gone-here", labels("host_down", "z1", "h1"), "other", labels("host_down", "z3", "h3")),
        10_000);
    assertThat(set.alerts()).containsOnlyKeys("new-here", "other");
    assertThat(set.inhibitor("r", RULE, HOST_DOWN, byZone, labels("x", "z1", null), "t", 10_000)).isNull();
    assertThat(set.inhibitor("r", RULE, HOST_DOWN, byZone, labels("x", "z2", null), "t", 10_000))
        .isEqualTo("new-here");
    // a refresh a while later: Redis's copy rules again
    set.replace(Map.of("gone-here", labels("host_down", "z1", "h1")), 20_000);
    assertThat(set.alerts()).containsOnlyKeys("gone-here");
    assertThat(set.inhibitor("r", RULE, HOST_DOWN, byZone, labels("x", "z1", null), "t", 20_000))
        .as("the index rebuilt with the set").isEqualTo("gone-here");
  }

  @Test
  void aSetNeverReReadDoesNotKeepEveryAlertItEverHad() {
    FiringSet set = new FiringSet(2_000);
    for (int i = 0; i < 100_000; i++) {
      set.put("a" + i, labels("host_down", "z1", null), i);
      set.remove("a" + i, i);
    }
    assertThat(set.alerts()).isEmpty();
    assertThat(set.changesKept()).as("only the changes of the last refresh interval, and at most a batch more")
        .isLessThanOrEqualTo(2_000 + 1_024);
  }

  @Test
  void anIndexNotAskedOfForTenMinutesIsDroppedWhenAnotherIsBuilt() {
    FiringSet set = new FiringSet(2_000);
    set.inhibitor("deleted", new Object(), HOST_DOWN, List.of(), labels("x", null, null), "t", 0);
    set.inhibitor("live", new Object(), HOST_DOWN, List.of(), labels("x", null, null), "t", 11 * 60_000);
    assertThat(set.indexed()).isEqualTo(1);
  }

  @Test
  void concurrentChangesLeaveTheIndexAsTheSetIs() throws Exception {
    FiringSet set = new FiringSet(2_000);
    List<String> byZone = List.of("zone");
    // the index exists before the changes start, so every change goes through it
    set.inhibitor("r", RULE, HOST_DOWN, byZone, labels("x", "z0", null), "t", 0);
    ExecutorService pool = Executors.newFixedThreadPool(5);
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Object[] latest = {RULE};
    try {
      // meanwhile the rule changes again and again: its index is built anew while the set changes
      Future<?> rebuilds = pool.submit(() -> {
        while (!stop.get()) {
          Object rule = new Object();
          set.inhibitor("r", rule, HOST_DOWN, byZone, labels("x", "z0", null), "t", 0);
          latest[0] = rule;
        }
      });
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int worker = w;
        done.add(pool.submit(() -> {
          for (int i = 0; i < 5_000; i++) {
            String key = "w" + worker + "-" + (i % 50);
            String zone = "z" + (i % 7);
            if (i % 3 == 2) {
              set.remove(key, 0);
            } else {
              set.put(key, labels(i % 2 == 0 ? "host_down" : "other", zone, null), 0);
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      stop.set(true);
      rebuilds.get();
    } finally {
      pool.shutdown();
    }
    for (int z = 0; z < 7; z++) {
      String zone = "z" + z;
      boolean expected = set.alerts().values().stream()
          .anyMatch(l -> HOST_DOWN.test(l) && zone.equals(l.get("zone")));
      String found = set.inhibitor("r", latest[0], HOST_DOWN, byZone, labels("x", zone, null), "t", 0);
      assertThat(found != null).as("zone " + zone).isEqualTo(expected);
      if (found != null) {
        assertThat(set.alerts().get(found)).containsEntry("zone", zone).containsEntry("alertname", "host_down");
      }
    }
  }
}
