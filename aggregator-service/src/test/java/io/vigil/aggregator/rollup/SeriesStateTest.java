package io.vigil.aggregator.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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
}
