package io.vigil.notifier.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ChartImageTest {

  @Test
  void theSeriesIsALineAndTheThresholdADashedLineOfItsOwnColour() throws Exception {
    List<Double> values = new ArrayList<>(List.of(20.0, 25.0, 30.0, Double.NaN, 92.0, 97.0, 95.0));
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(ChartImage.png(values, 90.0)));

    assertThat(image.getWidth()).isEqualTo(ChartImage.WIDTH);
    assertThat(image.getHeight()).isEqualTo(ChartImage.HEIGHT);
    assertThat(count(image, ChartImage.LINE)).as("the series' line").isGreaterThan(100);
    // the threshold lies near the top of the range 20..97: its row holds the threshold colour, dashed
    int row = rowMostOf(image, ChartImage.THRESHOLD);
    assertThat(row).isLessThan(ChartImage.HEIGHT / 3);
    int inRow = 0;
    for (int x = 0; x < ChartImage.WIDTH - 100; x++) {
      inRow += near(new Color(image.getRGB(x, row)), ChartImage.THRESHOLD) ? 1 : 0;
    }
    assertThat(inRow).as("dashed: drawn over part of the width, not all").isBetween(150, ChartImage.WIDTH - 150);
  }

  @Test
  void withoutAThresholdThereIsNoThresholdLineAndTooLittleDataNoChart() throws Exception {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(ChartImage.png(List.of(1.0, 1.0, 1.0), null)));
    assertThat(count(image, ChartImage.THRESHOLD)).isZero();
    assertThat(count(image, ChartImage.LINE)).as("a flat series still draws").isGreaterThan(100);

    assertThat(ChartImage.png(List.of(5.0), 3.0)).isNull();
    assertThat(ChartImage.png(List.of(Double.NaN, 5.0, Double.NaN), 3.0)).isNull();
  }

  private static int count(BufferedImage image, Color colour) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        n += near(new Color(image.getRGB(x, y)), colour) ? 1 : 0;
      }
    }
    return n;
  }

  private static int rowMostOf(BufferedImage image, Color colour) {
    int best = -1;
    int most = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      int n = 0;
      for (int x = 0; x < image.getWidth(); x++) {
        n += near(new Color(image.getRGB(x, y)), colour) ? 1 : 0;
      }
      if (n > most) {
        most = n;
        best = y;
      }
    }
    return best;
  }

  private static boolean near(Color a, Color b) {
    return Math.abs(a.getRed() - b.getRed()) < 12 && Math.abs(a.getGreen() - b.getGreen()) < 12
        && Math.abs(a.getBlue() - b.getBlue()) < 12;
  }
}
