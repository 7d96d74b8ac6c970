package io.vigil.storage.config;

import io.vigil.storage.rollup.RollupIndices;
import io.vigil.storage.rollup.RollupTemplate;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code vigil.storage.rollup-index.*}: the settings rollup indices are created with, and how long
 * each period is kept ({@code retention.60=15d}; a period left out keeps its default; a period the
 * platform does not roll up is refused at start), and how often expired indices are looked for
 * ({@code retention-check}, 1 h).
 */
@ConfigurationProperties("vigil.storage.rollup-index")
public record RollupIndexProperties(@DefaultValue("1") int shards, @DefaultValue("0") int replicas,
    @DefaultValue("5s") String refreshInterval, Map<Integer, Duration> retention,
    @DefaultValue("1h") Duration retentionCheck) {

  public RollupIndexProperties {
    if (retentionCheck == null || retentionCheck.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("vigil.storage.rollup-index.retention-check must be at least 1s: "
          + retentionCheck);
    }
  }

  public RollupTemplate.Settings settings() {
    return new RollupTemplate.Settings(shards, replicas, refreshInterval);
  }

  public Map<Integer, RollupIndices.Retention> retentions() {
    Map<Integer, RollupIndices.Retention> out = new TreeMap<>(RollupIndices.defaults());
    if (retention != null) {
      retention.forEach((period, keep) -> {
        RollupIndices.Retention base = out.get(period);
        if (base == null) {
          throw new IllegalArgumentException("vigil.storage.rollup-index.retention." + period
              + ": rollups come in periods " + out.keySet() + " only");
        }
        out.put(period, new RollupIndices.Retention(base.span(), keep));
      });
    }
    return out;
  }
}
