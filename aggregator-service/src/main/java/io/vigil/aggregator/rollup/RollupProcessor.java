package io.vigil.aggregator.rollup;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.kafka.Topics;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.model.Rollup;
import io.vigil.common.model.RollupProgress;
import io.vigil.common.model.RollupStats;
import io.vigil.common.points.PointRecord;
import io.vigil.common.series.SeriesId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The rollups of one partition of {@code metrics.raw}, in the task that owns it (every point of a
 * series is on one partition, so there is no repartition).
 *
 * <p><b>Progress.</b> A partition's progress (its watermark) is the latest gateway acceptance time
 * ({@code receivedAtMs}) of its batches, never beyond this instance's clock. A window closes when
 * the watermark passes its end + the namespace's grace. So a point stamped in the future moves no
 * window of anyone (its acceptance time is now), a backlog replayed after an outage closes windows at
 * the pace it was accepted (not the clock's), and a partition that has had no record for {@code
 * idleAfter} and has nothing left to read ({@link PartitionLag}: caught up, not merely paused by a
 * rebalance or a slow fetch) follows the clock (less {@code idleAfter}), so a quiet partition's
 * windows close too.
 *
 * <p><b>State.</b> A series' open windows live in memory ({@link SeriesState}). A series that took
 * points since the last commit is written to the {@value #SERIES_STORE} store (and its longer windows
 * to {@value #LONGER_STORE}) once, just before the commit ({@link CommitHookStore}), as is the
 * partition's progress; who the series is goes to the {@value #INFO_STORE} store once. Closing a
 * window writes nothing: the stores keep the series as its last point left it, and a task that starts
 * reads them back whole and closes, silently, every window the stored progress had closed (closing is
 * a function of the state and the progress alone, and the rollups of those windows went out in the
 * transactions that stored that progress). So the working copy always equals what the last committed
 * transaction left, and a series costs a changelog record per commit it took points in, not one per
 * point and one more per window it closes.
 *
 * <p><b>Commits.</b> A live partition (progress within {@code liveLag} of the clock) asks for a commit
 * every {@code liveCommitInterval}, so what it emitted is visible to read-committed readers that soon;
 * a backlog commits on Streams' {@code commit.interval.ms}, which is longer, so a series catching up
 * merges more points into each changelog record.
 *
 * <p><b>What goes out</b> (one transaction with the input offsets, exactly once): a {@link Rollup} per
 * series and window closed, per period the namespace asks for; a late point (its minute closed) to
 * {@code metrics.late} with the reason; and every {@code progressInterval} a {@link RollupProgress}
 * marker per shard topic, after every rollup it vouches for.
 */
final class RollupProcessor implements Processor<String, PointRecord, String, Emit> {

  static final String SERIES_STORE = "rollup-series";
  static final String LONGER_STORE = "rollup-longer";
  static final String INFO_STORE = "rollup-info";
  static final String META_STORE = "rollup-meta";
  static final String LATE_REASON_HEADER = "vigil-late-reason";
  private static final String WATERMARK = "watermark";
  private static final byte[] PROGRESS_TYPE = RollupProgress.TYPE.getBytes(StandardCharsets.US_ASCII);

  private final RollupSettings settings;
  private final RollupMeters meters;
  private final RollupShards shards;
  private final PartitionLag lag;
  private final MessageCodec codec;
  private final RollupWriter rollupWriter = new RollupWriter();
  /** The series {@link #closeDue} is closing and when: what {@link #closed} emits for (no capture per series). */
  private SeriesState closing;
  private long closingAt;
  private final SeriesState.Closed closed = this::emit;
  private final Clock clock;

  private ProcessorContext<String, Emit> context;
  private KeyValueStore<Long, byte[]> seriesStore;
  private KeyValueStore<Long, byte[]> longerStore;
  private KeyValueStore<Long, byte[]> infoStore;
  private KeyValueStore<String, Long> metaStore;
  private final LongMap<SeriesState> states = new LongMap<>();
  /**
   * The series by the time they are next due (a window's close, or being forgotten): a few distinct
   * times (minute ends plus the graces in use), so a minute's closes are one list read in order rather
   * than a heap of every series. An entry is stale when its series has since been given another time
   * ({@code timerMs}) or left the state (its {@code timerMs} is then none).
   */
  private final TreeMap<Long, List<SeriesState>> due = new TreeMap<>();
  /** The series that took points since the last commit. */
  private final List<SeriesState> pending = new ArrayList<>();
  private final Map<String, String> rollupTopics = new HashMap<>();
  private final Set<Integer> periodsSeen = new TreeSet<>();
  /** One array per distinct set of periods, so series compare their periods by reference. */
  private final Map<List<Integer>, int[]> periodArrays = new HashMap<>();
  private Set<Integer> lastPeriodSet;
  private int[] lastPeriods;
  private int partition;
  private long watermark;
  private long storedWatermark;
  private long maxGrace;
  /** The smallest grace in use here (Long.MAX_VALUE before any): its windows close first. */
  private long minGrace;
  private long lastRecordAt;
  private long startedAt;
  private long lastProgressAt;
  private long lastCommitRequestAt;
  /** Rollups emitted by this task (a commit follows live closes). */
  private long emitted;

  RollupProcessor(RollupSettings settings, RollupMeters meters, RollupShards shards, PartitionLag lag,
      MessageCodec codec, Clock clock) {
    this.settings = settings;
    this.meters = meters;
    this.shards = shards;
    this.lag = lag;
    this.codec = codec;
    this.clock = clock;
  }

  @Override
  public void init(ProcessorContext<String, Emit> context) {
    this.context = context;
    this.seriesStore = context.getStateStore(SERIES_STORE);
    this.longerStore = context.getStateStore(LONGER_STORE);
    this.infoStore = context.getStateStore(INFO_STORE);
    this.metaStore = context.getStateStore(META_STORE);
    this.partition = context.taskId().partition();
    CommitHookStore.of(seriesStore).beforeCommit(this::writePending);
    // a task revived after an aborted transaction starts again from the restored stores
    states.clear();
    due.clear();
    periodsSeen.clear();
    periodArrays.clear();
    lastPeriodSet = null;
    pending.clear();
    periodsSeen.addAll(settings.defaultPeriods());
    maxGrace = 0; // the graces in use here: of the series restored, then of every batch
    minGrace = Long.MAX_VALUE;
    Long stored = metaStore.get(WATERMARK);
    watermark = stored == null ? 0 : stored;
    storedWatermark = watermark;
    Map<Long, SeriesInfo> infos = new HashMap<>();
    try (KeyValueIterator<Long, byte[]> all = infoStore.all()) {
      while (all.hasNext()) {
        KeyValue<Long, byte[]> kv = all.next();
        infos.put(kv.key, SeriesInfo.decode(kv.value));
      }
    }
    Map<Long, byte[]> longer = new HashMap<>();
    try (KeyValueIterator<Long, byte[]> all = longerStore.all()) {
      while (all.hasNext()) {
        KeyValue<Long, byte[]> kv = all.next();
        longer.put(kv.key, kv.value);
      }
    }
    try (KeyValueIterator<Long, byte[]> all = seriesStore.all()) {
      while (all.hasNext()) {
        KeyValue<Long, byte[]> kv = all.next();
        SeriesState st = SeriesState.decode(kv.key, kv.value, longer.get(kv.key));
        st.periods = interned(st.periods);
        st.info = infos.get(kv.key);
        if (st.info == null) {
          throw new IllegalStateException("series " + kv.key + " has state but no info in " + INFO_STORE);
        }
        // what the stored progress closed went out with it; the store still has the series as its last point left it
        st.close(watermark, (period, start, stats) -> {}, settings.foldFromMinutes());
        states.put(kv.key, st);
        maxGrace = Math.max(maxGrace, st.graceMs);
        minGrace = Math.min(minGrace, st.graceMs);
        for (int p : st.periods) {
          periodsSeen.add(p);
        }
        schedule(st);
      }
    }
    meters.series(states.size());
    startedAt = clock.millis();
    lastRecordAt = Long.MIN_VALUE;
    lastProgressAt = Long.MIN_VALUE;
    lastCommitRequestAt = startedAt;
    context.schedule(settings.tick(), PunctuationType.WALL_CLOCK_TIME, this::tick);
  }

  @Override
  public void process(Record<String, PointRecord> record) {
    PointRecord batch = record.value();
    long now = clock.millis();
    lastRecordAt = now;
    long accepted = batch.receivedAtMs() > 0 ? Math.min(batch.receivedAtMs(), now) : now;
    advance(accepted);
    long grace = batch.graceMs() > 0 ? batch.graceMs() : settings.defaultGrace().toMillis();
    maxGrace = Math.max(maxGrace, grace);
    minGrace = Math.min(minGrace, grace);
    int[] periods = periods(batch.periods());
    String shard = batch.shard().intern();
    PointRecord.Cursor p = batch.cursor();
    while (p.next()) {
      long minute = SeriesState.windowStart(p.timestampMs(), SeriesState.MINUTE_MS);
      if (minute + SeriesState.MINUTE_MS + grace <= watermark) {
        late(p.point(), minute, grace);
        continue;
      }
      long id = p.seriesId();
      SeriesState st = states.get(id);
      if (st == null) {
        st = new SeriesState(id, shard, grace, periods);
        states.put(id, st);
        meters.series(1);
      } else if (st.graceMs != grace || st.periods != periods || !st.shard.equals(shard)) {
        st.graceMs = grace;
        st.periods = periods;
        st.shard = shard;
      }
      if (st.info == null || !st.info.sameAs(p.unit(), p.tenant())) {
        st.info = SeriesInfo.of(batch, p);
        infoStore.put(id, st.info.encode());
      }
      SeriesState.Minute m = st.minute(minute);
      int before = m.n;
      if (!m.firstAt(p.timestampMs())) {
        meters.duplicate(batch.namespace());
        continue;
      }
      if (m.n == before) {
        meters.unchecked();
      }
      st.add(m, p.timestampMs(), p.value(), settings.foldFromMinutes());
      st.lastSeenMs = watermark;
      if (!st.dirty) {
        st.dirty = true;
        pending.add(st);
      }
      schedule(st);
    }
    closeDue(now);
  }

  /** The clock: an idle partition follows it; windows due close; progress markers go out. */
  private void tick(long wallMs) {
    long now = clock.millis();
    long idle = settings.idleAfter().toMillis();
    long quietSince = Math.max(startedAt, lastRecordAt);
    if (now - quietSince >= idle && lag.lag(partition) == 0) {
      advance(now - idle); // nothing read for a while and nothing left to read: idle, not behind
    }
    closeDue(now);
    if (lastProgressAt == Long.MIN_VALUE || now - lastProgressAt >= settings.progressInterval().toMillis()) {
      lastProgressAt = now;
      progress(now);
    }
    if (live(now) && now - lastCommitRequestAt >= settings.liveCommitInterval().toMillis()) {
      lastCommitRequestAt = now;
      context.commit(); // live: what went out is visible this soon; a backlog waits for commit.interval.ms
    }
  }

  private boolean live(long now) {
    return now - watermark <= settings.liveLag().toMillis();
  }

  /** Just before a commit: every series that took points since the last one, and the progress. */
  private void writePending() {
    for (SeriesState st : pending) {
      st.dirty = false;
      if (states.get(st.seriesId) == st) {
        store(st);
      }
    }
    pending.clear();
    if (watermark != storedWatermark) {
      metaStore.put(WATERMARK, watermark);
      storedWatermark = watermark;
    }
  }

  private void advance(long toMs) {
    if (toMs > watermark) {
      watermark = toMs; // stored before the next commit
      meters.watermark(partition, watermark);
    }
  }

  private void closeDue(long now) {
    long emittedBefore = emitted;
    while (!due.isEmpty() && due.firstKey() <= watermark) {
      Map.Entry<Long, List<SeriesState>> bucket = due.pollFirstEntry();
      long at = bucket.getKey();
      for (SeriesState st : bucket.getValue()) {
        if (st.timerMs != at) {
          continue; // stale: the series was given another time, or is gone
        }
        st.timerMs = Long.MIN_VALUE;
        if (st.isEmpty()) {
          forget(st);
          continue;
        }
        closing = st;
        closingAt = now;
        st.close(watermark, closed, settings.foldFromMinutes());
        schedule(st); // nothing stored: a restart closes it again, silently, from the stored progress
      }
    }
    if (emitted > emittedBefore && live(now)) {
      lastCommitRequestAt = now;
      context.commit(); // live windows closed: their rollups are visible to read-committed readers after it
    }
  }

  /** A series with nothing open and no point for {@code forgetAfter} leaves the state; else it waits. */
  private void forget(SeriesState st) {
    if (st.lastSeenMs + settings.forgetAfter().toMillis() <= watermark) {
      states.remove(st.seriesId);
      seriesStore.delete(st.seriesId);
      if (!st.longer.isEmpty() || st.longerDirty) {
        longerStore.delete(st.seriesId);
      }
      infoStore.delete(st.seriesId);
      meters.series(-1);
    } else {
      schedule(st);
    }
  }

  private void store(SeriesState st) {
    seriesStore.put(st.seriesId, st.encode());
    if (st.longerDirty) {
      st.longerDirty = false;
      byte[] longer = st.encodeLonger();
      if (longer == null) {
        longerStore.delete(st.seriesId);
      } else {
        longerStore.put(st.seriesId, longer);
      }
    }
  }

  private void schedule(SeriesState st) {
    long at = st.isEmpty() ? st.lastSeenMs + settings.forgetAfter().toMillis() : st.nextCloseMs();
    if (st.timerMs != at) {
      st.timerMs = at;
      due.computeIfAbsent(at, k -> new ArrayList<>()).add(st);
    }
  }

  /** A window of the series being closed ({@link #closing}, at {@link #closingAt}) goes out. */
  private void emit(int period, long start, RollupStats stats) {
    if (stats.count == 0) {
      return;
    }
    SeriesState st = closing;
    long now = closingAt;
    SeriesInfo info = st.info;
    if (st.rollupHeadOf != info) {
      st.rollupHead = rollupWriter.head(st.seriesId, info);
      st.objectId = SeriesId.objectOf(info.namespace(), info.region(), info.dimensions());
      st.rollupHeadOf = info;
    }
    String topic = rollupTopics.computeIfAbsent(st.shard, s -> Topics.rollup(s).base());
    byte[] rollup = rollupWriter.write(st.rollupHead, info.tenant(), st.shard, period, start, stats, now);
    context.forward(new Record<>(SeriesId.key(st.seriesId), Emit.byObject(topic, st.objectId, rollup), now));
    emitted++;
    meters.emitted(period, now - (start + period * 1000L));
  }

  private void late(MetricPoint p, long minute, long grace) {
    meters.late(p.namespace());
    RecordHeaders headers = new RecordHeaders();
    headers.add(LATE_REASON_HEADER, ("window_closed: the minute from " + minute + " closed at "
        + (minute + SeriesState.MINUTE_MS + grace) + " (grace " + grace + " ms); progress was " + watermark)
        .getBytes(StandardCharsets.UTF_8));
    context.forward(new Record<>(SeriesId.key(p.seriesId()),
        Emit.byObject(Topics.METRICS_LATE.base(), SeriesId.objectOf(p.namespace(), p.region(), p.dimensions()),
            codec.encode(p)), clock.millis(), headers));
  }

  private void progress(long now) {
    int sources = shards.rawPartitions();
    if (partition >= sources || watermark <= 0) {
      return;
    }
    for (String shard : shards.shards()) {
      RollupProgress marker = RollupProgress.of(shard, partition, sources, watermark,
          Math.min(minGrace, maxGrace), maxGrace, periodsSeen, now);
      RecordHeaders headers = new RecordHeaders();
      headers.add(RollupProgress.HEADER, PROGRESS_TYPE);
      String topic = rollupTopics.computeIfAbsent(shard, s -> Topics.rollup(s).base());
      context.forward(new Record<>(RollupProgress.key(partition),
          new Emit(topic, 0, partition, codec.encode(marker)), now, headers));
    }
  }

  /** The periods of a batch as a sorted array, shared by every series with the same set. */
  private int[] periods(Set<Integer> periods) {
    if (periods.equals(lastPeriodSet)) {
      return lastPeriods;
    }
    int[] sorted = interned((periods.isEmpty() ? settings.defaultPeriods() : List.copyOf(periods)).stream()
        .mapToInt(Integer::intValue).toArray());
    for (int p : sorted) {
      periodsSeen.add(p);
    }
    lastPeriodSet = periods;
    lastPeriods = sorted;
    return sorted;
  }

  private int[] interned(int[] periods) {
    int[] sorted = periods.clone();
    Arrays.sort(sorted);
    return periodArrays.computeIfAbsent(Arrays.stream(sorted).boxed().toList(), k -> sorted);
  }

  @Override
  public void close() {
    meters.released(partition, states.size());
  }
}
