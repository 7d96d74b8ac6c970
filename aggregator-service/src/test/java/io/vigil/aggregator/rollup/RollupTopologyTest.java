package io.vigil.aggregator.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.kafka.ConsumerMeters;
import io.vigil.common.kafka.KafkaNaming;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.kafka.Topics;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.model.Rollup;
import io.vigil.common.model.RollupProgress;
import io.vigil.common.points.PointBatch;
import io.vigil.common.points.PointBatchCodec;
import io.vigil.common.series.SeriesId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The window logic of {@link RollupProcessor}, record by record, on a clock of the test's (the driver's
 * wall clock and the processor's move together): boundaries, every period against a brute-force
 * computation, grace and late points, retries, and when windows close (a future-stamped point, an idle
 * partition, a replayed backlog). Exactly-once across crashes is {@code RollupExactlyOnceIT}'s.
 */
class RollupTopologyTest {

  static final long GRACE = 20_000;
  /** 2026-11-26T00:00:00Z: a day boundary, so every period's window starts here. */
  static final long DAY = 1_795_651_200_000L;
  static final Set<Integer> ALL = Set.of(60, 300, 900, 3600, 86400);

  final MessageCodec codec = new MessageCodec();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  TestClock clock;
  boolean fold = true;
  TopologyTestDriver driver;
  TestInputTopic<String, byte[]> raw;
  TestOutputTopic<String, byte[]> rollups;
  TestOutputTopic<String, byte[]> late;

  static final class TestClock extends Clock {
    long now;

    TestClock(long now) {
      this.now = now;
    }

