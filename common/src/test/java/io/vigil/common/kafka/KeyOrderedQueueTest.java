package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A key's items come one at a time, in order; a key that is running is not handed to a second worker. */
class KeyOrderedQueueTest {

  @Test
  void aRunningKeyIsNotTakenTwiceAndOtherKeysAreNotHeldUp() throws Exception {
    KeyOrderedQueue<String> q = new KeyOrderedQueue<>();
    q.add("a", "a1");
    q.add("a", "a2");
    q.add("b", "b1");
    var first = q.take(10);
    assertThat(first).isEqualTo(new KeyOrderedQueue.Taken<>("a", "a1"));
    var second = q.take(10);
    assertThat(second).as("a is running: b comes next").isEqualTo(new KeyOrderedQueue.Taken<>("b", "b1"));
    assertThat(q.take(10)).as("a2 waits for a1").isNull();
    q.done("a");
    assertThat(q.take(10)).isEqualTo(new KeyOrderedQueue.Taken<>("a", "a2"));
    assertThat(q.size()).isEqualTo(2);
    q.done("a");
    q.done("b");
    assertThat(q.size()).isZero();
    assertThat(q.keys()).as("finished keys are forgotten").isZero();
  }

  @Test
  void aBatchTakesOneItemOfEachReadyKeyUpToItsSize() throws Exception {
    KeyOrderedQueue<String> q = new KeyOrderedQueue<>();
    q.add("a", "a1");
    q.add("a", "a2");
    q.add("b", "b1");
    q.add("c", "c1");
    q.add("d", "d1");
    q.add("e", "e1");
    assertThat(q.takeBatch(10, 4, 10)).as("five ready keys among four workers: one each")
        .containsExactly(new KeyOrderedQueue.Taken<>("a", "a1"));
    assertThat(q.takeBatch(2, 1, 10)).as("the next two ready keys, one item each, at most the batch")
        .containsExactly(new KeyOrderedQueue.Taken<>("b", "b1"), new KeyOrderedQueue.Taken<>("c", "c1"));
    assertThat(q.takeBatch(5, 1, 10)).as("a, b and c are running")
        .containsExactly(new KeyOrderedQueue.Taken<>("d", "d1"), new KeyOrderedQueue.Taken<>("e", "e1"));
    assertThat(q.takeBatch(5, 1, 10)).as("nothing ready").isEmpty();
    q.done("a");
    assertThat(q.takeBatch(5, 1, 10)).containsExactly(new KeyOrderedQueue.Taken<>("a", "a2"));
    q.done("a");
    q.done("b");
    q.done("c");
    q.done("d");
    q.done("e");
    assertThat(q.size()).isZero();
  }

  /**
   * Workers wait far longer than the test may take: a ready key whose wake-up went to nobody would
   * leave its items waiting out that wait, and the latch would not open in time.
   */
  @Test
  void everyReadyKeyWakesAWorkerAndKeysStayInOrderUnderConcurrency() throws Exception {
    KeyOrderedQueue<Integer> q = new KeyOrderedQueue<>();
    int keys = 300;
    int perKey = 40;
    CountDownLatch all = new CountDownLatch(keys * perKey);
    Map<String, Integer> lastSeen = new ConcurrentHashMap<>();
    Map<String, Boolean> running = new ConcurrentHashMap<>();
    AtomicInteger violations = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < 16; w++) {
      Thread t = new Thread(() -> {
        try {
          while (true) {
            KeyOrderedQueue.Taken<Integer> taken = q.take(600_000);
            if (running.putIfAbsent(taken.key(), Boolean.TRUE) != null) {
              violations.incrementAndGet(); // a second worker on a running key
            }
            Integer before = lastSeen.put(taken.key(), taken.item());
            if (before != null && before + 1 != taken.item()) {
              violations.incrementAndGet(); // out of order
            }
            running.remove(taken.key());
            q.done(taken.key());
            all.countDown();
          }
        } catch (InterruptedException e) {
          // stopped
        }
      });
      t.setDaemon(true);
      t.start();
      workers.add(t);
    }
    Thread.sleep(50); // the workers are waiting before the first key comes
    // producers add keys one by one, as a poll thread does, while workers finish others
    for (int i = 0; i < perKey; i++) {
      for (int k = 0; k < keys; k++) {
        q.add("k" + k, i);
      }
      if (i % 10 == 0) {
        Thread.sleep(5); // let the pool drain and go back to waiting
      }
    }
    assertThat(all.await(60, TimeUnit.SECONDS)).as("every item taken without waiting out a worker's wait").isTrue();
    assertThat(violations).hasValue(0);
    assertThat(q.size()).isZero();
    workers.forEach(Thread::interrupt);
  }
}
