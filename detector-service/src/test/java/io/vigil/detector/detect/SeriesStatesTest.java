package io.vigil.detector.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The series index answers what a map by (policy, series) answers, through random adds and removes. */
class SeriesStatesTest {

  record Key(String policy, long series) {}

  @Test
  void answersLikeAMapThroughAddsAndRemoves() {
    for (long seed = 1; seed <= 20; seed++) {
      Random r = new Random(seed);
      SeriesStates index = new SeriesStates();
      Map<Key, AlertState> model = new HashMap<>();
      List<AlertState> live = new ArrayList<>();
      String[] policies = {"p1", "p2", "p3"};
      for (int step = 0; step < 20_000; step++) {
        // few series, some crowding the same slots, so chains and moves happen
        long series = r.nextInt(3) == 0 ? r.nextInt(8) * 1024L : 1 + r.nextInt(5000);
        String policy = policies[r.nextInt(3)];
        Key k = new Key(policy, series);
        if (r.nextInt(3) > 0 && !model.containsKey(k)) {
          AlertState s = new AlertState(policy + ":" + series, new String(policy), series, null, 0);
          index.add(s);
          model.put(k, s);
          live.add(s);
        } else if (!live.isEmpty()) {
          AlertState s = live.remove(r.nextInt(live.size()));
          index.remove(s);
          model.remove(new Key(s.policyId, s.seriesId));
        }
        if (step % 97 == 0) {
          for (long q = 0; q < 5100; q += 1 + r.nextInt(7)) {
            for (String p : policies) {
              assertThat(index.get(q, p)).as("seed %d step %d: %s %d", seed, step, p, q)
                  .isSameAs(model.get(new Key(p, q)));
            }
          }
          for (int b = 0; b < 8; b++) {
            for (String p : policies) {
              assertThat(index.get(b * 1024L, p)).isSameAs(model.get(new Key(p, b * 1024L)));
            }
          }
        }
      }
      model.forEach((k, s) -> assertThat(index.get(k.series(), k.policy())).isSameAs(s));
    }
  }
}
