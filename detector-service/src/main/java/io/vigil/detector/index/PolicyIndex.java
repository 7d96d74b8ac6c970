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

/**
 * The policies of a shard, indexed so that finding the policies a rollup's series matches does not
 * grow with the number of policies (the seed's "taghash").
 *
 * <p>A policy's exact constraints, its tenant and its {@code Equal} and {@code In} filters, are
 * expanded into every combination of values they allow and hashed under the set of fields they
 * constrain (its field-set), per namespace and metric. A series is looked up once per field-set its
 * metric has whose fields it carries (a bucket keeps its values, so a hash collision is never a
 * match); each policy found is then checked with the filters its key does not settle (common's
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

  private final Map<String, MetricIndex> byMetric; // namespace + '\0' + metric
  private final Map<String, IndexedPolicy> byId;
  private final int maxExpansion;

  private PolicyIndex(Map<String, MetricIndex> byMetric, Map<String, IndexedPolicy> byId, int maxExpansion) {
    this.byMetric = byMetric;
    this.byId = byId;
    this.maxExpansion = maxExpansion;
  }

  public static PolicyIndex build(Collection<IndexedPolicy> policies, int maxExpansion) {
    if (maxExpansion < 1) {
      throw new IllegalArgumentException("maxExpansion must be positive: " + maxExpansion);
    }
    Map<String, IndexedPolicy> byId = new HashMap<>(policies.size() * 2);
    for (IndexedPolicy p : policies) {
      byId.put(p.id(), p);
    }
    Map<String, List<IndexedPolicy>> grouped = new HashMap<>();
    for (IndexedPolicy p : byId.values()) {
      for (String metric : p.metrics()) {
        grouped.computeIfAbsent(metricKey(p.namespace(), metric), k -> new ArrayList<>()).add(p);
      }
    }
    Map<String, MetricIndex> byMetric = new HashMap<>(grouped.size() * 2);
    grouped.forEach((key, list) -> byMetric.put(key, MetricIndex.of(list, maxExpansion)));
    return new PolicyIndex(byMetric, byId, maxExpansion);
  }

  /**
   * This index with these policies added or replaced (by id) and these removed: only the metrics the
   * old and new versions read are built again.
   */
  public PolicyIndex with(Collection<IndexedPolicy> upserts, Collection<String> removedIds) {
    Map<String, IndexedPolicy> ids = new HashMap<>(byId);
    Set<String> touched = new LinkedHashSet<>();
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
    Map<String, List<IndexedPolicy>> regrouped = new HashMap<>();
    touched.forEach(k -> regrouped.put(k, new ArrayList<>()));
    for (IndexedPolicy p : ids.values()) {
      for (String metric : p.metrics()) {
        List<IndexedPolicy> list = regrouped.get(metricKey(p.namespace(), metric));
        if (list != null) {
          list.add(p);
        }
      }
    }
    Map<String, MetricIndex> metrics = new HashMap<>(byMetric);
    regrouped.forEach((key, list) -> {
      if (list.isEmpty()) {
        metrics.remove(key);
      } else {
        metrics.put(key, MetricIndex.of(list, maxExpansion));
      }
    });
    return new PolicyIndex(metrics, ids, maxExpansion);
  }

  /** Hands every policy that matches this series to {@code found}, each once. */
  public void match(String namespace, String metric, Map<String, String> dimensions, Consumer<IndexedPolicy> found) {
    MetricIndex index = byMetric.get(metricKey(namespace, metric));
    if (index != null) {
      index.match(dimensions, found);
    }
  }

  /** The policies that match this series (for tests and explain; the hot path uses the consumer). */
  public List<IndexedPolicy> match(String namespace, String metric, Map<String, String> dimensions) {
    List<IndexedPolicy> out = new ArrayList<>();
    match(namespace, metric, dimensions, out::add);
    return out;
  }

  public int size() {
    return byId.size();
  }

  private static String metricKey(String namespace, String metric) {
    return namespace + '\0' + metric;
  }

  /**
   * The policies under one combination of values of a field-set, each with the filters its key does
   * not settle (none, for most). Buckets whose keys share a hash are chained and told apart by a
   * second, independent 64-bit hash of the combination ({@code check}): comparing the values
   * themselves meant loading cold strings, a fifth of a match at a million policies.
   */
  private static final class Bucket {
    final long check;
    final IndexedPolicy[] policies;
    final Filter.Compiled[][] residual;
    final Bucket next;

    Bucket(long check, IndexedPolicy[] policies, Filter.Compiled[][] residual, Bucket next) {
      this.check = check;
      this.policies = policies;
      this.residual = residual;
      this.next = next;
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
  }

  /** The policies of one namespace and metric, by field-set. */
  private static final class MetricIndex {

    /** Field-sets, fewest fields first; each with its hash table. */
    private final String[][] fieldSets;
    private final LongTable<Bucket>[] tables;

    private MetricIndex(String[][] fieldSets, LongTable<Bucket>[] tables) {
      this.fieldSets = fieldSets;
      this.tables = tables;
    }

    @SuppressWarnings("unchecked")
    static MetricIndex of(List<IndexedPolicy> policies, int maxExpansion) {
      // field-set -> value combination -> the policies under it (each once: its combinations are
      // distinct), with their residual filters
      Map<List<String>, Map<List<String>, Members>> building = new HashMap<>();
      for (IndexedPolicy p : policies) {
        TreeMap<String, Set<String>> exact = exactValues(p);
        if (exact == null) {
          continue; // its exact filters cannot all hold: it matches nothing
        }
        TreeMap<String, Set<String>> indexed = bounded(exact, p.tenantField(), maxExpansion);
        String[] fields = indexed.keySet().toArray(String[]::new);
        Filter.Compiled[] rest = p.filters().stream().filter(c -> !settledByKey(c.filter(), indexed.keySet()))
            .toArray(Filter.Compiled[]::new);
        Filter.Compiled[] residual = rest.length == 0 ? SETTLED : rest;
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
      LongTable<Bucket>[] tables = new LongTable[sets.size()];
      for (int i = 0; i < sets.size(); i++) {
        String[] fields = sets.get(i).toArray(String[]::new);
        fieldSets[i] = fields;
        Map<List<String>, Members> combos = building.get(sets.get(i));
        Map<Long, Bucket> table = new HashMap<>(combos.size() * 2);
        combos.forEach((values, members) -> {
          String[] v = values.toArray(String[]::new);
          long h = hash(fields, v);
          table.put(h, new Bucket(check(fields, v), members.policies.toArray(IndexedPolicy[]::new),
              members.residual.toArray(Filter.Compiled[][]::new), table.get(h)));
        });
        tables[i] = LongTable.of(table);
      }
      return new MetricIndex(fieldSets, tables);
    }

    void match(Map<String, String> dimensions, Consumer<IndexedPolicy> found) {
      String[] values = null;
      for (int s = 0; s < fieldSets.length; s++) {
        String[] fields = fieldSets[s];
        if (values == null || values.length != fields.length) {
          values = new String[fields.length];
        }
        boolean present = true;
        for (int f = 0; f < fields.length && present; f++) {
          values[f] = dimensions.get(fields[f]);
          present = values[f] != null;
        }
        if (!present) {
          continue;
        }
        Bucket b = tables[s].get(hash(fields, values));
        long check = b == null ? 0 : check(fields, values);
        for (; b != null; b = b.next) {
          if (b.check != check) {
            continue; // another combination with the same hash
          }
          // the key settled the tenant and the Equal/In filters on these fields; a policy sits under
          // one field-set, and under a combination once: no duplicates
          for (int i = 0; i < b.policies.length; i++) {
            if (passes(b.residual[i], dimensions)) {
              found.accept(b.policies[i]);
            }
          }
        }
      }
    }

    private static boolean passes(Filter.Compiled[] filters, Map<String, String> dimensions) {
      for (Filter.Compiled f : filters) {
        if (!f.test(dimensions)) {
          return false;
        }
      }
      return true;
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

  /** A 64-bit hash of fields and their values (FNV-1a over the UTF-16 units, with separators). */
  static long hash(String[] fields, String[] values) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < fields.length; i++) {
      h = mix(h, fields[i]);
      h = (h ^ 0x1f) * 0x100000001b3L;
      h = mix(h, values[i]);
      h = (h ^ 0x1e) * 0x100000001b3L;
    }
    return h;
  }

  /**
   * A second hash of the same combination, independent of {@link #hash} (another function: a
   * polynomial over the characters, finished by a 64-bit mixer), that tells apart combinations whose
   * first hashes meet.
   */
  static long check(String[] fields, String[] values) {
    long h = 0x9e3779b97f4a7c15L;
    for (int i = 0; i < fields.length; i++) {
      h = h * 0x3c6ef372fe94f82bL + fields[i].hashCode();
      h = h * 0x3c6ef372fe94f82bL + fields[i].length();
      for (int c = 0; c < values[i].length(); c++) {
        h = h * 0x100000001b3L + values[i].charAt(c) + 1;
      }
      h = h * 0x3c6ef372fe94f82bL + values[i].length();
    }
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
