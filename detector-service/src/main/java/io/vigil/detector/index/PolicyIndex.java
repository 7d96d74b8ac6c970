package io.vigil.detector.index;

import io.vigil.common.semantics.Filter;
import io.vigil.common.semantics.FilterPack;
import io.vigil.common.semantics.FilterFunction;
import java.util.ArrayList;
import java.util.Arrays;
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
   * together, then the buckets they found, so their cache misses overlap instead of following one
   * another.
   */
  public <T> void matchAll(List<T> batch, Function<? super T, String> namespace, Function<? super T, String> metric,
      Function<? super T, Map<String, String>> dimensions, BatchMatches found) {
    // a thread's scratch is kept between batches (allocating it was 1-2 % of the match); taken out
    // while in use, so a match started from a consumer gets its own
    Probes probes = SCRATCH.get();
    if (probes == null) {
      probes = new Probes();
    } else {
      SCRATCH.remove();
    }
    try {
      matchAll(batch, namespace, metric, dimensions, found, probes);
    } finally {
      probes.clear();
      SCRATCH.set(probes);
    }
  }

  private static final ThreadLocal<Probes> SCRATCH = new ThreadLocal<>();

  private <T> void matchAll(List<T> batch, Function<? super T, String> namespace, Function<? super T, String> metric,
      Function<? super T, Map<String, String>> dimensions, BatchMatches found, Probes probes) {
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
        probes.groupIndexes[i - from] = index;
        if (index != null) {
          touched += index.read(dimensions.apply(t), probes.values(i - from, index));
        }
      }
      probes.touched += touched;
      for (int i = from; i < to; i++) {
        MetricIndex index = probes.groupIndexes[i - from];
        if (index != null) {
          index.probe(i, probes.groupValues[i - from], probes);
        }
      }
      probes.resolve();
      for (int p = 0; p < probes.size; p++) {
        int entry = probes.entries[p];
        if (entry >= 0) {
          probes.owners[p].hand(entry, probes.values[p], probes.series[p], found);
        }
      }
    }
    readAhead = probes.touched;
  }

  /** The look-ups of a group of series, from hashing to their table entries. */
  private static final class Probes {
    final MetricIndex[] groupIndexes = new MetricIndex[GROUP];
    /** Each series' values by its part's field numbers (reused from group to group). */
    final String[][] groupValues = new String[GROUP][];
    /** Kept so the reads ahead are not optimised away. */
    long touched;
    int size;
    int[] series = new int[GROUP * 2];
    MetricIndex[] owners = new MetricIndex[GROUP * 2];
    LongTable[] tables = new LongTable[GROUP * 2];
    long[] hashes = new long[GROUP * 2];
    long[] checks = new long[GROUP * 2];
    String[][] values = new String[GROUP * 2][];
    int[] entries = new int[GROUP * 2];
    boolean[] occupied = new boolean[GROUP * 2];
    /** Scratch for one series' value hashes and keys. */
    long[] valueHashes = new long[16];
    final long[] key = new long[2];

    /** Lets go of the batch's index parts and values, so that a kept scratch holds on to nothing. */
    void clear() {
      Arrays.fill(groupIndexes, null);
      for (String[] v : groupValues) {
        if (v != null) {
          Arrays.fill(v, null);
        }
      }
      Arrays.fill(owners, null);
      Arrays.fill(tables, null);
      Arrays.fill(values, null);
      size = 0;
    }

    /** The array for the values of the group's series {@code slot}, large enough for its part. */
    String[] values(int slot, MetricIndex index) {
      String[] v = groupValues[slot];
      if (v == null || v.length < index.fields.length) {
        v = new String[Math.max(4, index.fields.length)];
        groupValues[slot] = v;
      }
      return v;
    }

    void add(int s, MetricIndex owner, LongTable table, long hash, long check, String[] seriesValues) {
      if (size == series.length) {
        int n = size * 2;
        series = Arrays.copyOf(series, n);
        owners = Arrays.copyOf(owners, n);
        tables = Arrays.copyOf(tables, n);
        hashes = Arrays.copyOf(hashes, n);
        checks = Arrays.copyOf(checks, n);
        values = Arrays.copyOf(values, n);
        entries = Arrays.copyOf(entries, n);
        occupied = Arrays.copyOf(occupied, n);
      }
      series[size] = s;
      owners[size] = owner;
      tables[size] = table;
      hashes[size] = hash;
      checks[size] = check;
      values[size] = seriesValues;
      size++;
    }

    /**
     * Reads every probe's slot ahead (the misses overlap), then looks each up for real, then reads
     * ahead the buckets found and where their policies are kept.
     */
    void resolve() {
      for (int p = 0; p < size; p++) {
        occupied[p] = tables[p].peek(tables[p].slot(hashes[p]));
      }
      for (int p = 0; p < size; p++) {
        entries[p] = occupied[p] ? tables[p].get(hashes[p], checks[p]) : -1;
      }
      long touched = 0;
      for (int p = 0; p < size; p++) {
        if (entries[p] >= 0) {
          touched += owners[p].warmPack(entries[p]);
        }
      }
      for (int p = 0; p < size; p++) {
        if (entries[p] >= 0) {
          touched += owners[p].warmPolicies(entries[p]);
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

  private static final Filter.Compiled[] SETTLED = new Filter.Compiled[0];

  /*
   * A look-up's entry in a table is a number: place << 1 for a lone policy its key settles (the
   * policy at that place of its part's policies), base << 4 | lines << 1 | 1 for a bucket: the pack
   * at that base of its part's packs (common's FilterPack), one conjunction per policy, of the
   * filters its key does not settle (none when it settles them all), its word the place of the
   * bucket's first policy, the others following it; lines (1 to 7) is how many of its cache lines
   * to read ahead, so that those reads need not wait for the pack's first line to say how long it
   * is. Reading a bucket so reads one run of longs, arguments and simple patterns in place, where it
   * read a bucket, its three arrays, each filter and each pattern's program; and a lone policy is
   * handed on without being read.
   */
  private static final int MAX_PLACE = (LongTable.MAX_VALUE >>> 1) - 1;
  private static final int MAX_BASE = (LongTable.MAX_VALUE >>> 4) - 1;
  private static final int MAX_LINES = 7;
  /**
   * A policy that expands to more value combinations than this keeps its residual filters as
   * references in its packs, not copies (a copy per combination of a 1,000-value In list and a
   * long pattern would be megabytes).
   */
  static final int IN_PLACE_COMBINATIONS = 16;

  private static boolean isBucket(int entry) {
    return (entry & 1) != 0;
  }

  private static int base(int entry) {
    return entry >>> 4;
  }

  private static int place(int entry) {
    return entry >>> 1;
  }

  private static int lines(int entry) {
    return entry >>> 1 & MAX_LINES;
  }

  /** A bucket while it is built. */
  private static final class Members {
    final List<IndexedPolicy> policies = new ArrayList<>(2);
    final List<Filter.Compiled[]> residual = new ArrayList<>(2);
    /** Per policy: whether its filters may be held in its pack (it expands to few combinations). */
    boolean[] inPlace = new boolean[2];

    void add(IndexedPolicy p, Filter.Compiled[] filters, boolean held) {
      if (policies.size() == inPlace.length) {
        inPlace = Arrays.copyOf(inPlace, inPlace.length * 2);
      }
      inPlace[policies.size()] = held;
      policies.add(p);
      residual.add(filters);
    }

    /** Whether the table holds the policy itself: it is alone and its key settles it. */
    boolean loneAndSettled() {
      return policies.size() == 1 && residual.get(0).length == 0;
    }
  }

  /** The policies of one namespace and metric, by field-set. */
  private static final class MetricIndex {

    /** Field-sets, fewest fields first; each with the seeds of its two hashes and its table. */
    private final String[][] fieldSets;
    private final long[] hashSeeds;
    private final long[] checkSeeds;
    private final LongTable[] tables;
    /**
     * What a match reads of a series, by field number: every field some field-set has first (each
     * value is hashed once, whatever field-sets share it), then those only residual filters read.
     */
    final String[] fields;
    private final int keyFields;
    /** Each field-set's fields as field numbers. */
    private final int[][] setFields;
    /** The lone policies and the buckets' policies, each bucket's together. */
    private final IndexedPolicy[] policies;
    /** The buckets' packs, one after another. */
    private final long[] packs;
    /** What the packs evaluate by the filter itself ({@code In}, {@code NotIn}, complex patterns). */
    private final Object[] references;

    private MetricIndex(String[][] fieldSets, LongTable[] tables, String[] fields, int keyFields, int[][] setFields,
        IndexedPolicy[] policies, long[] packs, Object[] references) {
      this.fieldSets = fieldSets;
      this.tables = tables;
      this.fields = fields;
      this.keyFields = keyFields;
      this.setFields = setFields;
      this.policies = policies;
      this.packs = packs;
      this.references = references;
      this.hashSeeds = new long[fieldSets.length];
      this.checkSeeds = new long[fieldSets.length];
      for (int i = 0; i < fieldSets.length; i++) {
        hashSeeds[i] = hashSeed(fieldSets[i]);
        checkSeeds[i] = checkSeed(fieldSets[i]);
      }
    }

    /**
     * Reads the series' values of {@link #fields} into {@code values}, by field number; returns the
     * sum of their lengths, which means nothing: reading them brings their characters into cache.
     */
    long read(Map<String, String> dimensions, String[] values) {
      long n = 0;
      for (int f = 0; f < fields.length; f++) {
        String v = dimensions.get(fields[f]);
        values[f] = v;
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
        long combinations = 1;
        for (List<String> v : valueLists) {
          combinations *= v.size(); // at most maxExpansion: bounded above
        }
        // each combination's bucket gets its own copy of the policy's packed filters: past a few,
        // they stay references to the shared filters instead
        boolean held = combinations <= IN_PLACE_COMBINATIONS;
        String[] values = new String[fields.length];
        expand(valueLists, 0, values, () -> table.computeIfAbsent(List.of(values.clone()), k -> new Members())
            .add(p, residual, held));
      }
      List<List<String>> sets = new ArrayList<>(building.keySet());
      sets.sort((a, b) -> a.size() != b.size() ? Integer.compare(a.size(), b.size()) : a.toString().compareTo(
          b.toString()));
      // field numbers: the key fields first, then those only residual filters read
      List<String> numbered = new ArrayList<>();
      String[][] fieldSets = new String[sets.size()][];
      int[][] setFields = new int[sets.size()][];
      for (int i = 0; i < sets.size(); i++) {
        fieldSets[i] = sets.get(i).toArray(String[]::new);
        setFields[i] = new int[fieldSets[i].length];
        for (int f = 0; f < fieldSets[i].length; f++) {
          int at = numbered.indexOf(fieldSets[i][f]);
          if (at < 0) {
            at = numbered.size();
            numbered.add(fieldSets[i][f]);
          }
          setFields[i][f] = at;
        }
      }
      int keyFields = numbered.size();
      for (String f : residualFields) {
        if (!numbered.contains(f)) {
          numbered.add(f);
        }
      }
      Map<String, Integer> fieldNumbers = new HashMap<>();
      for (int f = 0; f < numbered.size(); f++) {
        fieldNumbers.put(numbered.get(f), f);
      }
      List<IndexedPolicy> pool = new ArrayList<>();
      List<Object> references = new ArrayList<>();
      long[] packs = new long[64];
      int packed = 0;
      LongTable[] tables = new LongTable[sets.size()];
      long[] value = new long[2];
      for (int i = 0; i < sets.size(); i++) {
        long hashSeed = hashSeed(fieldSets[i]);
        long checkSeed = checkSeed(fieldSets[i]);
        Map<List<String>, Members> combos = building.get(sets.get(i));
        List<LongTable.Entry> entries = new ArrayList<>(combos.size());
        for (Map.Entry<List<String>, Members> combo : combos.entrySet()) {
          long h = hashSeed;
          long c = checkSeed;
          for (String v : combo.getKey()) {
            valueHashes(v, value);
            h = combineHash(h, value[0]);
            c = combineCheck(c, value[1]);
          }
          Members members = combo.getValue();
          int entry;
          if (members.loneAndSettled()) {
            entry = pool.size() << 1;
            pool.add(members.policies.get(0));
          } else {
            long[] pack = FilterPack.pack(pool.size(), members.residual, members.inPlace, fieldNumbers::get,
                references);
            if (packed > MAX_BASE) {
              throw new IllegalStateException("one metric's buckets passed " + MAX_BASE + " longs");
            }
            if (packs.length - packed < pack.length) {
              packs = Arrays.copyOf(packs, Math.max(packs.length * 2, packed + pack.length));
            }
            System.arraycopy(pack, 0, packs, packed, pack.length);
            entry = packed << 4 | Math.min(MAX_LINES, (pack.length + 7) / 8) << 1 | 1;
            packed += pack.length;
            pool.addAll(members.policies);
          }
          if (pool.size() > MAX_PLACE) {
            throw new IllegalStateException("one metric's index passed " + MAX_PLACE + " policies");
          }
          entries.add(new LongTable.Entry(finish(h), finish(c), entry));
        }
        tables[i] = LongTable.of(entries);
      }
      return new MetricIndex(fieldSets, tables, numbered.toArray(String[]::new), keyFields, setFields,
          pool.toArray(IndexedPolicy[]::new), Arrays.copyOf(packs, packed), references.toArray());
    }

    /** Each key field's value hashed once ({@code hashes[2f]}, {@code hashes[2f + 1]}), absent ones skipped. */
    private void hashValues(String[] values, long[] hashes, long[] pair) {
      for (int f = 0; f < keyFields; f++) {
        String v = values[f];
        if (v != null) {
          valueHashes(v, pair);
          hashes[2 * f] = pair[0];
          hashes[2 * f + 1] = pair[1];
        }
      }
    }

    /** Both hashes of field-set {@code s}'s key, or false when the series lacks one of its fields. */
    private boolean key(int s, String[] values, long[] hashes, long[] out) {
      long h = hashSeeds[s];
      long c = checkSeeds[s];
      for (int f : setFields[s]) {
        if (values[f] == null) {
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
    void probe(int series, String[] values, Probes probes) {
      if (probes.valueHashes.length < 2 * keyFields) {
        probes.valueHashes = new long[2 * keyFields];
      }
      long[] key = probes.key;
      hashValues(values, probes.valueHashes, key);
      for (int s = 0; s < fieldSets.length; s++) {
        if (key(s, values, probes.valueHashes, key)) {
          probes.add(series, this, tables[s], key[0], key[1], values);
        }
      }
    }

    /** Reads a bucket's pack ahead of {@link #hand}; the number means nothing. */
    long warmPack(int entry) {
      if (!isBucket(entry)) {
        return 0;
      }
      int base = base(entry);
      return FilterPack.warm(packs, base, Math.min(lines(entry) * 8, packs.length - base));
    }

    /** Reads where the entry's policies are kept (not the policies), for the same reason. */
    long warmPolicies(int entry) {
      int place = isBucket(entry) ? (int) FilterPack.word(packs, base(entry)) : place(entry);
      return policies[place] == null ? 0 : 1;
    }

    /**
     * Hands the policies of a table entry that this series passes to {@code found}, under the series'
     * place in its batch.
     */
    void hand(int entry, String[] values, int series, BatchMatches found) {
      if (!isBucket(entry)) {
        found.found(series, policies[place(entry)]);
        return;
      }
      int at = base(entry);
      int first = (int) FilterPack.word(packs, at);
      int n = FilterPack.conjunctions(packs, at);
      for (int i = 0, c = FilterPack.first(at); i < n; i++, c = FilterPack.next(packs, c)) {
        if (FilterPack.passes(packs, c, values, references)) {
          found.found(series, policies[first + i]);
        }
      }
    }

    void match(Map<String, String> dimensions, Consumer<IndexedPolicy> found) {
      String[] values = new String[fields.length];
      read(dimensions, values);
      long[] hashes = new long[2 * keyFields];
      long[] key = new long[2];
      hashValues(values, hashes, key);
      BatchMatches each = null; // made once per series, at its first entry, not once per entry
      for (int s = 0; s < fieldSets.length; s++) {
        if (!key(s, values, hashes, key)) {
          continue;
        }
        // the key settles the tenant and the Equal/In filters on these fields; a policy sits under
        // one field-set, and under a combination once: no duplicates
        int entry = tables[s].get(key[0], key[1]);
        if (entry >= 0) {
          if (each == null) {
            each = (series, p) -> found.accept(p);
          }
          hand(entry, values, 0, each);
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
   * A value's two independent 64-bit hashes in one pass over its characters, four at a time (a
   * character at a time, the two multiply chains were a tenth of the batch match): each step of the
   * first multiplies and rotates, each of the second adds, multiplies and folds its high half down,
   * both bijections of the running hash, so values that differ in one word always differ; the
   * length is folded in last. A key's hashes combine its values' in field order ({@link
   * #combineHash}, {@link #combineCheck}) from its field-set's seeds, and are finished by a 64-bit
   * mixer; the second tells apart keys whose first hashes meet, so no cold string is compared.
   */
  static void valueHashes(String v, long[] out) {
    long a = 0xcbf29ce484222325L;
    long b = 0x9e3779b97f4a7c15L;
    int n = v.length();
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      long w = v.charAt(i) | (long) v.charAt(i + 1) << 16 | (long) v.charAt(i + 2) << 32
          | (long) v.charAt(i + 3) << 48;
      a = Long.rotateLeft((a ^ w) * 0x9e3779b97f4a7c15L, 27);
      b = (b + w) * 0xc2b2ae3d27d4eb4fL;
      b ^= b >>> 29;
    }
    long tail = 0;
    for (; i < n; i++) {
      tail = tail << 16 | v.charAt(i);
    }
    a = Long.rotateLeft((a ^ tail) * 0x9e3779b97f4a7c15L, 27);
    b = (b + tail) * 0xc2b2ae3d27d4eb4fL;
    out[0] = (a ^ n) * 0x100000001b3L;
    out[1] = (b ^ b >>> 29) * 0x3c6ef372fe94f82bL + n;
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
