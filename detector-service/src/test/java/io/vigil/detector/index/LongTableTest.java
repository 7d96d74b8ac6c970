package io.vigil.detector.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The index's hash-pair table answers exactly what a HashMap of the same entries answers. */
class LongTableTest {

  record Pair(long hash, long check) {}

  @Test
  void answersLikeAHashMap() {
    Random r = new Random(3);
    for (int size : new int[] {0, 1, 2, 3, 17, 1000, 50_000}) {
      Map<Pair, Integer> entries = new HashMap<>();
      while (entries.size() < size) {
        // small first hashes crowd the same slots; a few share their first hash with another
        long h = r.nextInt(4) == 0 ? r.nextInt(100) : r.nextLong();
        long c = r.nextInt(3) == 0 ? r.nextInt(3) : r.nextLong();
        entries.put(new Pair(h, c), r.nextInt(LongTable.MAX_VALUE) + (r.nextInt(10) == 0 ? 1 : 0));
      }
      List<LongTable.Entry> list = new ArrayList<>();
      entries.forEach((k, v) -> list.add(new LongTable.Entry(k.hash(), k.check(), v)));
      LongTable table = LongTable.of(list);
      entries.forEach((k, v) -> assertThat(table.get(k.hash(), k.check())).isEqualTo(v));
      for (int i = 0; i < 10_000; i++) {
        Pair p = new Pair(r.nextInt(100), r.nextInt(3)); // many of these share a first hash with an entry
        assertThat(table.get(p.hash(), p.check())).isEqualTo(entries.getOrDefault(p, -1));
        Pair q = new Pair(r.nextLong(), r.nextLong());
        assertThat(table.get(q.hash(), q.check())).isEqualTo(entries.getOrDefault(q, -1));
      }
    }
  }

  @Test
  void refusesTwoEntriesWithBothHashesEqual() {
    assertThatThrownBy(() -> LongTable.of(List.of(new LongTable.Entry(1, 2, 0), new LongTable.Entry(1, 2, 1))))
        .isInstanceOf(IllegalArgumentException.class);
    // a slot keeps 32 bits of the second hash: keys that differ only above them cannot be told apart
    assertThatThrownBy(() -> LongTable.of(List.of(new LongTable.Entry(1, 2, 0),
        new LongTable.Entry(1, 2 + (1L << 32), 1)))).isInstanceOf(IllegalArgumentException.class);
    LongTable apart = LongTable.of(List.of(new LongTable.Entry(1, 2, 0), new LongTable.Entry(1, 3, 1),
        new LongTable.Entry(-1, -1, LongTable.MAX_VALUE), new LongTable.Entry(5, 0, 3)));
    assertThat(apart.get(1, 2)).isEqualTo(0);
    assertThat(apart.get(1, 3)).isEqualTo(1);
    assertThat(apart.get(-1, -1)).isEqualTo(LongTable.MAX_VALUE);
    assertThat(apart.get(-1, 0xffffffffL)).as("the same low 32 bits of the check").isEqualTo(LongTable.MAX_VALUE);
    assertThat(apart.get(5, 0)).isEqualTo(3);
    assertThat(apart.get(5, 1)).isEqualTo(-1);
  }

  @Test
  void refusesANumberOutOfRange() {
    assertThatThrownBy(() -> LongTable.of(List.of(new LongTable.Entry(1, 2, -1))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LongTable.of(List.of(new LongTable.Entry(1, 2, Integer.MAX_VALUE))))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
