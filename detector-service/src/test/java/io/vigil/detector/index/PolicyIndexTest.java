package io.vigil.detector.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.semantics.Filter;
import io.vigil.common.semantics.FilterFunction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The index against its oracle: for random policies (every filter function, small vocabularies so
 * that matches happen), random changes and random series, it finds exactly the policies a
 * brute-force scan with common's evaluator finds. Seeded, so a failure names its seed.
 */
class PolicyIndexTest {

  static final String[] FIELDS = {"appid", "instance", "zone", "host"};
  /** Short values so that matches happen; longer ones and a surrogate pair for the four-at-a-time paths. */
  static final String[] VALUES = {"a", "b", "c", "ab", "abc", "", "abcdefgh", "abcdefghi", "x\uD83D\uDE00"};
  static final String[] METRICS = {"cpu", "mem"};

  static Filter.Compiled filter(FilterFunction f, String field, Object args) {
    return Filter.compile("filters[0]", f.name(), field, args);
  }

  static Filter.Compiled randomFilter(Random r) {
    FilterFunction f = FilterFunction.values()[r.nextInt(FilterFunction.values().length)];
    String field = FIELDS[r.nextInt(FIELDS.length)];
    return switch (f) {
      case Exists -> filter(f, field, null);
      case In, NotIn -> {
        List<String> values = new ArrayList<>();
        int n = 1 + r.nextInt(5);
        for (int i = 0; i < n; i++) {
          values.add(VALUES[r.nextInt(VALUES.length)]);
        }
        yield filter(f, field, values);
      }
      // the last is no simple pattern: the pack leaves it to java.util.regex
      case Regex, NotRegex -> filter(f, field, new String[] {"a.*", "b|c", "[a-c]", ".*", "(a|ab)c?"}[r.nextInt(5)]);
      default -> filter(f, field, VALUES[r.nextInt(VALUES.length)]);
    };
  }

  static IndexedPolicy randomPolicy(Random r, String id) {
    List<Filter.Compiled> filters = new ArrayList<>();
    int n = r.nextInt(4);
    for (int i = 0; i < n; i++) {
      filters.add(randomFilter(r));
    }
    Set<String> metrics = r.nextBoolean() ? Set.of(METRICS[r.nextInt(2)]) : Set.of(METRICS);
    return new IndexedPolicy(id, r.nextInt(5) == 0 ? "ns2" : "ns", metrics, "tenant",
        "t" + r.nextInt(3), filters);
  }

  static Map<String, String> randomSeries(Random r) {
    Map<String, String> dims = new HashMap<>();
    dims.put("tenant", "t" + r.nextInt(4)); // t3 has no policy
    for (String field : FIELDS) {
      if (r.nextInt(4) > 0) {
        dims.put(field, VALUES[r.nextInt(VALUES.length)]);
      }
    }
    if (r.nextInt(10) == 0) {
      dims.remove("tenant");
    }
    return dims;
  }

  static Set<String> ids(List<IndexedPolicy> policies) {
    return policies.stream().map(IndexedPolicy::id).collect(Collectors.toSet());
  }

  record Query(String ns, String metric, Map<String, String> dims) {}

  @Test
  void findsExactlyWhatABruteForceScanFinds() {
    for (long seed = 1; seed <= 60; seed++) {
      Random r = new Random(seed);
      Map<String, IndexedPolicy> live = new HashMap<>();
      for (int i = 0; i < 300; i++) {
        IndexedPolicy p = randomPolicy(r, "p" + i);
        live.put(p.id(), p);
      }
      // a small bound so some policies are indexed under fewer fields than they constrain; or the
      // default, so some expand past the combinations whose packs hold their filters in place
      int bound = r.nextInt(3) == 0 ? PolicyIndex.DEFAULT_MAX_EXPANSION : 1 + r.nextInt(6);
      PolicyIndex index = PolicyIndex.build(live.values(), bound);
      for (int round = 0; round < 5; round++) {
        List<Query> batch = new ArrayList<>();
        List<List<IndexedPolicy>> one = new ArrayList<>();
        for (int q = 0; q < 300; q++) {
          String ns = r.nextInt(5) == 0 ? "ns2" : "ns";
          String metric = METRICS[r.nextInt(2)];
          Map<String, String> series = randomSeries(r);
          List<IndexedPolicy> found = index.match(ns, metric, series);
          Set<String> expected = live.values().stream().filter(p -> p.matches(ns, metric, series))
              .map(IndexedPolicy::id).collect(Collectors.toSet());
          assertThat(found).as("seed %d: no policy twice", seed).doesNotHaveDuplicates();
          assertThat(ids(found)).as("seed %d, %s %s %s", seed, ns, metric, series).isEqualTo(expected);
          batch.add(new Query(ns, metric, series));
          one.add(found);
        }
        // the batch look-up finds the same, in the same order per series, across many groups
        List<List<IndexedPolicy>> together = new ArrayList<>();
        batch.forEach(q -> together.add(new ArrayList<>()));
        int[] last = {-1};
        index.matchAll(batch, Query::ns, Query::metric, Query::dims, (s, p) -> {
          assertThat(s).as("series in batch order").isGreaterThanOrEqualTo(last[0]);
          last[0] = s;
          together.get(s).add(p);
        });
        assertThat(together).as("seed %d: batch", seed).isEqualTo(one);
        // changes: some replaced, some removed, some added
        List<IndexedPolicy> upserts = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (int c = 0; c < 30; c++) {
          String id = "p" + r.nextInt(400);
          if (r.nextInt(3) == 0) {
            removed.add(id);
            upserts.removeIf(u -> u.id().equals(id));
            live.remove(id);
          } else {
            IndexedPolicy p = randomPolicy(r, id);
            upserts.removeIf(u -> u.id().equals(id));
            upserts.add(p);
            live.put(id, p);
            removed.remove(id);
          }
        }
        index = index.with(upserts, removed);
        assertThat(index.size()).isEqualTo(live.size());
      }
    }
  }

