package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.model.ControlChange;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.TestKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Key-ordered lanes against the real broker: per-key order under parallel lanes, commits never past an
 * unfinished record, backpressure, a dependency outage waited out on its lane, and a second member
 * taking over partitions without losing or reordering a key's records.
 */
class LaneConsumerIT extends KitIT {

  @Test
  void recordsOfOneKeyStayInOrderWhileKeysRunInParallel() throws Exception {
    Topic<ControlChange> topic = newTopic("lanes-order", 3, false);
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    start(kit.consume(topic, "lanes-order", StartAt.EARLIEST).lanes(4, 50, record -> {
      String[] parts = record.value().id().split("#");
      threads.add(Thread.currentThread().getName());
      Thread.sleep(ThreadLocalRandom.current().nextInt(3));
      seen.computeIfAbsent(parts[0], k -> new CopyOnWriteArrayList<>()).add(Integer.parseInt(parts[1]));
      return null;
    }));
    List<CompletableFuture<?>> sends = new ArrayList<>();
    for (int seq = 0; seq < 40; seq++) {
      for (int k = 0; k < 10; k++) {
        sends.add(publisher.publish(topic, change("alert-" + k + "#" + seq)));
      }
    }
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    awaitEachKeyInOrder(seen, 10, 40);
    assertThat(threads).as("work ran on several lanes").hasSizeGreaterThan(1);
    for (int p = 0; p < 3; p++) {
      int partition = p;
      Awaits.until("partition " + p + " committed to its end",
          () -> committed("lanes-order", topic, partition) == end(topic, partition));
    }
  }

  @Test
  void batchedLanesKeepEachKeysOrderAndRunAFailedOrInvalidRecordAlone() throws Exception {
    Topic<ControlChange> topic = newTopic("lanes-batch", 3, false);
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    AtomicInteger largest = new AtomicInteger();
    AtomicInteger failOnce = new AtomicInteger(1);
    List<String> mixedKeys = new CopyOnWriteArrayList<>();
    List<Integer> aloneSizes = new CopyOnWriteArrayList<>();
    start(kit.consume(topic, "lanes-batch", StartAt.EARLIEST).lanes(2, 200, 16, records -> {
      largest.accumulateAndGet(records.size(), Math::max);
      Set<String> keys = ConcurrentHashMap.newKeySet();
      List<CompletableFuture<?>> out = new ArrayList<>();
      for (ConsumedRecord<ControlChange> r : records) {
        String[] parts = r.value().id().split("#");
        if (!keys.add(parts[0])) {
          mixedKeys.add(r.value().id());
        }
        if (r.value().id().equals("alert-3#7") && failOnce.getAndDecrement() > 0) {
          // a failure of this record alone: its neighbours in the batch are finished all the same
          aloneSizes.add(records.size());
          out.add(CompletableFuture.failedFuture(new IllegalStateException("flaky")));
          continue;
        }
        if (r.value().id().equals("alert-3#7")) {
          aloneSizes.add(records.size());
        }
        seen.computeIfAbsent(parts[0], k -> new CopyOnWriteArrayList<>()).add(Integer.parseInt(parts[1]));
        out.add(CompletableFuture.completedFuture(null));
      }
      return out;
    }));
    List<CompletableFuture<?>> sends = new ArrayList<>();
    for (int seq = 0; seq < 40; seq++) {
      for (int k = 0; k < 10; k++) {
        sends.add(publisher.publish(topic, change("alert-" + k + "#" + seq)));
      }
      if (seq == 20) {
        TestKafka.send(topic.base(), "alert-5", "{\"schemaVersion\":1,\"type\":\"POLICY\"}");
      }
    }
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    awaitEachKeyInOrder(seen, 10, 40);
    assertThat(mixedKeys).as("a batch holds one record per key").isEmpty();
    assertThat(largest.get()).as("lanes took several keys at once").isGreaterThan(1).isLessThanOrEqualTo(16);
    assertThat(aloneSizes).as("the failed record ran again, alone").hasSize(2).last().isEqualTo(1);
    var dead = TestKafka.awaitRecord(topic.base() + ".dlt", "alert-5", Duration.ofSeconds(30));
    assertThat(TestKafka.header(dead, DeadLetterHeaders.REASON)).isEqualTo(DeadLetterHeaders.REASON_INVALID);
    for (int p = 0; p < 3; p++) {
      int partition = p;
      Awaits.until("partition " + p + " committed to its end",
          () -> committed("lanes-batch", topic, partition) == end(topic, partition));
    }
  }

