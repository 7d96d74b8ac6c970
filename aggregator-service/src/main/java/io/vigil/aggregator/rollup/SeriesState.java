package io.vigil.aggregator.rollup;

import io.vigil.common.model.RollupStats;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the aggregator holds of one series between its points: the open one-minute windows (with the
 * timestamps seen in each, so a sender's retry is recognised), the open windows of the longer
 * periods the namespace asks for (folded from the one-minute windows as those close), and the
 * namespace's shard, grace and periods as the latest batch stated them.
 *
 * <p>Every period divides a day and is a whole number of minutes, so an epoch-aligned window of any
 * period is exactly a run of epoch-aligned minutes: folding closed minutes gives the same sum, count,
 * min, max and last as computing from the raw points (see {@link RollupStats#merge}).
 */
final class SeriesState {

  static final long MINUTE_MS = 60_000;
  /** Distinct timestamps remembered per series and minute; past it a retry is no longer recognised. */
  static final int MAX_TIMESTAMPS = 1024;
  private static final byte VERSION = 1;

  /** One open minute: its statistics and the offsets (ms into the minute) of the points seen, sorted. */
  static final class Minute {
    final long start;
    final RollupStats stats = new RollupStats();
    char[] offsets = new char[4];
    int n;

    Minute(long start) {
      this.start = start;
    }

    /** False when a point at this timestamp was seen already (a retry); true when it is new or no longer checked. */
    boolean firstAt(long timestampMs) {
      char offset = (char) (timestampMs - start);
      int at = Arrays.binarySearch(offsets, 0, n, offset);
      if (at >= 0) {
        return false;
      }
      if (n == MAX_TIMESTAMPS) {
        return true;
      }
      at = -at - 1;
      if (n == offsets.length) {
        offsets = Arrays.copyOf(offsets, n * 2);
      }
      System.arraycopy(offsets, at, offsets, at + 1, n - at);
      offsets[at] = offset;
      n++;
      return true;
    }
  }

  /** One open window of a longer period. */
  static final class Open {
    final int periodSeconds;
    final long start;
    final RollupStats stats = new RollupStats();

    Open(int periodSeconds, long start) {
      this.periodSeconds = periodSeconds;
      this.start = start;
    }

    long end() {
      return start + periodSeconds * 1000L;
    }
  }

  /** Receives what closes, in order: each minute before the longer windows it completes. */
  interface Closed {
    void window(int periodSeconds, long windowStartMs, RollupStats stats);
  }

  final long seriesId;
  String shard;
  long graceMs;
  /** The periods to emit, ascending, in seconds. */
  int[] periods;
  /** The partition's progress when the series last had a point: idle series are forgotten after a while. */
  long lastSeenMs;
  /** Took points since the last commit: to be stored before the next (not stored). */
  boolean dirty;
  /** Who the series is (stored apart, in the info store). */
  SeriesInfo info;
  /**
   * The start of its rollups' JSON, written for {@link #rollupHeadOf} (not stored): a minute's end
   * copies it for every series instead of writing names and dimensions again. About 150 to 300 bytes
   * a series.
   */
  byte[] rollupHead;
  SeriesInfo rollupHeadOf;
  /** The object id of {@link #rollupHeadOf} (not stored): what its rollups are placed by. */
  long objectId;
  /** The longer windows changed since they were last stored (not stored). */
  boolean longerDirty;
  /** The close time queued for it, {@link Long#MIN_VALUE} for none (not stored). */
  long timerMs = Long.MIN_VALUE;
  final List<Minute> minutes = new ArrayList<>(2);
  final List<Open> longer = new ArrayList<>(4);

  SeriesState(long seriesId, String shard, long graceMs, int[] periods) {
    this.seriesId = seriesId;
    this.shard = shard;
    this.graceMs = graceMs;
    this.periods = periods;
  }

  static long windowStart(long timestampMs, long periodMs) {
    return Math.floorDiv(timestampMs, periodMs) * periodMs;
  }

  /** The open minute that starts at {@code start}, opened if need be. */
  Minute minute(long start) {
    for (Minute m : minutes) {
      if (m.start == start) {
        return m;
      }
    }
    Minute m = new Minute(start);
    minutes.add(m);
    return m;
  }

  /**
   * Adds a point to its open minute ({@code m}); with {@code fold} false (the measured alternative,
   * {@code vigil.aggregator.fold-from-minutes=false}) also to the open window of every longer period,
   * which then take nothing from the minutes when those close.
   */
  void add(Minute m, long timestampMs, double value, boolean fold) {
    m.stats.add(timestampMs, value);
    if (!fold) {
      for (int period : periods) {
        if (period != 60) {
          open(period, windowStart(timestampMs, period * 1000L)).stats.add(timestampMs, value);
          longerDirty = true;
        }
      }
    }
  }

  boolean isEmpty() {
    return minutes.isEmpty() && longer.isEmpty();
  }

  /** When the earliest open window closes (its end + grace); {@link Long#MAX_VALUE} with none open. */
  long nextCloseMs() {
    long next = Long.MAX_VALUE;
    for (Minute m : minutes) {
      next = Math.min(next, m.start + MINUTE_MS + graceMs);
    }
    for (Open o : longer) {
      next = Math.min(next, o.end() + graceMs);
    }
    return next;
  }

  /**
   * Closes every window whose end + grace is at or before {@code progressMs}: minutes first, oldest
   * first, each folded into the longer windows it belongs to (and emitted itself when the namespace
   * asks for 60 s), then the longer windows, shortest period first.
   */
  void close(long progressMs, Closed out, boolean fold) {
    minutes.sort((a, b) -> Long.compare(a.start, b.start));
    for (var it = minutes.iterator(); it.hasNext();) {
      Minute m = it.next();
      if (m.start + MINUTE_MS + graceMs > progressMs) {
        break;
      }
      it.remove();
      for (int period : periods) {
        if (period == 60) {
          out.window(60, m.start, m.stats);
        } else if (fold) {
          long start = windowStart(m.start, period * 1000L);
          open(period, start).stats.merge(m.stats);
          longerDirty = true;
        }
      }
    }
    longer.sort((a, b) -> a.periodSeconds != b.periodSeconds ? Integer.compare(a.periodSeconds, b.periodSeconds)
        : Long.compare(a.start, b.start));
    for (var it = longer.iterator(); it.hasNext();) {
      Open o = it.next();
      if (o.end() + graceMs <= progressMs) {
        it.remove();
        longerDirty = true;
        out.window(o.periodSeconds, o.start, o.stats);
      }
    }
  }

  private Open open(int period, long start) {
    for (Open o : longer) {
      if (o.periodSeconds == period && o.start == start) {
        return o;
      }
    }
    Open o = new Open(period, start);
    longer.add(o);
    return o;
  }

  // ------------------------------------------------------------------ the stored form

  /**
   * The part that changes with every point (config, open minutes), stored apart from the longer
   * windows ({@link #encodeLonger}), which change only when a minute closes: a point's write stays a
   * third of the size.
   */
  byte[] encode() {
    int size = 1 + 2 + shard.length() * 3 + 8 + 1 + periods.length * 4 + 8 + 2;
    for (Minute m : minutes) {
      size += 8 + 56 + 2 + m.n * 2;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(VERSION);
    byte[] s = shard.getBytes(StandardCharsets.UTF_8);
    b.putShort((short) s.length).put(s);
    b.putLong(graceMs);
    b.put((byte) periods.length);
    for (int p : periods) {
      b.putInt(p);
    }
    b.putLong(lastSeenMs);
    b.putShort((short) minutes.size());
    for (Minute m : minutes) {
      b.putLong(m.start);
      putStats(b, m.stats);
      b.putShort((short) m.n);
      for (int i = 0; i < m.n; i++) {
        b.putChar(m.offsets[i]);
      }
    }
    return b.position() == size ? b.array() : Arrays.copyOf(b.array(), b.position());
  }

  /** The open windows of the longer periods; null when there are none. */
  byte[] encodeLonger() {
    if (longer.isEmpty()) {
      return null;
    }
    ByteBuffer b = ByteBuffer.allocate(1 + 2 + longer.size() * (4 + 8 + 56));
    b.put(VERSION);
    b.putShort((short) longer.size());
    for (Open o : longer) {
      b.putInt(o.periodSeconds);
      b.putLong(o.start);
      putStats(b, o.stats);
    }
    return b.array();
  }

  static SeriesState decode(long seriesId, byte[] bytes, byte[] longerBytes) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      checkVersion(seriesId, b.get());
      byte[] s = new byte[b.getShort()];
      b.get(s);
      long grace = b.getLong();
      int[] periods = new int[b.get()];
      for (int i = 0; i < periods.length; i++) {
        periods[i] = b.getInt();
      }
      SeriesState state = new SeriesState(seriesId, new String(s, StandardCharsets.UTF_8).intern(), grace, periods);
      state.lastSeenMs = b.getLong();
      int minutes = b.getShort();
      for (int i = 0; i < minutes; i++) {
        Minute m = new Minute(b.getLong());
        getStats(b, m.stats);
        m.n = b.getShort();
        m.offsets = new char[Math.max(4, m.n)];
        for (int j = 0; j < m.n; j++) {
          m.offsets[j] = b.getChar();
        }
        state.minutes.add(m);
      }
      if (longerBytes != null) {
        ByteBuffer l = ByteBuffer.wrap(longerBytes);
        checkVersion(seriesId, l.get());
        int longer = l.getShort();
        for (int i = 0; i < longer; i++) {
          Open o = new Open(l.getInt(), l.getLong());
          getStats(l, o.stats);
          state.longer.add(o);
        }
      }
      return state;
    } catch (BufferUnderflowException e) {
      throw new IllegalStateException("series state of " + seriesId + " is truncated", e);
    }
  }

  private static void checkVersion(long seriesId, byte version) {
    if (version != VERSION) {
      throw new IllegalStateException("series state version " + version + " of " + seriesId + " (this build reads "
          + VERSION + ")");
    }
  }

  private static void putStats(ByteBuffer b, RollupStats st) {
    b.putDouble(st.sum).putDouble(st.comp).putLong(st.count).putDouble(st.min).putDouble(st.max).putDouble(st.last).putLong(st.lastTs);
  }

  private static void getStats(ByteBuffer b, RollupStats st) {
    st.sum = b.getDouble();
    st.comp = b.getDouble();
    st.count = b.getLong();
    st.min = b.getDouble();
    st.max = b.getDouble();
    st.last = b.getDouble();
    st.lastTs = b.getLong();
  }
}
