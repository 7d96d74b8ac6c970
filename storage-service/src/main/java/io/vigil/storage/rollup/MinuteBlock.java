package io.vigil.storage.rollup;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;

/**
 * An hour of one series' 60 s rollups as one document: for each statistic a query reads, the
 * minutes present and their values, packed. A day of minutes over 100 series is 144,000 rollup
 * documents, and a histogram over them costs Elasticsearch about a microsecond a bucket; as 2,400
 * blocks it is one fetch of stored fields ({@code docs/benchmarks.md}, issue 9).
 *
 * <p>Each field is self-contained, so a query fetches exactly one: {@code [seriesId, hourMs,
 * presentBits]} as three longs, then for each present minute in order its values as doubles ({@link
 * Field#SUM_COUNT}: sum and count; the others one value). Bit {@code m} of {@code presentBits} is
 * the minute starting {@code m} minutes into the hour. A block holds exactly the on-time rollups of a
 * closed hour: late points stay in their own index and are added at query time, as for rollups.
 */
public final class MinuteBlock {

  public static final long HOUR_MS = 3_600_000L;
  public static final long MINUTE_MS = 60_000L;
  private static final int HEADER = 3 * Long.BYTES;

  /** The fields of a block document, one per statistic a query reads. */
  public enum Field {
    /** Sum and count: avg, sum and count. */
    SUM_COUNT("sc", 2),
    MIN("mn", 1),
    MAX("mx", 1),
    LAST("ls", 1);

    private final String name;
    private final int width;

    Field(String name, int width) {
      this.name = name;
      this.width = width;
    }

    /** The field's name in the block document and its mapping. */
    public String fieldName() {
      return name;
    }

    /** Values per minute. */
    int width() {
      return width;
    }
  }

  private final long seriesId;
  private final long hourMs;
  private long present;
  private final double[] sum = new double[60];
  private final double[] count = new double[60];
  private final double[] min = new double[60];
  private final double[] max = new double[60];
  private final double[] last = new double[60];

  /** An empty block of this series' hour starting at {@code hourMs} (a multiple of an hour). */
  public MinuteBlock(long seriesId, long hourMs) {
    if (hourMs % HOUR_MS != 0) {
      throw new IllegalArgumentException("a block starts on the hour: " + hourMs);
    }
    this.seriesId = seriesId;
    this.hourMs = hourMs;
  }

  /** The hour a window starting at {@code windowStartMs} falls in. */
  public static long hourOf(long windowStartMs) {
    return Math.floorDiv(windowStartMs, HOUR_MS) * HOUR_MS;
  }

  public long seriesId() {
    return seriesId;
  }

  public long hourMs() {
    return hourMs;
  }

  /** How many minutes the block holds. */
  public int minutes() {
    return Long.bitCount(present);
  }

  /** The sum of its minutes' counts: the hour's count when every minute of the hour is in it. */
  public long counted() {
    double n = 0;
    for (long bits = present; bits != 0; bits &= bits - 1) {
      n += count[Long.numberOfTrailingZeros(bits)];
    }
    return (long) n;
  }

  /** Adds the minute starting at {@code windowStartMs}, within this hour and on the minute. */
  public void put(long windowStartMs, double sum, double count, double min, double max, double last) {
    long offset = windowStartMs - hourMs;
    if (offset < 0 || offset >= HOUR_MS || offset % MINUTE_MS != 0) {
      throw new IllegalArgumentException("minute " + windowStartMs + " is not a minute of the hour " + hourMs);
    }
    int m = (int) (offset / MINUTE_MS);
    present |= 1L << m;
    this.sum[m] = sum;
    this.count[m] = count;
    this.min[m] = min;
    this.max[m] = max;
    this.last[m] = last;
  }

  /** One field of the block document, as Base64 (Elasticsearch's {@code binary}). */
  public String encode(Field field) {
    ByteBuffer out = ByteBuffer.allocate(HEADER + minutes() * field.width() * Double.BYTES);
    out.putLong(seriesId).putLong(hourMs).putLong(present);
    for (long bits = present; bits != 0; bits &= bits - 1) {
      int m = Long.numberOfTrailingZeros(bits);
      switch (field) {
        case SUM_COUNT -> out.putDouble(sum[m]).putDouble(count[m]);
        case MIN -> out.putDouble(min[m]);
        case MAX -> out.putDouble(max[m]);
        case LAST -> out.putDouble(last[m]);
      }
    }
    return Base64.getEncoder().encodeToString(out.array());
  }

  /** Receives a decoded field: each present minute's start and its one or two values, in time order. */
  @FunctionalInterface
  public interface MinuteValues {
    void minute(long windowStartMs, double a, double b);
  }

  /** The header of an encoded field: whose hour it is. */
  public record Header(long seriesId, long hourMs, long present) {}

  /** The header of an encoded field (of any kind). */
  public static Header header(byte[] bytes) {
    if (bytes.length < HEADER) {
      throw new IllegalArgumentException("a block field of " + bytes.length + " bytes has no header");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    return new Header(in.getLong(), in.getLong(), in.getLong());
  }

  /**
   * Reads one encoded field, handing each minute to {@code into} (for a one-value field {@code b}
   * is NaN); returns its header.
   *
   * @throws IllegalArgumentException when the bytes are not a field of this kind
   */
  public static Header decode(byte[] bytes, Field field, MinuteValues into) {
    if (bytes.length < HEADER) {
      throw new IllegalArgumentException("a block field of " + bytes.length + " bytes has no header");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes);
    Header h = new Header(in.getLong(), in.getLong(), in.getLong());
    if (bytes.length != HEADER + Long.bitCount(h.present()) * field.width() * Double.BYTES
        || h.hourMs() % HOUR_MS != 0 || (h.present() >>> 60) != 0) {
      throw new IllegalArgumentException("not a block field of " + field + ": " + bytes.length + " bytes for "
          + Long.bitCount(h.present()) + " minutes");
    }
    for (long bits = h.present(); bits != 0; bits &= bits - 1) {
      long at = h.hourMs() + Long.numberOfTrailingZeros(bits) * MINUTE_MS;
      double a = in.getDouble();
      into.minute(at, a, field.width() == 2 ? in.getDouble() : Double.NaN);
    }
    return h;
  }

  /** The block document: its identity and every field. */
  public String document(String tenant) {
    StringBuilder json = new StringBuilder(64 + minutes() * 60);
    json.append("{\"seriesId\":").append(seriesId).append(",\"hourMs\":").append(hourMs)
        .append(",\"minutes\":").append(minutes());
    if (tenant != null) {
      json.append(",\"tenant\":\"");
      tools.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(tenant, json);
      json.append('"');
    }
    for (Field f : Field.values()) {
      json.append(",\"").append(f.fieldName()).append("\":\"").append(encode(f)).append('"');
    }
    return json.append('}').toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MinuteBlock b && b.seriesId == seriesId && b.hourMs == hourMs && b.present == present
        && Arrays.equals(b.sum, sum) && Arrays.equals(b.count, count) && Arrays.equals(b.min, min)
        && Arrays.equals(b.max, max) && Arrays.equals(b.last, last);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seriesId * 31 + hourMs) ^ Long.hashCode(present);
  }
}
