package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The committable position never passes an unfinished record, whatever order records finish in. */
class PartitionProgressTest {

  @Test
  void commitsOnlyTheContiguousFinishedPrefix() {
    PartitionProgress p = new PartitionProgress();
    for (long o : new long[] {10, 11, 13, 14}) { // 12 is a transaction marker: never handed out
      p.handedOut(o);
    }
    assertThat(p.toCommit()).isEqualTo(-1);
    p.finished(11);
    p.finished(14);
    assertThat(p.toCommit()).as("10 still running").isEqualTo(-1);
    assertThat(p.inFlight()).isEqualTo(4);
    p.finished(10);
    assertThat(p.toCommit()).isEqualTo(12);
    p.committed(12);
    assertThat(p.toCommit()).as("nothing new").isEqualTo(-1);
    p.finished(13);
    assertThat(p.toCommit()).isEqualTo(15);
    assertThat(p.inFlight()).isZero();
  }

  /** Rounds of the random test: a bounded number in CI, {@code -Dvigil.test.tries=100000} for a deep run. */
  static final int TRIES = Integer.getInteger("vigil.test.tries", 200);

  @Test
  void randomFinishingOrdersNeverCommitPastTheFirstUnfinished() {
    long seed = Long.getLong("vigil.test.seed", 42L);
    Random random = new Random(seed);
    for (int round = 0; round < TRIES; round++) {
      PartitionProgress p = new PartitionProgress();
      List<Long> offsets = new ArrayList<>();
      long o = random.nextInt(100);
      for (int i = 0; i < 30; i++) {
        o += 1 + random.nextInt(3);
        offsets.add(o);
        p.handedOut(o);
      }
      List<Long> order = new ArrayList<>(offsets);
      Collections.shuffle(order, random);
      List<Long> finished = new ArrayList<>();
      for (long f : order) {
        p.finished(f);
        finished.add(f);
        long firstUnfinished = offsets.stream().filter(x -> !finished.contains(x)).findFirst().orElse(-1L);
        long commit = p.toCommit();
        if (firstUnfinished < 0) {
          assertThat(commit).isEqualTo(offsets.get(offsets.size() - 1) + 1);
        } else if (commit >= 0) {
          assertThat(commit).isLessThanOrEqualTo(firstUnfinished);
        }
      }
    }
  }

  @Test
  void offsetsMustGrow() {
    PartitionProgress p = new PartitionProgress();
    assertThat(p.accepts(5)).isTrue();
    p.handedOut(5);
    assertThat(p.accepts(5)).as("a rewind is seen before it is handed out").isFalse();
    assertThat(p.accepts(6)).isTrue();
    assertThatThrownBy(() -> p.handedOut(5)).isInstanceOf(IllegalStateException.class);
  }
}