    @Override
    public long millis() {
      return now;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @BeforeEach
  void start() {
    start(DAY);
  }

  void start(long at) {
    clock = new TestClock(at);
    KafkaNaming naming = new KafkaNaming("", "aggregator");
    StreamsBuilder builder = new StreamsBuilder();
    RollupTopology.buildTopology(builder, naming, new ConsumerMeters(registry, "metrics.raw"), clock,
        settings(), new RollupMeters(registry, clock), new RollupShards() {
          @Override
          public Set<String> shards() {
            return Set.of("default");
          }

          @Override
          public int rawPartitions() {
            return 1;
          }
        }, PartitionLag.CAUGHT_UP, codec);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "rollup-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    driver = new TopologyTestDriver(builder.build(), props, Instant.ofEpochMilli(at));
    raw = driver.createInputTopic("metrics.raw", new StringSerializer(), new ByteArraySerializer());
    rollups = driver.createOutputTopic(Topics.rollup("default").base(), new StringDeserializer(),
        new ByteArrayDeserializer());
    late = driver.createOutputTopic("metrics.late", new StringDeserializer(), new ByteArrayDeserializer());
  }

  RollupSettings settings() {
    RollupSettings d = RollupSettings.defaults();
    return new RollupSettings(d.defaultGrace(), d.idleAfter(), d.forgetAfter(), d.tick(), d.progressInterval(),
        d.defaultPeriods(), d.persistentStore(), d.storeCacheBytes(), fold, d.liveLag(), d.liveCommitInterval());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  // ------------------------------------------------------------------ helpers

  /** Moves the processor's clock and the driver's wall clock (firing punctuations) to {@code atMs}. */
  void wallTo(long atMs) {
    long by = atMs - clock.now;
    if (by > 0) {
      // in steps, so each tick of the punctuator sees the clock it would have seen
      while (clock.now < atMs) {
        long left = atMs - clock.now;
        long step = left > 120_000 ? 60_000 : left > 10_000 ? 5_000 : Math.min(250, left);
        clock.now += step;
        driver.advanceWallClockTime(Duration.ofMillis(step));
      }
    }
  }

  static MetricPoint point(String instance, long ts, double value) {
    return point("cpu", instance, ts, value);
  }

  static MetricPoint point(String metric, String instance, long ts, double value) {
    Map<String, String> dims = Map.of("appid", "1", "instance", instance);
    return new MetricPoint(MetricPoint.SCHEMA_VERSION, SeriesId.of("acme/vm", "local", metric, dims), "acme/vm", "local",
        metric, dims, ts, value, "percent", "default", 0, ALL, GRACE, "1");
  }

  /** A batch the gateway accepted at {@code receivedAtMs}, processed with the clock there. */
  void send(long receivedAtMs, Set<Integer> periods, MetricPoint... points) {
    send(receivedAtMs, periods, GRACE, points);
  }

  /** A batch of a namespace whose grace is {@code graceMs}. */
  void send(long receivedAtMs, Set<Integer> periods, long graceMs, MetricPoint... points) {
    wallTo(Math.max(clock.now, receivedAtMs));
    PointBatch batch = new PointBatch(receivedAtMs, "acme/vm", "local", "default", periods, graceMs, List.of(points));
    raw.pipeInput(new TestRecord<>(null, PointBatchCodec.encode(batch), Instant.ofEpochMilli(receivedAtMs)));
  }

  void send(long receivedAtMs, MetricPoint... points) {
    send(receivedAtMs, ALL, points);
  }

  /** The rollups emitted so far (progress markers set aside into {@link #markers}). */
  List<Rollup> drain() {
    List<Rollup> out = new ArrayList<>();
    for (TestRecord<String, byte[]> r : rollups.readRecordsToList()) {
      if (Topics.isProgressMarker(r.headers())) {
        markers.add(codec.decode(r.value(), RollupProgress.class));
        markerAfterRollups.add(out.size());
      } else {
        out.add(codec.decode(r.value(), Rollup.class));
      }
    }
    return out;
  }

  final List<RollupProgress> markers = new ArrayList<>();
  final List<Integer> markerAfterRollups = new ArrayList<>();

  static List<Rollup> ofInstance(List<Rollup> rollups, String instance) {
    return rollups.stream().filter(r -> instance.equals(r.dimensions().get("instance"))).toList();
  }

  static Rollup only(List<Rollup> rollups, int period, long start) {
    List<Rollup> found = rollups.stream().filter(r -> r.periodSeconds() == period && r.windowStartMs() == start)
        .toList();
    assertThat(found).as("one rollup of %d s from %d", period, start).hasSize(1);
    return found.get(0);
  }

  double counter(String name, String tag, String value) {
    var c = registry.find(name).tag(tag, value).counter();
    return c == null ? 0 : c.count();
  }

  // ------------------------------------------------------------------ tests

  @Test
  void aPointExactlyOnABoundaryOpensTheNextWindowAndTheWindowClosesAtEndPlusGrace() {
    send(DAY + 1_000, point("a", DAY - 1, 1), point("a", DAY, 2), point("a", DAY + 59_999, 3));
    send(DAY + 60_000 + 500, point("a", DAY + 60_000, 4));
    // the window [DAY, DAY+60s) closes when progress reaches its end + 20 s grace, not before
    send(DAY + 60_000 + GRACE - 1, point("b", DAY + 60_000 + GRACE - 2, 0));
    List<Rollup> out = new ArrayList<>(drain());
    assertThat(out.stream().filter(r -> r.periodSeconds() == 60 && r.windowStartMs() == DAY)).isEmpty();
    send(DAY + 60_000 + GRACE, point("b", DAY + 60_000 + GRACE - 1, 0));
    out.addAll(drain());
    Rollup first = only(out, 60, DAY);
    assertThat(first.count()).isEqualTo(2);
    assertThat(first.sum()).isEqualTo(5);
    assertThat(first.min()).isEqualTo(2);
    assertThat(first.max()).isEqualTo(3);
    assertThat(first.last()).isEqualTo(3);
    Rollup before = only(out, 60, DAY - 60_000);
    assertThat(before.count()).isEqualTo(1);
    assertThat(before.last()).isEqualTo(1);
    assertThat(first.emittedAtMs()).isEqualTo(DAY + 60_000 + GRACE);
    assertThat(first.dimensions()).containsEntry("instance", "a");
    assertThat(first.tenant()).isEqualTo("1");
    assertThat(registry.find("vigil.rollup.close.delay").tag("period", "60").timer().count()).isGreaterThan(0);
  }

  @Test
  void aSeriesReportingEvery10sForAnHourGivesExactly60And12And4And1RollupsEqualToBruteForce() {
    Random random = new Random(42);
    List<MetricPoint> points = new ArrayList<>();
    for (long t = DAY; t < DAY + 3_600_000; t += 10_000) {
      points.add(point("h", t, Math.round(random.nextGaussian() * 1000) / 10.0));
    }
    for (MetricPoint p : points) {
      send(p.timestampMs() + 50, p);
    }
    wallTo(DAY + 3_600_000 + GRACE + 5_000); // the partition goes idle: its windows close by the clock
    List<Rollup> out = drain();
    Map<Integer, Long> perPeriod = new TreeMap<>();
    out.forEach(r -> perPeriod.merge(r.periodSeconds(), 1L, Long::sum));
    assertThat(perPeriod).containsEntry(60, 60L).containsEntry(300, 12L).containsEntry(900, 4L)
        .containsEntry(3600, 1L).doesNotContainKey(86400);
    assertThat(out).allSatisfy(r -> assertThat(r).isEqualTo(bruteForce(points, r)));
  }

  /** Both ways of computing the longer periods (folded from minutes, the default, or point by point). */
  @Test
  void randomStreamsOverAllFivePeriodsEqualAPlainInMemoryComputation() {
    for (int run = 0; run < 20; run++) {
      fold = run % 2 == 0;
      stop();
      start(DAY);
      Random random = new Random(run);
      List<MetricPoint> sent = new ArrayList<>();
      long ts = DAY;
      String[] instances = {"x", "y", "z"};
      while (ts < DAY + 2 * 3_600_000) {
        ts += random.nextInt(40_000);
        if (random.nextInt(20) == 0) {
          ts += random.nextInt(600_000); // gaps of minutes
        }
        // out of order within the grace, ties in time across series
        long stamp = ts - random.nextInt((int) GRACE / 2);
        MetricPoint p = point(instances[random.nextInt(3)], stamp, random.nextInt(2000) - 1000);
        send(Math.max(clock.now, ts), p);
        sent.add(p);
      }
      wallTo(DAY + 86_400_000 + GRACE + 10_000); // closes every window, the day's too
      List<Rollup> out = drain();
      assertThat(late.readRecordsToList()).as("run %d: nothing late", run).isEmpty();
      Map<String, Rollup> expected = new HashMap<>();
      for (MetricPoint p : sent) {
        for (int period : ALL) {
          long start = Math.floorDiv(p.timestampMs(), period * 1000L) * period * 1000L;
          expected.putIfAbsent(p.seriesId() + "/" + period + "/" + start,
              bruteForce(sent, p.seriesId(), period, start));
        }
      }
      Map<String, Rollup> actual = new HashMap<>();
      for (Rollup r : out) {
        assertThat(actual.put(r.seriesId() + "/" + r.periodSeconds() + "/" + r.windowStartMs(), r))
            .as("run %d: one rollup per series and window", run).isNull();
      }
      assertThat(actual).as("run %d", run).hasSameSizeAs(expected);
      for (var e : expected.entrySet()) {
        Rollup got = actual.get(e.getKey());
        assertThat(got).as("run %d %s", run, e.getKey()).isNotNull();
        assertThat(got).as("run %d %s", run, e.getKey()).isEqualTo(bruteForce(sent, got));
      }
    }
  }

  /** What the rollup of {@code like}'s series and window must be, computed plainly from the points. */
  Rollup bruteForce(List<MetricPoint> points, Rollup like) {
    Rollup r = bruteForce(points, like.seriesId(), like.periodSeconds(), like.windowStartMs());
    return new Rollup(r.schemaVersion(), r.seriesId(), r.namespace(), r.region(), r.metric(), r.dimensions(), r.shard(),
        r.periodSeconds(), r.windowStartMs(), r.sum(), r.count(), r.min(), r.max(), r.last(), like.emittedAtMs(),
        r.tenant());
  }

  Rollup bruteForce(List<MetricPoint> points, long seriesId, int period, long start) {
    java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
    long count = 0;
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    MetricPoint last = null;
    MetricPoint any = null;
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (MetricPoint p : points) {
      if (p.seriesId() != seriesId || p.timestampMs() < start || p.timestampMs() >= start + period * 1000L
          || !seen.add(p.timestampMs())) {
        continue;
      }
      any = p;
      sum = sum.add(new java.math.BigDecimal(p.value()));
      count++;
      min = Math.min(min, p.value());
      max = Math.max(max, p.value());
      if (last == null || p.timestampMs() >= last.timestampMs()) {
        last = p;
      }
    }
    return new Rollup(Rollup.SCHEMA_VERSION, seriesId, any.namespace(), any.region(), any.metric(), any.dimensions(),
        "default", period, start, sum.doubleValue(), count, min, max, last.value(), 0, any.tenant());
  }

  @Test
  void outOfOrderPointsWithinGraceCountAndLaterOnesGoToTheLateTopicWithTheReason() {
    send(DAY + 30_000, point("a", DAY + 30_000, 1));
    send(DAY + 65_000, point("a", DAY + 50_000, 2)); // 15 s after its minute ended: within 20 s grace
    send(DAY + 81_000, point("b", DAY + 81_000, 0)); // progress passes DAY+80 s: the minute closes
    send(DAY + 82_000, point("a", DAY + 40_000, 99)); // its minute closed: late
    List<Rollup> out = drain();
    Rollup minute = only(out, 60, DAY);
    assertThat(minute.count()).isEqualTo(2);
    assertThat(minute.last()).as("the largest timestamp, not the last to arrive").isEqualTo(2);
    List<TestRecord<String, byte[]>> lateRecords = late.readRecordsToList();
    assertThat(lateRecords).hasSize(1);
    MetricPoint latePoint = codec.decode(lateRecords.get(0).value(), MetricPoint.class);
    assertThat(latePoint.value()).isEqualTo(99);
    assertThat(lateRecords.get(0).key()).isEqualTo(SeriesId.key(latePoint.seriesId()));
    assertThat(new String(lateRecords.get(0).headers().lastHeader(RollupProcessor.LATE_REASON_HEADER).value()))
        .startsWith("window_closed");
    assertThat(counter("vigil.points.late", "namespace", "acme/vm")).isEqualTo(1);
    // the late point is in no later window either: the 5-minute window holds the two on-time points
    wallTo(DAY + 300_000 + GRACE + 5_000);
    assertThat(only(ofInstance(drain(), "a"), 300, DAY).count()).isEqualTo(2);
  }

  @Test
  void aRetriedPointIsCountedOnceAndTheDuplicateIsCounted() {
    MetricPoint p = point("a", DAY + 10_000, 5);
    send(DAY + 10_100, p, point("a", DAY + 20_000, 7));
    send(DAY + 10_200, p); // the sender's retry of the first
    wallTo(DAY + 60_000 + GRACE + 5_000);
    Rollup minute = only(drain(), 60, DAY);
    assertThat(minute.count()).isEqualTo(2);
    assertThat(minute.sum()).isEqualTo(12);
    assertThat(counter("vigil.points.duplicate", "namespace", "acme/vm")).isEqualTo(1);
  }

  @Test
  void aPointStampedFiveMinutesAheadMakesNoOtherSeriesLate() {
    send(DAY + 10_000, point("a", DAY + 10_000, 1));
    send(DAY + 11_000, point("future", DAY + 11_000 + 300_000, 1));
    send(DAY + 12_000, point("a", DAY + 12_000, 2));
    send(DAY + 50_000, point("a", DAY + 50_000, 3));
    assertThat(late.readRecordsToList()).isEmpty();
    send(DAY + 60_000 + GRACE, point("a", DAY + 60_000 + GRACE, 4));
    List<Rollup> out = drain();
    assertThat(only(out, 60, DAY).count()).isEqualTo(3);
    // the future point's own window closes only when the partition's progress gets there
    assertThat(ofInstance(out, "future")).isEmpty();
  }

  @Test
  void aSeriesOnAnIdlePartitionGetsItsRollupWithinGracePlusABoundedDelay() {
    send(DAY + 5_000, point("lonely", DAY + 5_000, 42));
    wallTo(DAY + 60_000 + GRACE - 1);
    assertThat(drain()).as("not before end + grace").isEmpty();
    long bound = RollupSettings.defaults().idleAfter().plus(RollupSettings.defaults().tick()).toMillis();
    wallTo(DAY + 60_000 + GRACE + bound);
    Rollup minute = only(drain(), 60, DAY);
    assertThat(minute.emittedAtMs() - (DAY + 60_000)).isBetween(GRACE, GRACE + bound);
  }

  @Test
  void aBacklogReplayedAfterAnOutageIsRolledUpNotMadeLate() {
    // the aggregator was down for an hour: the gateway accepted these then, they are read now
    long now = DAY + 3 * 3_600_000;
    stop();
    start(now); // the aggregator comes back: it starts now, and finds the hour it missed waiting
    for (long t = DAY; t < DAY + 600_000; t += 5_000) {
      raw.pipeInput(new TestRecord<>(null, PointBatchCodec.encode(new PointBatch(t + 100, "acme/vm", "local", "default",
          ALL, GRACE, List.of(point("backlog", t, 1)))), Instant.ofEpochMilli(t + 100)));
    }
    assertThat(late.readRecordsToList()).isEmpty();
    List<Rollup> out = drain();
    // every minute that closed by the backlog's own progress is out, with all its points
    assertThat(out.stream().filter(r -> r.periodSeconds() == 60)).hasSizeGreaterThanOrEqualTo(9)
        .allSatisfy(r -> assertThat(r.count()).isEqualTo(12));
  }

  @Test
  void onlyThePeriodsTheNamespaceAsksForAreEmittedAndLongerOnesFoldFromMinutes() {
    for (long t = DAY; t < DAY + 600_000; t += 15_000) {
      send(t + 10, Set.of(300), point("p", t, t % 7));
    }
    wallTo(DAY + 600_000 + GRACE + 5_000);
    List<Rollup> out = drain();
    assertThat(out).extracting(Rollup::periodSeconds).containsOnly(300);
    assertThat(out).hasSize(2);
    assertThat(only(out, 300, DAY).count()).isEqualTo(20);
  }

  @Test
  void progressMarkersFollowTheRollupsTheyVouchFor() {
    send(DAY + 5_000, point("m", DAY + 5_000, 1));
    wallTo(DAY + 60_000 + GRACE + 10_000);
    List<Rollup> out = drain();
    assertThat(markers).isNotEmpty();
    RollupProgress lastMarker = markers.get(markers.size() - 1);
    assertThat(lastMarker.shard()).isEqualTo("default");
    assertThat(lastMarker.sourcePartition()).isZero();
    long closed60 = lastMarker.closedThroughMs().get(60);
    assertThat(closed60).isGreaterThanOrEqualTo(DAY + 60_000);
    // the marker that first said the minute was closed came after the minute's rollup
    int first = 0;
    while (markers.get(first).closedThroughMs().get(60) < DAY + 60_000) {
      first++;
    }
    assertThat(markerAfterRollups.get(first)).isGreaterThanOrEqualTo(
        out.indexOf(only(out, 60, DAY)) + 1);
  }

  @Test
  void aMarkerBoundsTheWindowsSentBeforeItByItsSmallestGrace() {
    long small = 2_000; // another namespace's grace on the same partition: its minute closes 18 s sooner
    send(DAY + 5_000, ALL, small, point("fast", DAY + 5_000, 1));
    send(DAY + 5_000, point("slow", DAY + 5_000, 1));
    wallTo(DAY + 60_000 + small + 6_000);
    List<Rollup> out = drain();
    assertThat(ofInstance(out, "fast")).extracting(Rollup::periodSeconds).containsExactly(60);
    assertThat(ofInstance(out, "slow")).isEmpty();
    RollupProgress last = markers.get(markers.size() - 1);
    assertThat(last.graceMs()).isEqualTo(GRACE);
    assertThat(last.minGraceMs()).isEqualTo(small);
    assertThat(last.closedThroughMs().get(60)).as("the closes wait for the largest grace").isEqualTo(DAY);
    assertThat(last.sentThrough(60)).as("a minute's rollup may be out before they vouch for it")
        .isEqualTo(DAY + 60_000);
    // every rollup before a marker is of a window ending by that marker's bound
    for (int i = 0; i < markers.size(); i++) {
      RollupProgress m = markers.get(i);
      for (Rollup r : out.subList(0, markerAfterRollups.get(i))) {
        assertThat(r.windowStartMs() + r.periodSeconds() * 1000L).isLessThanOrEqualTo(m.sentThrough(r.periodSeconds()));
      }
    }
  }

  @Test
  void aSeriesIsWrittenOncePerCommitItTookPointsInAndClosingWritesNothing() {
    TestOutputTopic<Long, byte[]> series = driver.createOutputTopic("rollup-test-rollup-series-changelog",
        new LongDeserializer(), new ByteArrayDeserializer());
    TestOutputTopic<Long, byte[]> longer = driver.createOutputTopic("rollup-test-rollup-longer-changelog",
        new LongDeserializer(), new ByteArrayDeserializer());
    // the driver commits after every record: one record of five points of two series is two writes
    send(DAY + 1_000, point("a", DAY, 1), point("a", DAY + 10_000, 2), point("a", DAY + 20_000, 3),
        point("b", DAY, 4), point("b", DAY + 10_000, 5));
    assertThat(series.readRecordsToList()).hasSize(2);
    assertThat(driver.getKeyValueStore(RollupProcessor.SERIES_STORE).approximateNumEntries()).isEqualTo(2);
    // both minutes close (b's point keeps the partition's progress moving): a's close writes nothing
    send(DAY + 60_000 + GRACE + 1, point("b", DAY + 60_000 + GRACE, 6));
    assertThat(only(ofInstance(drain(), "a"), 60, DAY).count()).isEqualTo(3);
    assertThat(series.readRecordsToList()).extracting(TestRecord::key)
        .containsExactly(point("b", DAY, 0).seriesId());
    assertThat(longer.readRecordsToList()).extracting(TestRecord::key)
        .containsExactly(point("b", DAY, 0).seriesId());
    // a's next point writes a and the longer windows its close folded into
    send(DAY + 60_000 + GRACE + 2, point("a", DAY + 60_000 + GRACE, 7));
    assertThat(series.readRecordsToList()).hasSize(1);
    assertThat(longer.readRecordsToList()).hasSize(1);
  }
}
