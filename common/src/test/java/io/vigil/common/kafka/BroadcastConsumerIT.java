package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.model.ControlChange;
import io.vigil.common.testing.Awaits;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Broadcast consumers against the real broker: every instance sees every change, the snapshot comes
 * first and covers what was there before the captured offsets, readiness waits for the catch-up,
 * tombstones arrive as deletions, and a snapshot store that is down is waited for.
 */
class BroadcastConsumerIT extends KitIT {

  @Test
  void everyInstanceSeesEveryChangeAfterItsSnapshot() throws Exception {
    Topic<ControlChange> topic = newTopic("broadcast", 3, true);
    send(topic, "before"); // covered by the snapshot, not replayed
    List<String> events1 = new CopyOnWriteArrayList<>();
    List<String> events2 = new CopyOnWriteArrayList<>();
    BroadcastConsumer<ControlChange> one = start(kit.broadcast(topic, "broadcast-one", BroadcastConsumer.From.SNAPSHOT,
        () -> events1.add("snapshot"), r -> events1.add(r.value().id())));
    BroadcastConsumer<ControlChange> two = start(kit.broadcast(topic, "broadcast-two", BroadcastConsumer.From.SNAPSHOT,
        () -> events2.add("snapshot"), r -> events2.add(r.value().id())));
    Awaits.until("both caught up", () -> one.caughtUp() && two.caughtUp());
    for (int i = 0; i < 6; i++) {
      send(topic, "p" + i);
    }
    Awaits.until("both saw all six", () -> events1.size() == 7 && events2.size() == 7);
    assertThat(events1.get(0)).isEqualTo("snapshot");
    assertThat(events2.get(0)).isEqualTo("snapshot");
    assertThat(events1).doesNotContain("before").containsExactlyInAnyOrderElementsOf(events2);
  }

  @Test
  void fromTheBeginningReplaysTheTopicAndTombstonesArriveAsDeletions() throws Exception {
    Topic<ControlChange> topic = newTopic("broadcast-content", 1, true);
    send(topic, "a");
    publisher.tombstone(topic, "a").get(10, TimeUnit.SECONDS);
    send(topic, "b");
    Map<String, String> copy = new ConcurrentHashMap<>();
    VersionGate<String> gate = new VersionGate<>();
    AtomicInteger tombstones = new AtomicInteger();
    BroadcastConsumer<ControlChange> c = start(kit.broadcast(topic, "broadcast-content",
        BroadcastConsumer.From.BEGINNING, SnapshotLoader.NONE, r -> {
          if (r.tombstone()) {
            tombstones.incrementAndGet();
            copy.remove(r.key());
          } else if (gate.admit(r.key(), r.value().version())) {
            copy.put(r.key(), r.value().id());
          }
        }));
    Awaits.until("caught up", c::caughtUp);
    assertThat(tombstones.get()).isEqualTo(1);
    assertThat(copy).containsExactly(Map.entry("b", "b"));
    publisher.publish(topic, change("b#stale", 1)).get(10, TimeUnit.SECONDS); // a redelivery of version 1
    publisher.publish(topic, change("b#new", 2)).get(10, TimeUnit.SECONDS);
    Awaits.until("newer version applied", () -> "b#new".equals(copy.get("b")));
    assertThat(gate.version("b")).isEqualTo(2);
  }

  @Test
  void aSnapshotStoreThatIsDownKeepsTheCacheNotReadyUntilItAnswers() throws Exception {
    Topic<ControlChange> topic = newTopic("broadcast-down", 1, true);
    AtomicInteger attempts = new AtomicInteger();
    List<String> applied = new CopyOnWriteArrayList<>();
    BroadcastConsumer<ControlChange> c = start(kit.broadcast(topic, "broadcast-down", BroadcastConsumer.From.SNAPSHOT,
        () -> {
          if (attempts.incrementAndGet() < 3) {
            throw new DependencyUnavailableException("mysql", "connection refused");
          }
        }, r -> applied.add(r.value().id())));
    Awaits.until("waiting on mysql", () -> {
      ConsumerStates.State s = states.state("kit-broadcast-down");
      return s != null && "mysql".equals(s.dependency());
    });
    assertThat(c.caughtUp()).isFalse();
    assertThat(states.allReady()).isFalse();
    Awaits.until("loaded and caught up", c::caughtUp);
    assertThat(attempts.get()).isEqualTo(3);
    send(topic, "x");
    Awaits.until("change applied", () -> applied.contains("x"));
  }
}
