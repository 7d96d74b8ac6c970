package io.vigil.notifier.values;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.control.AlertPolicy;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.Rollup;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.store.StoreNames;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The recent values of every series with an open alert, so a repeat tells the value now, not the one
 * that fired it, and carries the last hour as a sparkline. The notifier's rollup consumer (one group
 * for all instances, each reading some partitions) keeps, for each tracked series and period, its
 * last {@code keep} windows in Redis ({@code notifier:values:<series>:<period>}), where the instance
 * firing a repeat reads them. Which series are tracked is a Redis set every instance re-reads every
 * {@code refresh}: an alert opening adds its series, resolving removes it and its values. Memory and
 * Redis hold only series with open alerts.
 */
public final class CurrentValues {

  /** One window of a series. */
  public record Point(long windowStartMs, double sum, long count, double min, double max, double last) {

    public double statistic(AlertPolicy.Statistic s) {
      return switch (s) {
        case AVG -> count == 0 ? Double.NaN : sum / count;
        case MAX -> max;
        case MIN -> min;
        case SUM -> sum;
        case COUNT -> count;
        case LAST -> last;
      };
    }
  }

  private static final char[] BARS = {'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'};

  private final StringRedisTemplate redis;
  private final io.vigil.notifier.state.StateWrites writes;
  private final StoreNames names;
  private final DependencyMetrics dependencies;
  private final Clock clock;
  private final int keep;
  private final long refreshMs;
  private volatile Set<String> tracked = ConcurrentHashMap.newKeySet();
  /**
   * The series of {@link #tracked}, whatever the period, for {@link #wants}. A resolved alert's series
   * stays here until the next refresh (a few rollups read for nothing); a series is never here later
   * than in {@link #tracked}, as both get it at once.
   */
  private volatile Set<Long> trackedSeries = ConcurrentHashMap.newKeySet();
  private volatile long readAtMs = Long.MIN_VALUE;
  /**
   * Members followed here lately, with when: their write to the shared set goes through the group commit
   * and may land after a refresh reads the set, so a refresh keeps them for a while whatever it read.
   */
  private final Map<String, Long> followedLately = new ConcurrentHashMap<>();

  /** @param writes the state's group commit, through which the followed series are written */
  public CurrentValues(StringRedisTemplate redis, io.vigil.notifier.state.StateWrites writes, StoreNames names,
      DependencyMetrics dependencies, Clock clock, int keep, Duration refresh, MeterRegistry registry) {
    this.redis = redis;
    this.writes = writes;
    this.names = names;
    this.dependencies = dependencies;
    this.clock = clock;
    this.keep = keep;
    this.refreshMs = refresh.toMillis();
    Gauge.builder("vigil.notifier.values.series", this, v -> v.tracked.size())
        .description("series with an open alert whose recent values the notifier keeps").register(registry);
  }

  static String member(long seriesId, int period) {
    return Long.toUnsignedString(seriesId, 16) + ":" + period;
  }

  /**
   * After an alert event: a metric alert's series is tracked while the alert is open. The shared set
   * is written through the state's group commit (counted there when Redis does not take it).
   */
  public void follow(AlertEvent e) {
    if (e.seriesId() == 0 || e.periodSeconds() <= 0) {
      return;
    }
    String m = member(e.seriesId(), e.periodSeconds());
    String set = setKey();
    if (e.status() == AlertEvent.AlertStatus.RESOLVED) {
      followedLately.remove(m);
      tracked.remove(m);
      String values = valuesKey(m);
      writes.submit(ops -> {
        ops.opsForSet().remove(set, m);
        ops.delete(values);
      });
    } else {
      followedLately.put(m, clock.millis());
      trackedSeries.add(e.seriesId());
      tracked.add(m);
      writes.submit(ops -> ops.opsForSet().add(set, m));
    }
  }

  /**
   * Whether a rollup record is wanted, by its key alone (the series id, {@link
   * io.vigil.common.series.SeriesId#key}), before it is decoded: the consumer skips every other series'
   * rollups undecoded, so reading the whole rollup stream costs little more than fetching it. A key
   * that is not a series id is let through (decoding judges it).
   */
  public boolean wants(String recordKey) {
    refresh();
    try {
      return trackedSeries.contains(Long.parseUnsignedLong(recordKey, 16));
    } catch (NumberFormatException e) {
      return true;
    }
  }

