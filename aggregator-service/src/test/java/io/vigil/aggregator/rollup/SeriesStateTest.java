package io.vigil.aggregator.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The stored form of a series round-trips: what a restored task closes equals what the original would have. */
class SeriesStateTest {

  static final long T = 1_795_651_200_000L;

  @Test
  void aRestoredSeriesClosesItsWindowsExactlyAsTheOriginal() {
    SeriesState original = new SeriesState(42, "gold", 20_000, new int[] {60, 300, 3600});
    for (long t = T; t < T + 250_000; t += 7_000) {
      SeriesState.Minute m = original.minute(SeriesState.windowStart(t, 60_000));
      m.firstAt(t);
      original.add(m, t, (t - T) / 1000.0, true);
      original.lastSeenMs = t;
      original.close(t, (p, s, st) -> { }, true);
    }
    assertThat(original.longer).isNotEmpty();
    assertThat(original.minutes).isNotEmpty();
    SeriesState restored = SeriesState.decode(42, original.encode(), original.encodeLonger());
    assertThat(restored.shard).isEqualTo("gold");
    assertThat(restored.graceMs).isEqualTo(20_000);
    assertThat(restored.periods).containsExactly(60, 300, 3600);
    assertThat(restored.lastSeenMs).isEqualTo(original.lastSeenMs);
    assertThat(restored.minute(original.minutes.get(0).start).firstAt(original.minutes.get(0).start + 0))
        .as("the timestamps seen survive: a retry is still a retry").isEqualTo(
            original.minute(original.minutes.get(0).start).firstAt(original.minutes.get(0).start + 0));
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    original.close(T + 7_200_000, (p, s, st) -> a.add(p + "/" + s + "/" + st.total() + "/" + st.count + "/" + st.min
        + "/" + st.max + "/" + st.last), true);
    restored.close(T + 7_200_000, (p, s, st) -> b.add(p + "/" + s + "/" + st.total() + "/" + st.count + "/" + st.min
        + "/" + st.max + "/" + st.last), true);
    assertThat(b).isNotEmpty().isEqualTo(a);
    assertThat(SeriesState.decode(42, original.encode(), original.encodeLonger()).isEmpty()).isTrue();
  }

  /**
   * What the processor relies on: closing writes nothing, so the store keeps a series as its last point
   * left it, and a restart closes silently up to the stored progress. That must give byte for byte the
   * series the running task had, and the same rollups from there on, for any points and any moments
   * of storing and closing.
   */
  @Test
  void aSeriesStoredAtItsLastPointAndClosedAgainToTheStoredProgressIsTheLiveSeries() {
    for (int seed = 0; seed < 200; seed++) {
      Random random = new Random(seed);
      SeriesState live = new SeriesState(7, "default", 5_000 + random.nextInt(30_000), new int[] {60, 300, 900, 3600});
      byte[] stored = live.encode();
      byte[] storedLonger = live.encodeLonger();
      long progress = T;
      long t = T;
      for (int step = 0; step < 400; step++) {
        progress += random.nextInt(20_000);
        t = Math.max(t, progress - live.graceMs + 1) + random.nextInt(5_000);
        if (random.nextInt(4) > 0) { // a point, then the write before the next commit
          SeriesState.Minute m = live.minute(SeriesState.windowStart(t, 60_000));
          if (m.firstAt(t)) {
            live.add(m, t, random.nextInt(1000) / 8.0, true);
          }
          live.lastSeenMs = progress;
          stored = live.encode();
          storedLonger = live.encodeLonger();
        }
        live.close(progress, (p, s, st) -> { }, true); // emits; writes nothing
        if (random.nextInt(10) == 0) { // a restart from what the last commit stored, with its progress
          SeriesState restored = SeriesState.decode(7, stored, storedLonger);
          restored.close(progress, (p, s, st) -> { }, true);
          assertThat(restored.encode()).as("seed %d step %d", seed, step).isEqualTo(live.encode());
          assertThat(restored.encodeLonger()).as("seed %d step %d", seed, step).isEqualTo(live.encodeLonger());
          List<String> a = new ArrayList<>();
          List<String> b = new ArrayList<>();
          live.close(progress + 86_400_000, (p, s, st) -> a.add(p + "/" + s + "/" + st.total() + "/" + st.count), true);
          restored.close(progress + 86_400_000, (p, s, st) -> b.add(p + "/" + s + "/" + st.total() + "/" + st.count),
              true);
          assertThat(b).isEqualTo(a);
          live = restored; // both closed everything: go on from an empty series
          stored = live.encode();
          storedLonger = live.encodeLonger();
          progress += 86_400_000;
          t = progress;
        }
      }
    }
  }
}
