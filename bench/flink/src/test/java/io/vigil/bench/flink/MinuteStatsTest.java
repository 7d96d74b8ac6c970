package io.vigil.bench.flink;

import io.vigil.common.model.RollupStats;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MinuteStatsTest {

  @Test
  void aTimestampSeenBeforeInTheMinuteIsARetry() {
    MinuteStats m = new MinuteStats();
    m.add(1_000, 1.0);
    m.add(3_000, 3.0);
    m.add(2_000, 2.0);
    m.add(3_000, 30.0);
    assertEquals(3, m.stats.count);
    assertEquals(6.0, m.stats.total());
    assertEquals(3.0, m.stats.last);
    assertEquals(1, m.duplicates);
  }

  @Test
  void pastTheTimestampsAMinuteRemembersPointsAreTakenUnchecked() {
    MinuteStats m = new MinuteStats();
    for (int i = 0; i < MinuteStats.MAX_SEEN + 2; i++) {
      m.add(i, 1.0);
    }
    m.add(0, 1.0); // remembered: a retry
    m.add(MinuteStats.MAX_SEEN + 1, 1.0); // not remembered: counted again
    assertEquals(MinuteStats.MAX_SEEN + 3, m.stats.count);
    assertEquals(1, m.duplicates);
    assertEquals(3, m.unchecked);
  }

  @Test
  void foldingWindowsGivesTheStatisticsOfTheirPoints() {
    Random random = new Random(7);
    RollupStats all = new RollupStats();
    RollupStats folded = new RollupStats();
    for (int w = 0; w < 10; w++) {
      RollupStats window = new RollupStats();
      for (int i = 0; i < 6; i++) {
        long ts = w * 60_000L + i * 10_000L;
        double v = random.nextGaussian() * 1e12;
        all.add(ts, v);
        window.add(ts, v);
      }
      folded.merge(window);
    }
    assertEquals(all.count, folded.count);
    assertEquals(all.total(), folded.total(), Math.ulp(all.total()));
    assertEquals(all.min, folded.min);
    assertEquals(all.max, folded.max);
    assertEquals(all.last, folded.last);
  }

  @Test
  void lastIsTheValueOfTheLatestTimestampATieGoingToTheLaterPoint() {
    RollupStats s = new RollupStats();
    s.add(2_000, 2.0);
    s.add(1_000, 1.0);
    s.add(2_000, 3.0);
    assertEquals(3.0, s.last);
    RollupStats later = new RollupStats();
    later.add(2_000, 4.0);
    s.merge(later);
    assertEquals(4.0, s.last);
  }
}
