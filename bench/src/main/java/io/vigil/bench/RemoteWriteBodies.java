package io.vigil.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.xerial.snappy.Snappy;

/**
 * Pre-generated Prometheus remote-write bodies for the ingestion benchmark (snappy-compressed
 * protobuf {@code WriteRequest}s), shaped like cloud metrics: 20 metrics × 10,000 instances over 100
 * tenants = 200,000 series; each body carries 2,000 samples of 2,000 series. Body k covers the next
 * slice of series, and every full pass over the series moves one second on, so no (series,
 * timestamp) repeats across the bodies: a TSDB peer stores them all instead of refusing duplicates.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.vigil.bench.RemoteWriteBodies &lt;dir&gt; &lt;bodies&gt; [&lt;base ms&gt;]
 * </pre>
 */
public final class RemoteWriteBodies {

  static final int METRICS = 20;
  static final int INSTANCES = 10_000;
  static final int TENANTS = 100;
  static final int SERIES = METRICS * INSTANCES;
  static final int PER_BODY = 2_000;

  public static void main(String[] args) throws IOException {
    Path dir = Files.createDirectories(Path.of(args[0]));
    int bodies = Integer.parseInt(args[1]);
    long base = args.length > 2 ? Long.parseLong(args[2]) : System.currentTimeMillis() - 600_000;
    long bytes = 0;
    for (int k = 0; k < bodies; k++) {
      ByteArrayOutputStream req = new ByteArrayOutputStream(PER_BODY * 120);
      long ts = base + (long) k * PER_BODY / SERIES * 1000;
      for (int j = 0; j < PER_BODY; j++) {
        int s = (int) (((long) k * PER_BODY + j) % SERIES);
        int metric = s % METRICS;
        int instance = s / METRICS;
        ByteArrayOutputStream series = new ByteArrayOutputStream(128);
        label(series, "__name__", "cpu_metric_" + metric);
        label(series, "appid", Integer.toString(1_250_000_000 + instance % TENANTS));
        label(series, "instance", "ins-" + Integer.toHexString(0x100000 + instance));
        label(series, "region", "ap-guangzhou");
        ByteArrayOutputStream sample = new ByteArrayOutputStream(20);
        sample.write(0x09);
        long bits = Double.doubleToRawLongBits((s * 31L + ts / 1000) % 1000 / 10.0);
        for (int i = 0; i < 8; i++) {
          sample.write((int) (bits >>> (8 * i)) & 0xFF);
        }
        sample.write(0x10);
        varint(sample, ts);
        field(series, 2, sample.toByteArray());
        field(req, 1, series.toByteArray());
      }
      byte[] body = Snappy.compress(req.toByteArray());
      bytes += body.length;
      Files.write(dir.resolve("body-%05d.bin".formatted(k)), body);
    }
    System.out.printf("%d bodies of %d samples (%d series in all), %.1f KB a body, timestamps from %d%n", bodies,
        PER_BODY, SERIES, bytes / 1024.0 / bodies, base);
  }

  static void label(ByteArrayOutputStream series, String name, String value) {
    ByteArrayOutputStream l = new ByteArrayOutputStream(48);
    field(l, 1, name.getBytes(StandardCharsets.UTF_8));
    field(l, 2, value.getBytes(StandardCharsets.UTF_8));
    field(series, 1, l.toByteArray());
  }

  static void field(ByteArrayOutputStream out, int number, byte[] bytes) {
    varint(out, (number << 3) | 2);
    varint(out, bytes.length);
    out.writeBytes(bytes);
  }

  static void varint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
