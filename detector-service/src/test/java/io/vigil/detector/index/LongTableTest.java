package io.vigil.detector.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The index's long-keyed table answers exactly what a HashMap of the same entries answers. */
class LongTableTest {

  @Test
  void answersLikeAHashMap() {
    Random r = new Random(3);
    for (int size : new int[] {0, 1, 2, 3, 17, 1000, 50_000}) {
      Map<Long, String> entries = new HashMap<>();
      while (entries.size() < size) {
        long k = r.nextInt(4) == 0 ? r.nextInt(100) : r.nextLong(); // small keys crowd the same slots
        entries.put(k, "v" + k);
      }
      LongTable<String> table = LongTable.of(entries);
      entries.forEach((k, v) -> assertThat(table.get(k)).isEqualTo(v));
      for (int i = 0; i < 10_000; i++) {
        long k = r.nextLong();
        assertThat(table.get(k)).isEqualTo(entries.get(k));
      }
      assertThat(table.get(0L)).isEqualTo(entries.get(0L));
    }
  }
}
