package io.vigil.storage.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code vigil.storage.history.*}: how long alert events (and closed alerts' summaries), notification
 * records and late points are kept. History indices take the rollup indices' shards, replicas and
 * refresh interval.
 */
@ConfigurationProperties("vigil.storage.history")
public record HistoryProperties(@DefaultValue("400d") Duration alertRetention,
    @DefaultValue("400d") Duration notificationRetention, @DefaultValue("31d") Duration lateRetention) {

  public HistoryProperties {
    check("alert-retention", alertRetention);
    check("notification-retention", notificationRetention);
    check("late-retention", lateRetention);
  }

  private static void check(String name, Duration d) {
    if (d == null || d.compareTo(Duration.ofDays(1)) < 0) {
      throw new IllegalArgumentException("vigil.storage.history." + name + " must be at least 1d: " + d);
    }
  }
}
