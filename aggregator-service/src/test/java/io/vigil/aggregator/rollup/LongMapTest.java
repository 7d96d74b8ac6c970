package io.vigil.aggregator.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The primitive map behaves as a HashMap under random puts, gets and removes (growth and back-shifts included). */
class LongMapTest {

  @Test
  void randomOperationsMatchAHashMap() {
    Random random = new Random(7);
    LongMap<SeriesState> map = new LongMap<>();
    Map<Long, SeriesState> expected = new HashMap<>();
    for (int i = 0; i < 200_000; i++) {
      long key = random.nextInt(20_000) * 0x1_0000_0001L; // collisions in the low bits
      switch (random.nextInt(3)) {
        case 0 -> {
          SeriesState v = new SeriesState(key, "default", 0, new int[] {60});
          map.put(key, v);
          expected.put(key, v);
        }
        case 1 -> {
          map.remove(key);
          expected.remove(key);
        }
        default -> assertThat(map.get(key)).isSameAs(expected.get(key));
      }
      assertThat(map.size()).isEqualTo(expected.size());
    }
    int[] seen = {0};
    map.forEach((SeriesState v) -> {
      assertThat(expected.get(v.seriesId)).isSameAs(v);
      seen[0]++;
    });
    assertThat(seen[0]).isEqualTo(expected.size());
  }
}
