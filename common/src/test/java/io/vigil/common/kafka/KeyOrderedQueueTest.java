package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

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
}
