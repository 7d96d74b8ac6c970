package io.vigil.common.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the cardinality of each of Vigil's own families ({@code vigil.*}): it remembers the distinct
 * tag combinations (series) of a family, and a new series past the cap means an id or a free text
 * leaked into a label, so the meter is denied, the refusal counted in {@code
 * vigil_metrics_label_refused_total{meter}} and logged once per family. The cap is on the family,
 * not on one tag: a family may have a thousand namespaces as long as its series stay within the
 * cap, and a family whose tags multiply out past it is stopped whichever tag grows.
 */
public final class LabelGuard implements MeterFilter {

  private static final Logger log = LoggerFactory.getLogger(LabelGuard.class);

  private final int maxSeriesPerFamily;
  private final ConcurrentHashMap<String, Set<List<Tag>>> seen = new ConcurrentHashMap<>();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private volatile MeterRegistry registry;

  public LabelGuard(int maxSeriesPerFamily) {
    this.maxSeriesPerFamily = maxSeriesPerFamily;
  }

  /** Where refusals are counted; set once the registry exists. */
  public void countIn(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public MeterFilterReply accept(Meter.Id id) {
    String name = id.getName();
    if (!name.startsWith("vigil.") || name.equals(MetricNames.LABEL_REFUSED)) {
      return MeterFilterReply.NEUTRAL;
    }
    List<Tag> series = id.getTags();
    Set<List<Tag>> family = seen.computeIfAbsent(name, k -> ConcurrentHashMap.newKeySet());
    if (family.contains(series)) {
      return MeterFilterReply.NEUTRAL;
    }
    synchronized (family) {
      if (family.size() >= maxSeriesPerFamily && !family.contains(series)) {
        refuse(name);
        return MeterFilterReply.DENY;
      }
      family.add(series);
    }
    return MeterFilterReply.NEUTRAL;
  }

  private void refuse(String name) {
    MeterRegistry r = registry;
    if (r != null) {
      Counter.builder(MetricNames.LABEL_REFUSED).tag("meter", name)
          .description("meters refused because a tag had more distinct values than allowed")
          .register(r).increment();
    }
    if (warned.add(name)) {
      log.warn("metric {} refused: the family has {} series, the most allowed; its tags must be bounded sets"
          + " (vigil.observability.max-series-per-family)", name, maxSeriesPerFamily);
    }
  }
}
