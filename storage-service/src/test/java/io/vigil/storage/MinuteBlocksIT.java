package io.vigil.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.model.Rollup;
import io.vigil.common.series.SeriesId;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.storage.history.HistoryIndices;
import io.vigil.storage.history.IndexFamily;
import io.vigil.storage.query.SeriesQueries;
import io.vigil.storage.query.SeriesRequest;
import io.vigil.storage.rollup.BlockWriter;
import io.vigil.storage.rollup.MinuteBlock;
import io.vigil.storage.rollup.RollupIndices;
import io.vigil.storage.rollup.RollupTemplate;
import io.vigil.storage.history.Bulk;
import java.time.Clock;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Hour blocks of 60 s rollups, written through the service's own consumer and read by its series
 * queries: every answer equals the answer read from the minutes alone (a second {@link
 * SeriesQueries} without blocks, over the same indices), for every statistic, ranges cutting hours,
 * steps that do not divide an hour, a range starting before the data, a series with an hour without
 * data, an hour whose minutes never add up to its count (no block: read from its minutes), late
 * points and a tenant-scoped caller.
 */
@VigilServiceTest
@TestPropertySource(properties = "vigil.kafka.shards=default,big-product")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MinuteBlocksIT {

  static final String NS = "blocks/vm";
  static final long H = MinuteBlock.HOUR_MS;
  /** Four hours ending two hours ago: recent enough for any retention, the last one left open. */
  static final long T0 = MinuteBlock.hourOf(System.currentTimeMillis()) - 6 * H;

  @Autowired
  ElasticsearchClient client;

  @Autowired
  RollupIndices rollups;

  @Autowired
  HistoryIndices history;

  @Autowired
  SeriesQueries queries;

  @Autowired
  BlockWriter blocks;

  @Autowired
  MeterRegistry registry;

  final MessageCodec codec = new MessageCodec();
  final long a = SeriesId.of(NS, "local", "cpu", dims("t1", "a"));
  final long b = SeriesId.of(NS, "local", "cpu", dims("t1", "b"));
  final long c = SeriesId.of(NS, "local", "cpu", dims("t2", "c"));
  SeriesQueries minutesOnly;

  static Map<String, String> dims(String tenant, String host) {
    return Map.of("appid", tenant, "host", host);
  }

  @BeforeAll
  void data() {
    Random random = new Random(11);
    send(a, "t1", "a", random, Set.of(), Set.of(0, 1, 2), Set.of());
    send(b, "t1", "b", random, Set.of(1), Set.of(0, 2), Set.of()); // no data in hour 1: no hour rollup
    send(c, "t2", "c", random, Set.of(), Set.of(0, 1, 2), Set.of(2)); // hour 2's count never adds up
    MetricPoint late = new MetricPoint(1, a, NS, "local", "cpu", dims("t1", "a"), T0 + 30 * 60_000 + 5_000, 1000, null,
        "default", T0 + 5 * H, Set.of(60), 5_000, "t1");
    TestKafka.send("metrics.late", SeriesId.key(a), codec.encode(late));
    IndexFamily family = blocks.family();
    Awaits.until("the blocks of every hour whose minutes add up", Duration.ofSeconds(90), () -> {
      try {
        client.indices().refresh(r -> r.index(family.pattern()).ignoreUnavailable(true).allowNoIndices(true));
        return client.count(n -> n.index(family.pattern()).ignoreUnavailable(true).allowNoIndices(true)
            .query(q -> q.terms(t -> t.field("seriesId").terms(v -> v.value(List.of(
                co.elastic.clients.elasticsearch._types.FieldValue.of(a),
                co.elastic.clients.elasticsearch._types.FieldValue.of(b),
                co.elastic.clients.elasticsearch._types.FieldValue.of(c))))))).count() == 7;
      } catch (Exception e) {
        return false;
      }
    });
    minutesOnly = new SeriesQueries(client, rollups, history, new SimpleMeterRegistry(), 8, 100, 1_500_000, null, 0);
    Awaits.until("the late point", Duration.ofSeconds(60), () -> {
      try {
        return latePoint().v() == 1000.0;
      } catch (Exception e) {
        return false;
      }
    });
  }

  SeriesQueries.Point latePoint() throws Exception {
    SeriesQueries.Result r = queries.query(request("max", T0, T0 + 4 * H, 1000), Optional.of(Set.of("t1")));
    var series = r.series().stream().filter(s -> s.seriesId().equals(SeriesId.hex(a))).findFirst().orElseThrow();
    return series.points().stream().filter(p -> p.t() == T0 + 30 * 60_000).findFirst().orElseThrow();
  }

  /** Four hours of minutes (some missing, none in {@code empty}), and the hour rollups of {@code closed}. */
  void send(long id, String tenant, String host, Random random, Set<Integer> empty, Set<Integer> closed,
      Set<Integer> miscounted) {
    for (int h = 0; h < 4; h++) {
      double sum = 0;
      long count = 0;
      double min = Double.NaN;
      double max = Double.NaN;
      double last = Double.NaN;
      for (int m = 0; m < 60 && !empty.contains(h); m++) {
        if (random.nextInt(8) == 0) {
          continue;
        }
        long n = 1 + random.nextInt(4);
        double lo = random.nextInt(200) / 8.0 - 5;
        double hi = lo + random.nextInt(30);
        double s = (lo + hi) / 2 * n + random.nextInt(3);
        double l = lo + random.nextInt(30) % (hi - lo + 1);
        TestKafka.send("metrics.rollup.default", SeriesId.key(id), codec.encode(new Rollup(Rollup.SCHEMA_VERSION, id, NS,
            "local", "cpu", dims(tenant, host), "default", 60, T0 + h * H + m * 60_000L, s, n, lo, hi, l,
            T0 + h * H + m * 60_000L + 65_000, tenant)));
        sum += s;
        count += n;
        min = Double.isNaN(min) ? lo : Math.min(min, lo);
        max = Double.isNaN(max) ? hi : Math.max(max, hi);
        last = l;
      }
      if (closed.contains(h)) {
        TestKafka.send("metrics.rollup.default", SeriesId.key(id), codec.encode(new Rollup(Rollup.SCHEMA_VERSION, id, NS,
            "local", "cpu", dims(tenant, host), "default", 3600, T0 + h * H, sum,
            count + (miscounted.contains(h) ? 1 : 0), min, max, last, T0 + (h + 1) * H + 65_000, tenant)));
      }
    }
  }

  static SeriesRequest request(String stat, long from, long to, int maxPoints) {
    return new SeriesRequest(NS, "cpu", null, 60, stat, from, to, null, maxPoints, 100);
  }

  @Test
  void everyAnswerIsTheAnswerOfTheMinutes() throws Exception {
    double before = registry.get("vigil_storage_query_block_hours_total").counter().count();
    long[][] ranges = {{T0, T0 + 4 * H}, {T0 + 7 * 60_000, T0 + 3 * H + 13 * 60_000}, {T0 + 59 * 60_000,
        T0 + 2 * H + 60_000}, {T0 + H, T0 + 5 * H}, {T0 - 2 * H + 17 * 60_000, T0 + 3 * H + 60_000}};
    int compared = 0;
    for (long[] range : ranges) {
      for (String stat : List.of("avg", "sum", "count", "min", "max", "last")) {
        for (int maxPoints : new int[] {1000, 37, 7}) {
          for (Optional<Set<String>> tenants : List.of(Optional.<Set<String>>empty(), Optional.of(Set.of("t1")))) {
            SeriesRequest r = request(stat, range[0], range[1], maxPoints);
            SeriesQueries.Result withBlocks = queries.query(r, tenants);
            SeriesQueries.Result fromMinutes = minutesOnly.query(r, tenants);
            String what = stat + " " + (range[0] - T0) / 60_000 + ".." + (range[1] - T0) / 60_000 + " min, "
                + maxPoints + " points, " + tenants;
            assertThat(withBlocks.series()).as(what).hasSize(fromMinutes.series().size());
            assertThat(withBlocks.series().size()).isEqualTo(tenants.isPresent() ? 2 : 3);
            for (int s = 0; s < fromMinutes.series().size(); s++) {
              var expected = fromMinutes.series().get(s);
              var actual = withBlocks.series().get(s);
              assertThat(actual.seriesId()).isEqualTo(expected.seriesId());
              assertThat(actual.points()).as(what + " " + expected.dimensions()).hasSize(expected.points().size());
              for (int p = 0; p < expected.points().size(); p++) {
                var e = expected.points().get(p);
                var x = actual.points().get(p);
                assertThat(x.t()).as(what).isEqualTo(e.t());
                assertThat(x.v()).as(what + " at " + (e.t() - T0) / 60_000).isCloseTo(e.v(), within(1e-9 * Math.max(1,
                    Math.abs(e.v()))));
                assertThat(x.late()).as(what).isEqualTo(e.late());
              }
              compared += expected.points().size();
            }
          }
        }
      }
    }
    assertThat(compared).isGreaterThan(10_000);
    // a: hours 0-2 as blocks; b: hour 0 (hour 1 has none); c: hours 0 and 1: read wherever a range covers them
    assertThat(registry.get("vigil_storage_query_block_hours_total").counter().count() - before).isGreaterThan(100);
  }

  /**
   * A writer of its own (no timer, no settle, two attempts): an hour whose minutes it cannot read
   * (a document under an id that is not a rollup's) counts its attempts and is given up, and holds
   * up no other hour.
   */
  @Test
  void anHourThatCannotBeReadIsGivenUpAndHoldsUpNoOther() throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    BlockWriter writer = new BlockWriter(client, rollups, blocks.family(), new RollupTemplate.Settings(1, 0, "5s"),
        new BlockWriter.Settings(Duration.ZERO, Duration.ofSeconds(1), 100, 2, 250), Clock.systemUTC(), meters,
        false);
    long x = SeriesId.of(NS, "local", "mem", dims("t1", "x"));
    long y = SeriesId.of(NS, "local", "mem", dims("t1", "y"));
    long hourX = T0 - 10 * H;
    long hourY = T0 - 9 * H;
    List<Bulk.Doc> docs = new ArrayList<>();
    for (int m = 0; m < 3; m++) {
      docs.add(minute(x, hourX + m * 60_000L, RollupIndices.documentId(x, 60, hourX + m * 60_000L)));
      docs.add(minute(y, hourY + m * 60_000L, RollupIndices.documentId(y, 60, hourY + m * 60_000L)));
    }
    docs.add(minute(x, hourX + 5 * 60_000L, "not-a-rollup-id"));
    Bulk.index(client, docs, "rollup");
    client.indices().refresh(r -> r.index(rollups.indexFor(60, hourX), rollups.indexFor(60, hourY)));
    writer.hourClosed(x, hourX, 8, "t1");
    writer.hourClosed(y, hourY, 6, "t1");
    assertThat(writer.runDue(System.currentTimeMillis())).as("y's block").isEqualTo(1);
    assertThat(writer.pending()).as("x, one attempt counted").isEqualTo(1);
    assertThat(writer.runDue(System.currentTimeMillis())).isZero();
    assertThat(writer.pending()).isZero();
    assertThat(meters.get("vigil_storage_blocks_total").tag("outcome", "incomplete").counter().count()).isEqualTo(1);
    assertThat(meters.get("vigil_storage_blocks_total").tag("outcome", "failed").counter().count()).isZero();
  }

  Bulk.Doc minute(long id, long windowStartMs, String docId) {
    return new Bulk.Doc(rollups.indexFor(60, windowStartMs), docId, codec.encode(new Rollup(Rollup.SCHEMA_VERSION, id,
        NS, "local", "mem", dims("t1", id == SeriesId.of(NS, "local", "mem", dims("t1", "x")) ? "x" : "y"), "default",
        60, windowStartMs, 4, 2, 1, 3, 2, windowStartMs + 65_000, "t1")));
  }

  @Test
  void aLatePointIsStillAddedToItsStepAndMarked() throws Exception {
    assertThat(latePoint().late()).isTrue();
  }
}
