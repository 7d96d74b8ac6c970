package io.vigil.storage.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vigil.storage.rollup.MinuteBlock;
import java.util.Base64;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Steps from blocks, joined to steps from minutes at a frontier, against the same steps computed
 * straight from the minutes (as Elasticsearch's histogram would: keys on multiples of the step).
 */
class BlockSearchTest {

  static final long H = MinuteBlock.HOUR_MS;
  static final long T0 = 1_765_238_400_000L;

  @Test
  void blocksThenMinutesGiveWhatTheMinutesAloneGive() {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      int hours = 1 + random.nextInt(5);
      double[][] minutes = new double[hours * 60][]; // sum, count, min, max, last; null: absent
      for (int m = 0; m < minutes.length; m++) {
        if (random.nextInt(10) > 0) {
          double min = random.nextInt(100) - 50;
          minutes[m] = new double[] {random.nextInt(1000) / 4.0, 1 + random.nextInt(5), min, min + random.nextInt(9),
              random.nextInt(100)};
        }
      }
      int firstBlock = random.nextInt(hours); // hours [firstBlock, blocked) have a block
      int blocked = firstBlock + random.nextInt(hours - firstBlock + 1);
      long from = T0 + random.nextInt(59) * 60_000L;
      long to = T0 + (hours - 1) * H + (1 + random.nextInt(60)) * 60_000L;
      if (to <= from) {
        continue;
      }
      long step = (1 + random.nextInt(13)) * 60_000L;
      for (Statistic stat : Statistic.values()) {
        TreeMap<Long, byte[]> byHour = new TreeMap<>();
        for (int h = firstBlock; h < blocked; h++) {
          MinuteBlock b = new MinuteBlock(1, T0 + h * H);
          for (int m = h * 60; m < h * 60 + 60; m++) {
            if (minutes[m] != null) {
              double[] v = minutes[m];
              b.put(T0 + m * 60_000L, v[0], v[1], v[2], v[3], v[4]);
            }
          }
          byHour.put(T0 + h * H, Base64.getDecoder().decode(b.encode(BlockSearch.field(stat))));
        }
        BlockSearch.Covered c = BlockSearch.cover(byHour, BlockSearch.field(stat), from, to, step);
        if (blocked == firstBlock || T0 + firstBlock * H >= to) {
          assertThat(c).isNull();
        } else {
          assertThat(c.startMs()).isEqualTo(Math.max(from, T0 + firstBlock * H));
          assertThat(c.frontierMs()).isEqualTo(Math.min(to, T0 + blocked * H));
        }
        // the minutes before the blocks, the blocks, the minutes after them
        Steps joined = c == null ? direct(minutes, from, to, step, from)
            : BlockSearch.join(BlockSearch.join(c.startMs() > from ? direct(minutes, from, c.startMs(), step, from)
                : null, c.steps()), direct(minutes, c.frontierMs(), to, step, from));
        Steps expected = direct(minutes, from, to, step, from);
        assertThat(joined.size()).isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
          assertThat(joined.at(i)).isEqualTo(expected.at(i));
          int[] slots = switch (stat) {
            case AVG, SUM, COUNT -> new int[] {Steps.SUM, Steps.COUNT};
            case MIN -> new int[] {Steps.MIN};
            case MAX -> new int[] {Steps.MAX};
            case LAST -> new int[] {Steps.LAST, Steps.LAST_AT};
          };
          for (int slot : slots) {
            assertThat(joined.get(i, slot)).as(stat + " round " + round + " step " + i + " slot " + slot)
                .isCloseTo(expected.get(i, slot), within(1e-9));
          }
        }
      }
    }
  }

  /** The steps of the minutes in [from, to), every statistic, as the histogram makes them. */
  static Steps direct(double[][] minutes, long from, long to, long step, long rangeFrom) {
    Steps steps = new Steps();
    for (int m = 0; m < minutes.length; m++) {
      long at = T0 + m * 60_000L;
      if (minutes[m] == null || at < from || at >= to) {
        continue;
      }
      long key = Math.floorDiv(at, step) * step;
      int i = steps.size() > 0 && steps.at(steps.size() - 1) == key ? steps.size() - 1 : steps.append(key);
      double[] v = minutes[m];
      steps.set(i, Steps.SUM, steps.get(i, Steps.SUM) + v[0]);
      steps.set(i, Steps.COUNT, steps.get(i, Steps.COUNT) + v[1]);
      steps.set(i, Steps.MIN, Double.isNaN(steps.get(i, Steps.MIN)) ? v[2] : Math.min(steps.get(i, Steps.MIN), v[2]));
      steps.set(i, Steps.MAX, Double.isNaN(steps.get(i, Steps.MAX)) ? v[3] : Math.max(steps.get(i, Steps.MAX), v[3]));
      steps.set(i, Steps.LAST, v[4]);
      steps.set(i, Steps.LAST_AT, at);
    }
    return steps;
  }
}