  @Test
  void aPolicyOfOneTenantFiltersNothingOfAnother() {
    IndexedPolicy p = new IndexedPolicy("p", "ns", Set.of("cpu"), "appid", "A",
        List.of(filter(FilterFunction.Equal, "appid", "B")));
    PolicyIndex index = PolicyIndex.build(List.of(p), PolicyIndex.DEFAULT_MAX_EXPANSION);
    assertThat(index.match("ns", "cpu", Map.of("appid", "B"))).isEmpty();
    assertThat(index.match("ns", "cpu", Map.of("appid", "A"))).isEmpty();
    IndexedPolicy own = new IndexedPolicy("q", "ns", Set.of("cpu"), "appid", "A",
        List.of(filter(FilterFunction.Prefix, "host", "web")));
    index = index.with(List.of(own), List.of());
    assertThat(ids(index.match("ns", "cpu", Map.of("appid", "A", "host", "web-1")))).containsExactly("q");
    assertThat(index.match("ns", "cpu", Map.of("appid", "B", "host", "web-1"))).isEmpty();
  }

  @Test
  void inListsPastTheBoundAreIndexedUnderFewerFieldsAndStillMatch() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add("ins-" + i);
    }
    List<String> zones = List.of("z1", "z2", "z3", "z4", "z5");
    IndexedPolicy p = new IndexedPolicy("p", "ns", Set.of("cpu"), "appid", "A",
        List.of(filter(FilterFunction.In, "instance", many), filter(FilterFunction.In, "zone", zones)));
    assertThat(PolicyIndex.bounded(PolicyIndex.exactValues(p), "appid", 100).keySet())
        .containsExactly("appid", "zone");
    PolicyIndex index = PolicyIndex.build(List.of(p), 100);
    assertThat(index.match("ns", "cpu", Map.of("appid", "A", "instance", "ins-999", "zone", "z5"))).hasSize(1);
    assertThat(index.match("ns", "cpu", Map.of("appid", "A", "instance", "ins-1000", "zone", "z5"))).isEmpty();
  }

  @Test
  void aPolicyOfManyCombinationsKeepsItsResidualFiltersAsReferences() {
    List<String> instances = new ArrayList<>();
    for (int i = 0; i < PolicyIndex.IN_PLACE_COMBINATIONS + 4; i++) {
      instances.add("ins-" + i);
    }
    IndexedPolicy many = new IndexedPolicy("many", "ns", Set.of("cpu"), "appid", "A",
        List.of(filter(FilterFunction.In, "instance", instances), filter(FilterFunction.Prefix, "host", "web-"),
            filter(FilterFunction.NotRegex, "zone", "z[0-4]")));
    IndexedPolicy few = new IndexedPolicy("few", "ns", Set.of("cpu"), "appid", "A",
        List.of(filter(FilterFunction.In, "instance", instances.subList(0, 2)),
            filter(FilterFunction.Prefix, "host", "db-")));
    PolicyIndex index = PolicyIndex.build(List.of(many, few), PolicyIndex.DEFAULT_MAX_EXPANSION);
    for (String instance : List.of("ins-0", "ins-19", "ins-20")) {
      for (String host : List.of("web-1", "db-1", "x")) {
        for (String zone : List.of("z1", "z9")) {
          Map<String, String> series = Map.of("appid", "A", "instance", instance, "host", host, "zone", zone);
          Set<String> expected = Set.of(many, few).stream().filter(p -> p.matches("ns", "cpu", series))
              .map(IndexedPolicy::id).collect(Collectors.toSet());
          assertThat(ids(index.match("ns", "cpu", series))).as("%s", series).isEqualTo(expected);
        }
      }
    }
    assertThat(ids(index.match("ns", "cpu", Map.of("appid", "A", "instance", "ins-19", "host", "web-2",
        "zone", "z7")))).containsExactly("many");
  }

  @Test
  void exactFiltersThatCannotMeetMatchNothing() {
    IndexedPolicy p = new IndexedPolicy("p", "ns", Set.of("cpu"), "appid", "A",
        List.of(filter(FilterFunction.Equal, "host", "a"), filter(FilterFunction.In, "host", List.of("b", "c"))));
    assertThat(PolicyIndex.exactValues(p)).isNull();
    assertThat(PolicyIndex.build(List.of(p), 10).match("ns", "cpu", Map.of("appid", "A", "host", "a"))).isEmpty();
  }
}
