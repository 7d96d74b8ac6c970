package io.vigil.storage.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class MinuteBlockTest {

  static final long HOUR = 1_765_238_400_000L; // on the hour

  @Test
  void eachFieldGivesBackItsMinutesInTimeOrder() {
    MinuteBlock b = new MinuteBlock(-42L, HOUR);
    b.put(HOUR + 59 * 60_000, 5, 2, 1, 4, 3);
    b.put(HOUR, 10, 3, -1.5, 7, 6);
    b.put(HOUR + 17 * 60_000, Double.MAX_VALUE, 1, -0.0, 1e-300, 2);
    assertThat(b.minutes()).isEqualTo(3);
    assertThat(b.counted()).isEqualTo(6);

    List<double[]> sc = new ArrayList<>();
    MinuteBlock.Header h = MinuteBlock.decode(Base64.getDecoder().decode(b.encode(MinuteBlock.Field.SUM_COUNT)),
        MinuteBlock.Field.SUM_COUNT, (at, x, y) -> sc.add(new double[] {at, x, y}));
    assertThat(h.seriesId()).isEqualTo(-42L);
    assertThat(h.hourMs()).isEqualTo(HOUR);
    assertThat(sc).containsExactly(new double[] {HOUR, 10, 3}, new double[] {HOUR + 17 * 60_000, Double.MAX_VALUE, 1},
        new double[] {HOUR + 59 * 60_000, 5, 2});

    List<double[]> min = new ArrayList<>();
    MinuteBlock.decode(Base64.getDecoder().decode(b.encode(MinuteBlock.Field.MIN)), MinuteBlock.Field.MIN,
        (at, x, y) -> min.add(new double[] {at, x, y}));
    assertThat(min).hasSize(3);
    assertThat(min.get(0)[1]).isEqualTo(-1.5);
    assertThat(Double.doubleToRawLongBits(min.get(1)[1])).as("-0.0 kept bit for bit")
        .isEqualTo(Double.doubleToRawLongBits(-0.0));
    assertThat(min.get(2)[2]).isNaN();
    List<Double> last = new ArrayList<>();
    MinuteBlock.decode(Base64.getDecoder().decode(b.encode(MinuteBlock.Field.LAST)), MinuteBlock.Field.LAST,
        (at, x, y) -> last.add(x));
    assertThat(last).containsExactly(6.0, 2.0, 3.0);
    List<Double> max = new ArrayList<>();
    MinuteBlock.decode(Base64.getDecoder().decode(b.encode(MinuteBlock.Field.MAX)), MinuteBlock.Field.MAX,
        (at, x, y) -> max.add(x));
    assertThat(max).containsExactly(7.0, 1e-300, 4.0);
  }

  @Test
  void minutesOutsideTheHourAndBytesOfAnotherShapeAreRefused() {
    MinuteBlock b = new MinuteBlock(1, HOUR);
    assertThatThrownBy(() -> b.put(HOUR - 60_000, 1, 1, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.put(HOUR + 3_600_000, 1, 1, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.put(HOUR + 30_000, 1, 1, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MinuteBlock(1, HOUR + 60_000)).isInstanceOf(IllegalArgumentException.class);
    b.put(HOUR, 1, 1, 1, 1, 1);
    byte[] oneValue = Base64.getDecoder().decode(b.encode(MinuteBlock.Field.MIN));
    assertThatThrownBy(() -> MinuteBlock.decode(oneValue, MinuteBlock.Field.SUM_COUNT, (at, x, y) -> { }))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MinuteBlock.decode(new byte[5], MinuteBlock.Field.MIN, (at, x, y) -> { }))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theDocumentCarriesItsIdentityAndEveryField() {
    MinuteBlock b = new MinuteBlock(7, HOUR);
    b.put(HOUR + 60_000, 1, 2, 3, 4, 5);
    String doc = b.document("t\"1");
    assertThat(doc).startsWith("{\"seriesId\":7,\"hourMs\":" + HOUR + ",\"minutes\":1,\"tenant\":\"t\\\"1\"");
    for (MinuteBlock.Field f : MinuteBlock.Field.values()) {
      assertThat(doc).contains("\"" + f.fieldName() + "\":\"" + b.encode(f) + "\"");
    }
  }
}
