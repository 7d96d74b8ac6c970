package io.vigil.notifier.state;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * One inhibition rule's sources among a tenant's firing alerts, ready to look up: the firing alerts
 * its source matchers match, bucketed by their values of the rule's {@code equal} labels. Whether a
 * target is inhibited is then one look-up of its own values, not a pass over every firing alert (in a
 * storm a tenant has thousands firing, and every event of a targeted alert asked of each).
 *
 * <p>Kept up to date alert by alert as the firing set changes: changes of different alerts and
 * look-ups may run concurrently; the changes of one alert must come one at a time ({@link FiringSet}
 * is changed as an alert's events are handled, in order). A label a source or target lacks counts as
 * a value of its own (null), as the rule's matching has always compared them: two alerts that both
 * lack it are equal on it.
 */
public final class SourceIndex {

  private final Predicate<Map<String, String>> source;
  private final List<String> equal;
  private final Map<List<String>, Set<String>> buckets = new ConcurrentHashMap<>();
  private final Map<String, List<String>> bucketOf = new ConcurrentHashMap<>();

  /** @param equal the labels a source and its target must agree on; empty when any source inhibits */
  public SourceIndex(Predicate<Map<String, String>> source, List<String> equal) {
    this.source = source;
    this.equal = equal == null ? List.of() : List.copyOf(equal);
  }

  /** The alert fires now with these labels (again, possibly with other labels). */
  public void put(String alertKey, Map<String, String> labels) {
    remove(alertKey);
    if (!source.test(labels)) {
      return;
    }
    List<String> values = valuesOf(labels);
    bucketOf.put(alertKey, values);
    // compute, not computeIfAbsent and add: a bucket emptied and dropped meanwhile must not swallow it
    buckets.compute(values, (v, keys) -> {
      Set<String> in = keys != null ? keys : ConcurrentHashMap.newKeySet();
      in.add(alertKey);
      return in;
    });
  }

  /** The alert fires no more. */
  public void remove(String alertKey) {
    List<String> values = bucketOf.remove(alertKey);
    if (values != null) {
      buckets.computeIfPresent(values, (v, keys) -> {
        keys.remove(alertKey);
        return keys.isEmpty() ? null : keys;
      });
    }
  }

  /** A firing source, other than the target itself, that agrees with the target's labels; null if none. */
  public String inhibitor(Map<String, String> target, String targetKey) {
    Set<String> keys = buckets.get(valuesOf(target));
    if (keys == null) {
      return null;
    }
    for (String k : keys) {
      if (!k.equals(targetKey)) {
        return k;
      }
    }
    return null;
  }

  private List<String> valuesOf(Map<String, String> labels) {
    if (equal.isEmpty()) {
      return List.of();
    }
    String[] v = new String[equal.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = labels.get(equal.get(i));
    }
    // Arrays.asList: equal and hashed element by element, and a missing label (null) is a value
    return new ArrayList<>(Arrays.asList(v));
  }
}
