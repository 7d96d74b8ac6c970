package io.vigil.common.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses meters whose tags would make a family unbounded. For each of Vigil's own families ({@code
 * vigil.*}) it remembers the distinct values seen per tag key; a new value past the limit is an id
 * or a free text leaking into a label, so the meter is denied, the refusal counted in {@code
 * vigil_metrics_label_refused_total{meter}} and logged once per family.
 */
public final class LabelGuard implements MeterFilter {

  private static final Logger log = LoggerFactory.getLogger(LabelGuard.class);

  private final int maxValuesPerTag;
  private final ConcurrentHashMap<String, Set<String>> seen = new ConcurrentHashMap<>();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private volatile MeterRegistry registry;

  public LabelGuard(int maxValuesPerTag) {
    this.maxValuesPerTag = maxValuesPerTag;
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
    for (Tag tag : id.getTagsAsIterable()) {
      Set<String> values = seen.computeIfAbsent(name + '\u0000' + tag.getKey(), k -> ConcurrentHashMap.newKeySet());
      if (values.contains(tag.getValue())) {
        continue;
      }
      synchronized (values) {
        if (values.size() >= maxValuesPerTag && !values.contains(tag.getValue())) {
          refuse(name, tag.getKey());
          return MeterFilterReply.DENY;
        }
        values.add(tag.getValue());
      }
    }
    return MeterFilterReply.NEUTRAL;
  }

  private void refuse(String name, String tagKey) {
    MeterRegistry r = registry;
    if (r != null) {
      Counter.builder(MetricNames.LABEL_REFUSED).tag("meter", name)
          .description("meters refused because a tag had more distinct values than allowed")
          .register(r).increment();
    }
    if (warned.add(name + '\u0000' + tagKey)) {
      log.warn("metric {} refused: tag {} has more than {} distinct values; a tag must be a bounded set",
          name, tagKey, maxValuesPerTag);
    }
  }
}