  /** Waits until keys alert-0.. each saw sequences 0..n-1, and asserts each saw them once, in order. */
  private static void awaitEachKeyInOrder(Map<String, List<Integer>> seen, int keys, int n) {
    Awaits.until("all " + keys * n + " handled", () -> seen.values().stream().mapToInt(List::size).sum() == keys * n);
    List<Integer> expected = new ArrayList<>();
    for (int seq = 0; seq < n; seq++) {
      expected.add(seq);
    }
    for (int k = 0; k < keys; k++) {
      assertThat(seen.get("alert-" + k)).as("order of alert-%d, each once", k).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aSlowRecordHoldsTheCommitOfItsPartitionButNotOtherKeys() throws Exception {
    Topic<ControlChange> topic = newTopic("lanes-commit", 1, false);
    CountDownLatch release = new CountDownLatch(1);
    List<String> done = new CopyOnWriteArrayList<>();
    start(kit.consume(topic, "lanes-commit", StartAt.EARLIEST).lanes(4, 100, record -> {
      String id = record.value().id();
      if (id.equals("slow")) {
        release.await(60, TimeUnit.SECONDS);
      }
      done.add(id);
      return null;
    }));
    send(topic, "first");
    long slowOffset = end(topic, 0);
    send(topic, "slow");
    for (int i = 0; i < 20; i++) {
      send(topic, "other-" + i);
    }
    Awaits.until("the other keys finished", () -> done.size() == 21);
    Thread.sleep(1000);
    assertThat(done).doesNotContain("slow");
    assertThat(committed("lanes-commit", topic, 0)).as("never past the unfinished record").isEqualTo(slowOffset);
    release.countDown();
    Awaits.until("committed to the end once it finished", () -> committed("lanes-commit", topic, 0) == end(topic, 0));
  }

  @Test
  void aDependencyOutageBlocksOnlyItsLaneAndIsNeverDeadLettered() throws Exception {
    Topic<ControlChange> topic = newTopic("lanes-outage", 1, false);
    AtomicInteger failuresLeft = new AtomicInteger(3);
    List<String> done = new CopyOnWriteArrayList<>();
    start(kit.consume(topic, "lanes-outage", StartAt.EARLIEST).lanes(4, 100, record -> {
      String id = record.value().id();
      if (id.startsWith("needs-redis") && failuresLeft.getAndDecrement() > 0) {
        return CompletableFuture.failedFuture(new DependencyUnavailableException("redis", "connection refused"));
      }
      done.add(id);
      return null;
    }));
    send(topic, "needs-redis#1");
    send(topic, "needs-redis#2");
    send(topic, "other");
    Awaits.until("all handled after the outage", () -> done.size() == 3);
    assertThat(done.indexOf("needs-redis#1")).isLessThan(done.indexOf("needs-redis#2"));
    assertThat(count("vigil.kafka.dependency.waits", "consumer", "kit-lanes-outage", "dependency", "redis")).isEqualTo(3.0);
    assertThat(TestKafka.awaitRecord(topic.base() + ".dlt", "needs-redis", Duration.ofSeconds(1))).isNull();
    Awaits.until("committed to the end", () -> committed("lanes-outage", topic, 0) == end(topic, 0));
  }

  @Test
  void anInvalidRecordIsDeadLetteredAndItsLaneMovesOn() throws Exception {
    Topic<ControlChange> topic = newTopic("lanes-invalid", 1, false);
    List<String> done = new CopyOnWriteArrayList<>();
    start(kit.consume(topic, "lanes-invalid", StartAt.EARLIEST).lanes(2, 100, record -> {
      done.add(record.value().id());
      return null;
    }));
    TestKafka.send(topic.base(), "k", "{\"schemaVersion\":1,\"type\":\"POLICY\"}");
    send(topic, "after");
    Awaits.until("the record after the invalid one handled", () -> done.contains("after"));
    var dead = TestKafka.awaitRecord(topic.base() + ".dlt", "k", Duration.ofSeconds(30));
    assertThat(TestKafka.header(dead, DeadLetterHeaders.REASON)).isEqualTo(DeadLetterHeaders.REASON_INVALID);
    Awaits.until("committed to the end", () -> committed("lanes-invalid", topic, 0) == end(topic, 0));
  }

  @Test
  void aSecondMemberTakesOverPartitionsWithoutLosingOrReorderingAKey() throws Exception {
    Topic<ControlChange> topic = newTopic("lanes-rebalance", 4, false);
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    Set<org.apache.kafka.common.TopicPartition> revokedFromFirst = ConcurrentHashMap.newKeySet();
    AsyncRecordHandler<ControlChange> handler = record -> {
      String[] parts = record.value().id().split("#");
      seen.computeIfAbsent(parts[0], k -> new CopyOnWriteArrayList<>()).add(Integer.parseInt(parts[1]));
      Thread.sleep(2);
      return null;
    };
    LaneConsumer<ControlChange> first = start(kit.consume(topic, "lanes-rebalance", StartAt.EARLIEST)
        .hook(new PartitionHook() {
          @Override
          public void revoked(java.util.Collection<org.apache.kafka.common.TopicPartition> partitions) {
            revokedFromFirst.addAll(partitions);
          }
        }).lanes(3, 20, handler));
    Awaits.until("first member owns all partitions", () -> first.assignment().size() == 4);
    List<CompletableFuture<?>> sends = new ArrayList<>();
    for (int seq = 0; seq < 100; seq++) {
      for (int k = 0; k < 8; k++) {
        sends.add(publisher.publish(topic, change("key-" + k + "#" + seq)));
      }
      if (seq == 49) {
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        LaneConsumer<ControlChange> second = start(kit.consume(topic, "lanes-rebalance", StartAt.EARLIEST)
            .lanes(3, 20, handler));
        Awaits.until("the second member owns partitions", () -> !second.assignment().isEmpty()
            && first.assignment().size() + second.assignment().size() == 4);
      }
    }
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    Awaits.until("every partition committed to its end", () -> {
      for (int p = 0; p < 4; p++) {
        if (committed("lanes-rebalance", topic, p) != end(topic, p)) {
          return false;
        }
      }
      return true;
    });
    assertThat(revokedFromFirst).as("the first member handed partitions over").isNotEmpty();
    assertThat(first.assignment()).hasSizeLessThan(4);
    for (int k = 0; k < 8; k++) {
      // revoked partitions were drained and committed before the hand-over: nothing twice, nothing lost
      List<Integer> expected = new ArrayList<>();
      for (int seq = 0; seq < 100; seq++) {
        expected.add(seq);
      }
      assertThat(seen.get("key-" + k)).as("key-%d", k).containsExactlyElementsOf(expected);
    }
  }
}
