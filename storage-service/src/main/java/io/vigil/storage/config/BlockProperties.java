package io.vigil.storage.config;

import io.vigil.storage.rollup.BlockWriter;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code vigil.storage.blocks.*}: hour blocks of 60 s rollups ({@code BlockWriter}, {@code
 * MinuteBlock}). {@code enabled} (true): write them and read them in series queries; {@code settle}
 * (30s, more than the rollup indices' refresh interval): how long after an hour rollup is indexed its
 * minutes are read; {@code interval} (5s): how often due blocks are written; {@code max-pending}
 * (200,000 hours, about 100 bytes each); {@code attempts} (5): reads of an hour whose minutes do not
 * add up to its count before it is left to the minutes; {@code max-rate} (250): the most hours a
 * second it builds, each reading 60 minutes back, so the burst of blocks at every hour's close does
 * not take Elasticsearch from live indexing; {@code max-per-query} (30,000, about 30 MB of blocks held
 * while a query reads them): a query that would read more blocks reads the minutes instead.
 */
@ConfigurationProperties("vigil.storage.blocks")
public record BlockProperties(@DefaultValue("true") boolean enabled, @DefaultValue("30s") Duration settle,
    @DefaultValue("5s") Duration interval, @DefaultValue("200000") int maxPending, @DefaultValue("5") int attempts,
    @DefaultValue("30000") int maxPerQuery, @DefaultValue("250") int maxRate) {

  public BlockProperties {
    if (maxPerQuery < 1) {
      throw new IllegalArgumentException("vigil.storage.blocks.max-per-query must be positive: " + maxPerQuery);
    }
    settings(settle, interval, maxPending, attempts, maxRate); // checks them
  }

  private static BlockWriter.Settings settings(Duration settle, Duration interval, int maxPending, int attempts,
      int maxRate) {
    return new BlockWriter.Settings(settle, interval, maxPending, attempts, maxRate);
  }

  /**
   * Refuses a {@code settle} within the rollup indices' refresh interval (or refresh turned off):
   * the blocks would be read before their minutes are searchable and never add up.
   */
  public void checkAgainst(String refreshInterval) {
    if (!enabled) {
      return;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+)(ms|s|m)").matcher(refreshInterval);
    if (!m.matches()) {
      throw new IllegalArgumentException("vigil.storage.blocks needs the rollup indices refreshed; their refresh "
          + "interval is " + refreshInterval + " (set vigil.storage.blocks.enabled=false)");
    }
    long n = Long.parseLong(m.group(1));
    Duration refresh = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
    if (settle.compareTo(refresh) <= 0) {
      throw new IllegalArgumentException("vigil.storage.blocks.settle (" + settle + ") must be longer than the rollup "
          + "indices' refresh interval (" + refreshInterval + ")");
    }
  }

  public BlockWriter.Settings settings() {
    return settings(settle, interval, maxPending, attempts, maxRate);
  }
}
