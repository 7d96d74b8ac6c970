package io.vigil.notifier.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The small chart an email carries inline: the series' recent windows as a line, the condition's
 * threshold as a dashed line, and the range and the last value written beside them. Drawn with Java2D
 * off-screen (headless: Spring Boot starts the JVM so), so it needs the OS's fonts
 * ({@code fonts-dejavu-core}); where none can be drawn the chart goes without its labels.
 */
public final class ChartImage {

  public static final int WIDTH = 480;
  public static final int HEIGHT = 140;
  /** The content id the email's HTML names the image by. */
  public static final String CONTENT_ID = "vigil-chart";

  static final Color LINE = new Color(0x1f, 0x6f, 0xd1);
  static final Color THRESHOLD = new Color(0xd1, 0x24, 0x2f);
  private static final Color GRID = new Color(0xe5, 0xe7, 0xeb);
  private static final Color TEXT = new Color(0x37, 0x41, 0x51);
  private static final int LEFT = 8;
  private static final int RIGHT = 96;
  private static final int TOP = 10;
  private static final int BOTTOM = 10;

  private ChartImage() {}

  /**
   * A PNG of these values (oldest first; NaN for a window without data), with the threshold if there
   * is one; null when there is nothing to draw (fewer than two values with data).
   */
  public static byte[] png(List<Double> values, Double threshold) {
    int finite = 0;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Double v : values) {
      if (v != null && Double.isFinite(v)) {
        finite++;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    if (finite < 2) {
      return null;
    }
    if (threshold != null && Double.isFinite(threshold)) {
      lo = Math.min(lo, threshold);
      hi = Math.max(hi, threshold);
    }
    if (hi == lo) {
      hi = lo + 1; // a flat series: drawn across the middle
      lo = lo - 1;
    }
    double pad = (hi - lo) * 0.08;
    lo -= pad;
    hi += pad;

    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      int plotW = WIDTH - LEFT - RIGHT;
      int plotH = HEIGHT - TOP - BOTTOM;
      g.setColor(GRID);
      g.drawRect(LEFT, TOP, plotW, plotH);

      double span = hi - lo;
      double l = lo;
      java.util.function.DoubleUnaryOperator y = v -> TOP + plotH - (v - l) / span * plotH;
      double step = values.size() > 1 ? (double) plotW / (values.size() - 1) : plotW;

      if (threshold != null && Double.isFinite(threshold)) {
        g.setColor(THRESHOLD);
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f},
            0f));
        int ty = (int) Math.round(y.applyAsDouble(threshold));
        g.drawLine(LEFT, ty, LEFT + plotW, ty);
      }

      g.setColor(LINE);
      g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      Path2D.Double path = new Path2D.Double();
      boolean drawing = false;
      for (int i = 0; i < values.size(); i++) {
        Double v = values.get(i);
        if (v == null || !Double.isFinite(v)) {
          drawing = false; // a gap for a window without data
          continue;
        }
        double px = LEFT + i * step;
        double py = y.applyAsDouble(v);
        if (drawing) {
          path.lineTo(px, py);
        } else {
          path.moveTo(px, py);
          drawing = true;
        }
      }
      g.draw(path);

      labels(g, values, threshold, hi - pad, lo + pad);
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(8 * 1024);
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The range and the last value (and the threshold), right of the plot; skipped where no font can be drawn. */
  private static void labels(Graphics2D g, List<Double> values, Double threshold, double max, double min) {
    Double last = null;
    for (int i = values.size() - 1; i >= 0 && last == null; i--) {
      Double v = values.get(i);
      last = v != null && Double.isFinite(v) ? v : null;
    }
    try {
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      int x = WIDTH - RIGHT + 8;
      g.setColor(TEXT);
      g.drawString("max " + format(max), x, TOP + 12);
      g.drawString("now " + format(last), x, TOP + 12 + (HEIGHT - TOP - BOTTOM) / 2);
      g.drawString("min " + format(min), x, HEIGHT - BOTTOM);
      if (threshold != null && Double.isFinite(threshold)) {
        g.setColor(THRESHOLD);
        g.drawString("limit " + format(threshold), x, TOP + 12 + (HEIGHT - TOP - BOTTOM) / 4);
      }
    } catch (RuntimeException | Error noFonts) {
      if (noFonts instanceof VirtualMachineError fatal) {
        throw fatal;
      }
      // a machine without fonts ("no fonts found", a missing font library): the lines alone
    }
  }

  static String format(Double v) {
    if (v == null || !Double.isFinite(v)) {
      return "-";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e12) {
      return Long.toString(v.longValue());
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }
}
