package io.vigil.aggregator.rollup;

import io.vigil.common.model.Rollup;
import io.vigil.common.model.RollupStats;
import java.util.Arrays;
import java.util.Map;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Writes a {@link Rollup}'s JSON straight from a series and its window's statistics, the same
 * document {@code MessageCodec.encode} writes for the record (its fields, JSON's number forms), which
 * every consumer reads with {@code MessageCodec.decode} as before ({@code RollupWriterTest} decodes
 * random rollups both ways). At each minute's end every series closes at once, and building a {@code
 * Rollup} (its checks copy the dimensions) and serializing it by reflection was 40% of that burst.
 * The values pass the checks a {@code Rollup} makes of them ({@link Rollup#checkStatistics}); those of
 * the series' names were made when its points were read.
 *
 * <p>Not thread-safe: one per processor (one stream thread).
 */
final class RollupWriter {

  private byte[] buf = new byte[512];
  private int size;

  /** A rollup of the series, its head written afresh (tests; the processor keeps each series' head). */
  byte[] write(long seriesId, SeriesInfo info, String shard, int periodSeconds, long windowStartMs, RollupStats stats,
      long emittedAtMs) {
    return write(head(seriesId, info), info.tenant(), shard, periodSeconds, windowStartMs, stats, emittedAtMs);
  }

  /**
   * What every rollup of a series repeats while its {@link SeriesInfo} stays: the document up to the
   * dimensions' closing brace. The processor keeps it with the series, so a minute's end copies it
   * instead of walking names and dimensions again for every series (a third of {@link #write}).
   */
  byte[] head(long seriesId, SeriesInfo info) {
    size = 0;
    ascii("{\"schemaVersion\":").number(Rollup.SCHEMA_VERSION);
    ascii(",\"seriesId\":").number(seriesId);
    ascii(",\"namespace\":").string(info.namespace());
    ascii(",\"region\":").string(info.region());
    ascii(",\"metric\":").string(info.metric());
    ascii(",\"dimensions\":{");
    boolean first = true;
    for (Map.Entry<String, String> d : info.dimensions().entrySet()) {
      if (!first) {
        ascii(",");
      }
      first = false;
      string(d.getKey()).ascii(":").string(d.getValue());
    }
    ascii("}");
    return Arrays.copyOf(buf, size);
  }

  /** A rollup: the series' {@link #head}, then the window and its statistics. */
  byte[] write(byte[] head, String tenant, String shard, int periodSeconds, long windowStartMs, RollupStats stats,
      long emittedAtMs) {
    double sum = stats.total();
    Rollup.checkStatistics(sum, stats.count, stats.min, stats.max, stats.last);
    size = 0;
    ensure(head.length);
    System.arraycopy(head, 0, buf, 0, head.length);
    size = head.length;
    ascii(",\"shard\":").string(shard);
    ascii(",\"periodSeconds\":").number(periodSeconds);
    ascii(",\"windowStartMs\":").number(windowStartMs);
    ascii(",\"sum\":").number(sum);
    ascii(",\"count\":").number(stats.count);
    ascii(",\"min\":").number(stats.min);
    ascii(",\"max\":").number(stats.max);
    ascii(",\"last\":").number(stats.last);
    ascii(",\"emittedAtMs\":").number(emittedAtMs);
    ascii(",\"tenant\":");
    if (tenant == null) {
      ascii("null");
    } else {
      string(tenant);
    }
    ascii("}");
    return Arrays.copyOf(buf, size);
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }

  /** Text known to be ASCII that needs no escaping (this class's own). */
  private RollupWriter ascii(String s) {
    int n = s.length();
    ensure(n);
    latin1(s, n);
    return this;
  }

  /** Copies the low byte of each char: ASCII text, in one bulk copy for a compact string. */
  @SuppressWarnings("deprecation")
  private void latin1(String s, int n) {
    s.getBytes(0, n, buf, size);
    size += n;
  }

  /** A long's decimal digits, written in place. */
  private RollupWriter number(long v) {
    ensure(20);
    if (v == Long.MIN_VALUE) {
      return ascii(Long.toString(v));
    }
    if (v < 0) {
      buf[size++] = '-';
      v = -v;
    }
    int end = size + digits(v);
    for (int i = end - 1; i >= size; i--) {
      buf[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    size = end;
    return this;
  }

  private static int digits(long v) {
    int n = 1;
    while (v >= 10) {
      v /= 10;
      n++;
    }
    return n;
  }

  /** A finite double as Java writes it ("1.0E-5", "100.0"): a JSON number, read back to the same bits. */
  private RollupWriter number(double v) {
    return ascii(Double.toString(v));
  }

  /** A JSON string: plain printable ASCII copied as it is, anything else through Jackson's own quoting. */
  private RollupWriter string(String s) {
    int n = s.length();
    boolean plain = true;
    for (int i = 0; i < n && plain; i++) {
      char c = s.charAt(i);
      plain = c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
    }
    if (plain) {
      ensure(n + 2);
      buf[size++] = '"';
      latin1(s, n);
      buf[size++] = '"';
    } else {
      byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(s);
      ensure(quoted.length + 2);
      buf[size++] = '"';
      System.arraycopy(quoted, 0, buf, size, quoted.length);
      size += quoted.length;
      buf[size++] = '"';
    }
    return this;
  }
}