  /** A rollup from the notifier's consumer: kept when its series has an open alert. */
  public void onRollup(Rollup r) {
    refresh();
    String m = member(r.seriesId(), r.periodSeconds());
    if (!tracked.contains(m)) {
      return;
    }
    String value = r.windowStartMs() + "," + r.sum() + "," + r.count() + "," + r.min() + "," + r.max() + "," + r.last();
    try {
      String key = valuesKey(m);
      redis.opsForList().leftPush(key, value);
      redis.opsForList().trim(key, 0, keep - 1);
      redis.expire(key, 1, TimeUnit.DAYS);
    } catch (DataAccessException ex) {
      dependencies.failure("redis");
      dependencies.degraded("current_values", "redis_down");
    }
  }

  /** The recent windows of a series, oldest first (a window re-sent keeps its newest copy); empty if none. */
  public List<Point> recent(long seriesId, int period) {
    List<String> raw;
    try {
      raw = redis.opsForList().range(valuesKey(member(seriesId, period)), 0, keep - 1);
    } catch (DataAccessException ex) {
      dependencies.failure("redis");
      dependencies.degraded("current_values", "redis_down");
      return List.of();
    }
    List<Point> points = new ArrayList<>();
    Set<Long> seen = new java.util.HashSet<>();
    for (String s : raw == null ? List.<String>of() : raw) {
      String[] f = s.split(",");
      if (f.length == 6 && seen.add(Long.parseLong(f[0]))) {
        points.add(new Point(Long.parseLong(f[0]), Double.parseDouble(f[1]), Long.parseLong(f[2]),
            Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5])));
      }
    }
    points.sort(Comparator.comparingLong(Point::windowStartMs));
    return points;
  }

  /**
   * The statistic the alert's condition judged: that of the policy's condition on the event's metric
   * and period, AVG when none says.
   */
  public static AlertPolicy.Statistic statisticOf(AlertPolicy policy, io.vigil.common.model.AlertEvent e) {
    return policy == null ? AlertPolicy.Statistic.AVG : policy.statisticFor(e.metric(), e.periodSeconds());
  }

  /** A text sparkline of values, one bar per value (for SMS, chat and anywhere an image is not). */
  public static String sparkline(List<Double> values) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    StringBuilder s = new StringBuilder(values.size());
    for (double v : values) {
      if (Double.isNaN(v)) {
        s.append(' ');
      } else {
        int i = hi == lo ? BARS.length / 2 : (int) Math.round((v - lo) / (hi - lo) * (BARS.length - 1));
        s.append(BARS[i]);
      }
    }
    return s.toString();
  }

  private void refresh() {
    long now = clock.millis();
    // never read yet: read now (the difference from MIN_VALUE would overflow and say "just read")
    if (readAtMs != Long.MIN_VALUE && now - readAtMs < refreshMs) {
      return;
    }
    readAtMs = now;
    try {
      Set<String> members = redis.opsForSet().members(setKey());
      if (members != null) {
        Set<String> fresh = ConcurrentHashMap.newKeySet();
        fresh.addAll(members);
        // a write takes well under a refresh interval unless Redis is failing, when it is retried
        followedLately.values().removeIf(at -> now - at > Math.max(2 * refreshMs, 30_000));
        fresh.addAll(followedLately.keySet());
        Set<Long> series = ConcurrentHashMap.newKeySet();
        for (String m : fresh) {
          int colon = m.indexOf(':');
          try {
            series.add(Long.parseUnsignedLong(colon < 0 ? m : m.substring(0, colon), 16));
          } catch (NumberFormatException e) {
            // not written by us: no series to follow
          }
        }
        tracked = fresh;
        trackedSeries = series;
      }
    } catch (DataAccessException ex) {
      dependencies.failure("redis");
      dependencies.degraded("current_values", "redis_down");
    }
  }

  private String setKey() {
    return names.redisKey("notifier", "values", "series");
  }

  private String valuesKey(String member) {
    return names.redisKey("notifier", "values", member);
  }
}
