package io.vigil.detector.index;

import io.vigil.common.semantics.Filter;
import io.vigil.common.semantics.FilterFunction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The policies of a shard, indexed so that finding the policies a rollup's series matches does not
 * grow with the number of policies (the seed's "taghash").
 *
 * <p>A policy's exact constraints, its tenant and its {@code Equal} and {@code In} filters, are
 * expanded into every combination of values they allow and hashed under the set of fields they
 * constrain (its field-set), per namespace and metric. A series is looked up once per field-set its
 * metric has whose fields it carries (a slot keeps one 64-bit hash of its values and 32 bits of a
 * second, independent one, so only a collision of those 96 bits, about one in 2^96, could make a
 * false match; the build refuses one);
 * each policy found is then checked with the filters its key does not settle (common's
 * evaluator: NotEqual, NotIn, Regex, NotRegex, Prefix, Contains, Exists, and the exact filters of
 * fields it is not indexed under). Most policies of a shard are settled by the key alone. A policy whose exact combinations would pass {@code
 * maxExpansion} is indexed under fewer of its fields (its tenant always, then its smallest value
 * sets while the product stays under the bound): it is looked at by more series, never missed.
 * Filters whose exact values cannot meet (Equal a and In [b, c] on one field) match nothing: such a
 * policy is not indexed at all.
 *
 * <p>Immutable: a change builds a new index ({@link #with}) that shares every untouched metric's
 * part, and the detector swaps it in atomically; matching takes no lock.
 */
public final class PolicyIndex {

  /** Combinations one policy may expand to before it is indexed under fewer fields. */
  public static final int DEFAULT_MAX_EXPANSION = 4096;

  /** A namespace and one of its metrics: what a policy's part of the index is built per. */
  private record MetricKey(String namespace, String metric) {}

  private final Map<MetricKey, MetricIndex> byMetric;
  /** The same parts by namespace, then metric: the match builds no key (it would hash a new string). */
  private final Map<String, Map<String, MetricIndex>> lookup;
  private final Map<String, IndexedPolicy> byId;
  private final int maxExpansion;

  private PolicyIndex(Map<MetricKey, MetricIndex> byMetric, Map<String, IndexedPolicy> byId, int maxExpansion) {
    this.byMetric = byMetric;
    this.byId = byId;
    this.maxExpansion = maxExpansion;
    Map<String, Map<String, MetricIndex>> lookup = new HashMap<>();
    byMetric.forEach((k, index) -> lookup.computeIfAbsent(k.namespace(), n -> new HashMap<>()).put(k.metric(), index));
    this.lookup = lookup;
  }

  public static PolicyIndex build(Collection<IndexedPolicy> policies, int maxExpansion) {
    if (maxExpansion < 1) {
      throw new IllegalArgumentException("maxExpansion must be positive: " + maxExpansion);
    }
    Map<String, IndexedPolicy> byId = new HashMap<>(policies.size() * 2);
    for (IndexedPolicy p : policies) {
      byId.put(p.id(), p);
    }
    Map<MetricKey, List<IndexedPolicy>> grouped = new HashMap<>();
    for (IndexedPolicy p : byId.values()) {
      for (String metric : p.metrics()) {
        grouped.computeIfAbsent(metricKey(p.namespace(), metric), k -> new ArrayList<>()).add(p);
      }
    }
    Map<MetricKey, MetricIndex> byMetric = new HashMap<>(grouped.size() * 2);
    Map<Filter.Compiled, Filter.Compiled> shared = new HashMap<>();
    grouped.forEach((key, list) -> byMetric.put(key, MetricIndex.of(list, maxExpansion, shared)));
    return new PolicyIndex(byMetric, byId, maxExpansion);
  }

  /**
   * This index with these policies added or replaced (by id) and these removed: only the metrics the
   * old and new versions read are built again.
   */
  public PolicyIndex with(Collection<IndexedPolicy> upserts, Collection<String> removedIds) {
    Map<String, IndexedPolicy> ids = new HashMap<>(byId);
    Set<MetricKey> touched = new LinkedHashSet<>();
    for (String id : removedIds) {
      IndexedPolicy old = ids.remove(id);
      if (old != null) {
        old.metrics().forEach(m -> touched.add(metricKey(old.namespace(), m)));
      }
    }
    for (IndexedPolicy p : upserts) {
      IndexedPolicy old = ids.put(p.id(), p);
      if (old != null) {
        old.metrics().forEach(m -> touched.add(metricKey(old.namespace(), m)));
      }
      p.metrics().forEach(m -> touched.add(metricKey(p.namespace(), m)));
    }
    if (touched.isEmpty()) {
      return new PolicyIndex(byMetric, ids, maxExpansion);
    }
    Map<MetricKey, List<IndexedPolicy>> regrouped = new HashMap<>();
    touched.forEach(k -> regrouped.put(k, new ArrayList<>()));
    for (IndexedPolicy p : ids.values()) {
      for (String metric : p.metrics()) {
        List<IndexedPolicy> list = regrouped.get(metricKey(p.namespace(), metric));
        if (list != null) {
          list.add(p);
        }
      }
    }
    Map<MetricKey, MetricIndex> metrics = new HashMap<>(byMetric);
    Map<Filter.Compiled, Filter.Compiled> shared = new HashMap<>();
    regrouped.forEach((key, list) -> {
      if (list.isEmpty()) {
        metrics.remove(key);
      } else {
        metrics.put(key, MetricIndex.of(list, maxExpansion, shared));
      }
    });
    return new PolicyIndex(metrics, ids, maxExpansion);
  }

  /** Hands every policy that matches this series to {@code found}, each once. */
  public void match(String namespace, String metric, Map<String, String> dimensions, Consumer<IndexedPolicy> found) {
    Map<String, MetricIndex> ofNamespace = lookup.get(namespace);
    MetricIndex index = ofNamespace == null ? null : ofNamespace.get(metric);
    if (index != null) {
      index.match(dimensions, found);
    }
  }

  /** Receives the matches of a batch: the series' place in the batch and a policy it matches. */
  @FunctionalInterface
  public interface BatchMatches {
    void found(int series, IndexedPolicy policy);
  }

  /** Series looked up together: enough for their cache misses to overlap, few enough to stay in cache. */
  static final int GROUP = 32;

  /**
   * Hands every policy each series of a batch matches to {@code found}: the same matches, in the same
   * order per series, as {@link #match} on each in turn, with the series in batch order. Faster on a
   * large index: the look-ups of a group of series are hashed first and their table slots read
   * together, so their cache misses overlap instead of following one another.
   */
  public <T> void matchAll(List<T> batch, Function<? super T, String> namespace, Function<? super T, String> metric,
      Function<? super T, Map<String, String>> dimensions, BatchMatches found) {
    Probes probes = new Probes();
    for (int from = 0; from < batch.size(); from += GROUP) {
      int to = Math.min(batch.size(), from + GROUP);
      probes.size = 0;
      // first each series' part of the index and the values it will read: the series' maps and
      // strings are as cold as the table, and a small loop lets their misses overlap
      long touched = 0;
      for (int i = from; i < to; i++) {
        T t = batch.get(i);
        Map<String, MetricIndex> ofNamespace = lookup.get(namespace.apply(t));
        MetricIndex index = ofNamespace == null ? null : ofNamespace.get(metric.apply(t));
        Map<String, String> dims = index == null ? null : dimensions.apply(t);
        probes.groupIndexes[i - from] = index;
        probes.groupDimensions[i - from] = dims;
        if (index != null) {
          touched += index.touch(dims);
        }
      }
      probes.touched += touched;
      for (int i = from; i < to; i++) {
        MetricIndex index = probes.groupIndexes[i - from];
        if (index != null) {
          index.probe(i, probes.groupDimensions[i - from], probes);
        }
      }
      probes.resolve();
      for (int p = 0; p < probes.size; p++) {
        Object entry = probes.entries[p];
        int series = probes.series[p];
        if (entry instanceof IndexedPolicy policy) {
          found.found(series, policy);
        } else if (entry != null) {
          ((Bucket) entry).match(probes.dimensions[p], series, found);
        }
      }
    }
    readAhead = probes.touched;
  }

  /** The look-ups of a group of series, from hashing to their table entries. */
  private static final class Probes {
    final MetricIndex[] groupIndexes = new MetricIndex[GROUP];
    @SuppressWarnings("unchecked")
    final Map<String, String>[] groupDimensions = new Map[GROUP];
    /** Kept so the reads ahead are not optimised away. */
    long touched;
    int size;
    int[] series = new int[GROUP * 2];
    @SuppressWarnings("unchecked")
    LongTable<Object>[] tables = new LongTable[GROUP * 2];
    long[] hashes = new long[GROUP * 2];
    long[] checks = new long[GROUP * 2];
    @SuppressWarnings("unchecked")
    Map<String, String>[] dimensions = new Map[GROUP * 2];
    Object[] entries = new Object[GROUP * 2];
    boolean[] occupied = new boolean[GROUP * 2];
    /** Scratch for one series' value hashes and keys. */
    boolean[] present = new boolean[8];
    long[] valueHashes = new long[16];
    final long[] key = new long[2];

    void add(int s, LongTable<Object> table, long hash, long check, Map<String, String> dims) {
      if (size == series.length) {
        int n = size * 2;
        series = java.util.Arrays.copyOf(series, n);
        tables = java.util.Arrays.copyOf(tables, n);
        hashes = java.util.Arrays.copyOf(hashes, n);
        checks = java.util.Arrays.copyOf(checks, n);
        dimensions = java.util.Arrays.copyOf(dimensions, n);
        entries = java.util.Arrays.copyOf(entries, n);
        occupied = java.util.Arrays.copyOf(occupied, n);
      }
      series[size] = s;
      tables[size] = table;
      hashes[size] = hash;
      checks[size] = check;
      dimensions[size] = dims;
      size++;
    }

    /** Reads every probe's slot ahead (the misses overlap), then looks each up for real. */
    void resolve() {
      for (int p = 0; p < size; p++) {
        occupied[p] = tables[p].peek(tables[p].slot(hashes[p]));
      }
      for (int p = 0; p < size; p++) {
        entries[p] = occupied[p] ? tables[p].get(hashes[p], checks[p]) : null;
      }
      long touched = 0;
      for (int p = 0; p < size; p++) {
        // touch each bucket, so it is in cache when it is matched
        if (entries[p] instanceof Bucket b) {
          touched += b.touchArrays();
        }
      }
      for (int p = 0; p < size; p++) {
        // and its filters: most are shared and hot, but a tenant's own patterns are not
        if (entries[p] instanceof Bucket b) {
          touched += b.touchFilters();
        }
      }
      for (int p = 0; p < size; p++) {
        if (entries[p] instanceof Bucket b) {
          touched += b.warmFilters();
        }
      }
      this.touched += touched;
    }
  }

  /**
   * Where each batch leaves the sum of what its passes read ahead, so that the compiler cannot drop
   * those reads as unused (a plain static: it only has to be written).
   */
  @SuppressWarnings("unused")
  private static long readAhead;

  /** The policies that match this series (for tests and explain; the hot path uses the consumer). */
  public List<IndexedPolicy> match(String namespace, String metric, Map<String, String> dimensions) {
    List<IndexedPolicy> out = new ArrayList<>();
    match(namespace, metric, dimensions, out::add);
    return out;
  }

  public int size() {
    return byId.size();
  }

  private static MetricKey metricKey(String namespace, String metric) {
    return new MetricKey(namespace, metric);
  }

  /**
   * The policies under one combination of values of a field-set when there is more than one, or one
   * with filters its key does not settle (a lone settled policy is stored in the table itself): the
   * policies in one array and all their unsettled filters in another, policy {@code i}'s being
   * {@code filters[ends[i - 1] .. ends[i])}, so checking a bucket touches three arrays whatever its
   * size, and never a policy (they are handed on, not read). Its filters are shared with every other
   * bucket that has them (one instance per distinct filter of a build), so the common ones stay in
   * cache.
   */
  private static final class Bucket {
    final IndexedPolicy[] policies;
    final Filter.Compiled[] filters; // null when the key settles every policy
    final int[] ends;

    Bucket(IndexedPolicy[] policies, Filter.Compiled[] filters, int[] ends) {
      this.policies = policies;
      this.filters = filters;
      this.ends = ends;
    }

    /**
     * Hands the bucket's policies this series passes to {@code found}, under the series' place in
     * its batch (a capturing lambda per bucket here was a fifth of the batch match's samples).
     */
    void match(Map<String, String> dimensions, int series, BatchMatches found) {
      if (filters == null) {
        for (IndexedPolicy p : policies) {
          found.found(series, p);
        }
        return;
      }
      int from = 0;
      for (int i = 0; i < policies.length; i++) {
        int to = ends[i];
        boolean pass = true;
        for (int f = from; f < to && pass; f++) {
          pass = filters[f].test(dimensions);
        }
        if (pass) {
          found.found(series, policies[i]);
        }
        from = to;
      }
    }

    /** Reads the bucket's arrays, so that they are in cache when it is matched; the sum means nothing. */
    long touchArrays() {
      return policies.length + (filters == null ? 0 : filters.length + ends.length);
    }

    /** Reads the bucket's filters themselves, for the same reason. */
    long touchFilters() {
      long n = 0;
      if (filters != null) {
        for (Filter.Compiled f : filters) {
          n += f.filter() == null ? 0 : 1;
        }
      }
      return n;
    }

    /** Then what their tests read beyond them (a pattern's program). */
    long warmFilters() {
      long n = 0;
      if (filters != null) {
        for (Filter.Compiled f : filters) {
          n += f.warm();
        }
      }
      return n;
    }
  }

  private static final Filter.Compiled[] SETTLED = new Filter.Compiled[0];

  /** A bucket while it is built. */
  private static final class Members {
    final List<IndexedPolicy> policies = new ArrayList<>(2);
    final List<Filter.Compiled[]> residual = new ArrayList<>(2);

    void add(IndexedPolicy p, Filter.Compiled[] filters) {
      policies.add(p);
      residual.add(filters);
    }

    /** What the table holds: the policy itself when it is alone and settled, else a bucket. */
    Object entry() {
      int total = 0;
      for (Filter.Compiled[] r : residual) {
        total += r.length;
      }
      if (total == 0 && policies.size() == 1) {
        return policies.get(0);
      }
      IndexedPolicy[] ps = policies.toArray(IndexedPolicy[]::new);
      if (total == 0) {
        return new Bucket(ps, null, null);
      }
      Filter.Compiled[] filters = new Filter.Compiled[total];
      int[] ends = new int[ps.length];
      int at = 0;
      for (int i = 0; i < ps.length; i++) {
        Filter.Compiled[] r = residual.get(i);
        System.arraycopy(r, 0, filters, at, r.length);
        at += r.length;
        ends[i] = at;
      }
      return new Bucket(ps, filters, ends);
    }
  }

  /** The policies of one namespace and metric, by field-set. */
  private static final class MetricIndex {

    /** Field-sets, fewest fields first; each with the seeds of its two hashes and its table. */
    private final String[][] fieldSets;
    private final long[] hashSeeds;
    private final long[] checkSeeds;
    private final LongTable<Object>[] tables;
    /** Every field some field-set has, and each field-set's as places in it: a value is hashed once. */
    private final String[] fields;
    private final int[][] setFields;
    /** The fields of {@link #fields} and those the residual filters read: what a match reads of a series. */
    private final String[] readFields;

    private MetricIndex(String[][] fieldSets, LongTable<Object>[] tables, Set<String> residualFields) {
      this.fieldSets = fieldSets;
      this.tables = tables;
      this.hashSeeds = new long[fieldSets.length];
      this.checkSeeds = new long[fieldSets.length];
      List<String> all = new ArrayList<>();
      this.setFields = new int[fieldSets.length][];
      for (int i = 0; i < fieldSets.length; i++) {
        hashSeeds[i] = hashSeed(fieldSets[i]);
        checkSeeds[i] = checkSeed(fieldSets[i]);
        setFields[i] = new int[fieldSets[i].length];
        for (int f = 0; f < fieldSets[i].length; f++) {
          int at = all.indexOf(fieldSets[i][f]);
          if (at < 0) {
            at = all.size();
            all.add(fieldSets[i][f]);
          }
          setFields[i][f] = at;
        }
      }
      this.fields = all.toArray(String[]::new);
      for (String f : residualFields) {
        if (!all.contains(f)) {
          all.add(f);
        }
      }
      this.readFields = all.toArray(String[]::new);
    }

    /**
     * Reads the values a match of this series will read, and their characters: only so that they are
     * in cache when it does (what it returns means nothing).
     */
    long touch(Map<String, String> dimensions) {
      long n = 0;
      for (String f : readFields) {
        String v = dimensions.get(f);
        n += v == null ? 0 : v.length();
      }
      return n;
    }

    @SuppressWarnings("unchecked")
    static MetricIndex of(List<IndexedPolicy> policies, int maxExpansion, Map<Filter.Compiled, Filter.Compiled> shared) {
      // field-set -> value combination -> the policies under it (each once: its combinations are
      // distinct), with their residual filters
      Map<List<String>, Map<List<String>, Members>> building = new HashMap<>();
      Set<String> residualFields = new LinkedHashSet<>();
      for (IndexedPolicy p : policies) {
        TreeMap<String, Set<String>> exact = exactValues(p);
        if (exact == null) {
          continue; // its exact filters cannot all hold: it matches nothing
        }
        TreeMap<String, Set<String>> indexed = bounded(exact, p.tenantField(), maxExpansion);
        String[] fields = indexed.keySet().toArray(String[]::new);
        Filter.Compiled[] rest = p.filters().stream().filter(c -> !settledByKey(c.filter(), indexed.keySet()))
            .map(c -> shared.computeIfAbsent(c, k -> k)).toArray(Filter.Compiled[]::new);
        Filter.Compiled[] residual = rest.length == 0 ? SETTLED : rest;
        for (Filter.Compiled c : rest) {
          residualFields.add(c.filter().field());
        }
        Map<List<String>, Members> table = building.computeIfAbsent(List.of(fields), k -> new HashMap<>());
        List<List<String>> valueLists = new ArrayList<>();
        indexed.values().forEach(v -> valueLists.add(List.copyOf(v)));
        String[] values = new String[fields.length];
        expand(valueLists, 0, values, () -> table.computeIfAbsent(List.of(values.clone()), k -> new Members())
            .add(p, residual));
      }
      List<List<String>> sets = new ArrayList<>(building.keySet());
      sets.sort((a, b) -> a.size() != b.size() ? Integer.compare(a.size(), b.size()) : a.toString().compareTo(
          b.toString()));
      String[][] fieldSets = new String[sets.size()][];
      LongTable<Object>[] tables = new LongTable[sets.size()];
      long[] value = new long[2];
      for (int i = 0; i < sets.size(); i++) {
        String[] fields = sets.get(i).toArray(String[]::new);
        fieldSets[i] = fields;
        long hashSeed = hashSeed(fields);
        long checkSeed = checkSeed(fields);
        Map<List<String>, Members> combos = building.get(sets.get(i));
        List<LongTable.Entry<Object>> entries = new ArrayList<>(combos.size());
        combos.forEach((values, members) -> {
          long h = hashSeed;
          long c = checkSeed;
          for (String v : values) {
            valueHashes(v, value);
            h = combineHash(h, value[0]);
            c = combineCheck(c, value[1]);
          }
          entries.add(new LongTable.Entry<>(finish(h), finish(c), members.entry()));
        });
        tables[i] = LongTable.of(entries);
      }
      return new MetricIndex(fieldSets, tables, residualFields);
    }

    /**
     * Each field's value in these dimensions hashed once ({@code hashes[2f]}, {@code hashes[2f + 1]});
     * {@code present} says which fields the series carries.
     */
    private void hashValues(Map<String, String> dimensions, long[] hashes, boolean[] present, long[] pair) {
      for (int f = 0; f < fields.length; f++) {
        String v = dimensions.get(fields[f]);
        present[f] = v != null;
        if (v != null) {
          valueHashes(v, pair);
          hashes[2 * f] = pair[0];
          hashes[2 * f + 1] = pair[1];
        }
      }
    }

    /** Both hashes of field-set {@code s}'s key, or false when the series lacks one of its fields. */
    private boolean key(int s, long[] hashes, boolean[] present, long[] out) {
      long h = hashSeeds[s];
      long c = checkSeeds[s];
      for (int f : setFields[s]) {
        if (!present[f]) {
          return false;
        }
        h = combineHash(h, hashes[2 * f]);
        c = combineCheck(c, hashes[2 * f + 1]);
      }
      out[0] = finish(h);
      out[1] = finish(c);
      return true;
    }

    /** Adds this series' look-ups, one per field-set whose fields it carries, for {@link #matchAll}. */
    void probe(int series, Map<String, String> dimensions, Probes probes) {
      if (probes.present.length < fields.length) {
        probes.present = new boolean[fields.length];
        probes.valueHashes = new long[2 * fields.length];
      }
      long[] key = probes.key;
      hashValues(dimensions, probes.valueHashes, probes.present, key);
      for (int s = 0; s < fieldSets.length; s++) {
        if (key(s, probes.valueHashes, probes.present, key)) {
          probes.add(series, tables[s], key[0], key[1], dimensions);
        }
      }
    }

    void match(Map<String, String> dimensions, Consumer<IndexedPolicy> found) {
      long[] hashes = new long[2 * fields.length];
      boolean[] present = new boolean[fields.length];
      long[] key = new long[2];
      hashValues(dimensions, hashes, present, key);
      BatchMatches inBucket = null; // made once per series, at its first bucket, not once per bucket
      for (int s = 0; s < fieldSets.length; s++) {
        if (!key(s, hashes, present, key)) {
          continue;
        }
        // the key settles the tenant and the Equal/In filters on these fields; a policy sits under
        // one field-set, and under a combination once: no duplicates
        Object entry = tables[s].get(key[0], key[1]);
        if (entry instanceof IndexedPolicy p) {
          found.accept(p);
        } else if (entry != null) {
          if (inBucket == null) {
            inBucket = (series, p) -> found.accept(p);
          }
          ((Bucket) entry).match(dimensions, 0, inBucket);
        }
      }
    }
  }

  /** True when a series found under these key fields passes this filter whatever else it carries. */
  private static boolean settledByKey(Filter f, Set<String> keyFields) {
    return (f.function() == FilterFunction.Equal || f.function() == FilterFunction.In)
        && keyFields.contains(f.field());
  }

  /**
   * Per field, the values a policy's tenant, Equal and In filters allow (the intersection when
   * several constrain one field), or null when some field allows none.
   */
  static TreeMap<String, Set<String>> exactValues(IndexedPolicy p) {
    TreeMap<String, Set<String>> exact = new TreeMap<>();
    exact.put(p.tenantField(), new LinkedHashSet<>(List.of(p.tenant())));
    for (Filter.Compiled c : p.filters()) {
      Filter f = c.filter();
      if (f.function() != FilterFunction.Equal && f.function() != FilterFunction.In) {
        continue;
      }
      Set<String> allowed = new LinkedHashSet<>(f.args());
      Set<String> before = exact.get(f.field());
      if (before != null) {
        allowed.retainAll(before);
      }
      if (allowed.isEmpty()) {
        return null;
      }
      exact.put(f.field(), allowed);
    }
    return exact;
  }

  /**
   * The fields to index under: all, when their combinations fit {@code maxExpansion}; else the tenant
   * field and then the fields with the fewest values while the product fits.
   */
  static TreeMap<String, Set<String>> bounded(TreeMap<String, Set<String>> exact, String tenantField,
      int maxExpansion) {
    long product = 1;
    for (Set<String> v : exact.values()) {
      product = Math.min((long) Integer.MAX_VALUE, product * v.size());
    }
    if (product <= maxExpansion) {
      return exact;
    }
    TreeMap<String, Set<String>> kept = new TreeMap<>();
    kept.put(tenantField, exact.get(tenantField));
    long size = exact.get(tenantField).size();
    List<Map.Entry<String, Set<String>>> rest = new ArrayList<>(exact.entrySet());
    rest.removeIf(e -> e.getKey().equals(tenantField));
    rest.sort((a, b) -> a.getValue().size() != b.getValue().size()
        ? Integer.compare(a.getValue().size(), b.getValue().size()) : a.getKey().compareTo(b.getKey()));
    for (Map.Entry<String, Set<String>> e : rest) {
      if (size * e.getValue().size() > maxExpansion) {
        break;
      }
      size *= e.getValue().size();
      kept.put(e.getKey(), e.getValue());
    }
    return kept;
  }

  private static void expand(List<List<String>> valueLists, int at, String[] values, Runnable each) {
    if (at == valueLists.size()) {
      each.run();
      return;
    }
    for (String v : valueLists.get(at)) {
      values[at] = v;
      expand(valueLists, at + 1, values, each);
    }
  }

  /** The first hash's start for a field-set: FNV-1a over its field names, with separators. */
  static long hashSeed(String[] fields) {
    long h = 0xcbf29ce484222325L;
    for (String f : fields) {
      h = mix(h, f);
      h = (h ^ 0x1f) * 0x100000001b3L;
    }
    return h;
  }

  /** The second hash's start for a field-set. */
  static long checkSeed(String[] fields) {
    long h = 0x9e3779b97f4a7c15L;
    for (String f : fields) {
      h = h * 0x3c6ef372fe94f82bL + f.hashCode();
      h = h * 0x3c6ef372fe94f82bL + f.length();
    }
    return h;
  }

  /**
   * A value's two independent 64-bit hashes in one pass over its characters: FNV-1a, and a
   * polynomial with a different multiplier; both then fold in the length. A key's hashes combine
   * its values' in field order ({@link #combineHash}, {@link #combineCheck}) from its field-set's
   * seeds, and are finished by a 64-bit mixer; the second tells apart keys whose first hashes meet,
   * so no cold string is compared.
   */
  static void valueHashes(String v, long[] out) {
    long a = 0xcbf29ce484222325L;
    long b = 0x9e3779b97f4a7c15L;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      a = (a ^ c) * 0x100000001b3L;
      b = b * 0x3c6ef372fe94f82bL + c + 1;
    }
    out[0] = a ^ v.length();
    out[1] = b * 0x3c6ef372fe94f82bL + v.length();
  }

  static long combineHash(long h, long value) {
    return Long.rotateLeft((h ^ value) * 0x9e3779b97f4a7c15L, 29);
  }

  static long combineCheck(long c, long value) {
    long x = (c + value) * 0xc2b2ae3d27d4eb4fL;
    return x ^ (x >>> 31);
  }

  /** The 64-bit finaliser of MurmurHash3. */
  static long finish(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }

  private static long mix(long h, String s) {
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001b3L;
    }
    return h;
  }

  @Override
  public String toString() {
    return "PolicyIndex[" + byId.size() + " policies, " + byMetric.size() + " metrics]";
  }
}
