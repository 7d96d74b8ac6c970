package io.vigil.notifier.watchdog;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigil.common.control.Watchdog;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.InstrumentedExecutor;
import io.vigil.common.observability.MetricNames;
import io.vigil.common.store.StoreNames;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The end of the watchdog's path (common's {@link Watchdog}): its alert events are taken aside before
 * the pipeline (nobody is paged for them) and only noted: when the last one arrived
 * ({@code vigil_watchdog_last_arrival_seconds}, epoch seconds, for a Prometheus rule) and how long
 * after its minute closed ({@code vigil_watchdog_delay_seconds}). A check every few seconds reports
 * the watchdog silent when nothing has arrived for {@code silent-after}: the gauge
 * {@code vigil_watchdog_silent} goes to 1, the degraded path is counted and an ERROR names the age,
 * once per silence, and an INFO when it arrives again. Until the first arrival the time this instance
 * started stands in for it, so a fresh start is not silent at once.
 *
 * <p>The watchdog's events reach whichever instance owns their partition, so the arrival time is kept
 * in Redis too ({@code watchdog:last-arrival}), and every instance judges silence by the latest of its
 * own and the shared one. When Redis cannot be read an instance judges by what it saw itself: with
 * one instance that is the truth, with several it may call a silence the others would not (counted,
 * and the Prometheus rule takes the latest over all instances anyway).
 */
public final class WatchdogMonitor implements InitializingBean, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(WatchdogMonitor.class);

  private final StringRedisTemplate redis;
  private final io.vigil.notifier.state.StateWrites writes;
  private final String sharedKey;
  private final Clock clock;
  private final Duration silentAfter;
  private final DependencyMetrics dependencies;
  private final ScheduledThreadPoolExecutor timer;
  private final Counter firing;
  private final Counter resolved;
  private final Timer delay;
  private volatile long lastArrivalMs;
  private volatile boolean silent;

  /**
   * @param redis where the shared arrival is read (by the check's timer)
   * @param writes the state's group commit, through which each arrival is written: the consumer that
   *     notes it never waits on Redis (a failed write is counted there)
   */
  public WatchdogMonitor(StringRedisTemplate redis, io.vigil.notifier.state.StateWrites writes, StoreNames names,
      Clock clock, Duration silentAfter, DependencyMetrics dependencies, MeterRegistry registry) {
    if (silentAfter.compareTo(Duration.ofMinutes(2)) < 0) {
      throw new IllegalArgumentException("vigil.watchdog.silent-after: at least 2m (a transition arrives every"
          + " minute once the minute has closed), not " + silentAfter);
    }
    this.redis = redis;
    this.writes = writes;
    this.sharedKey = names.redisKey("watchdog", "last-arrival");
    this.clock = clock;
    this.silentAfter = silentAfter;
    this.dependencies = dependencies;
    this.lastArrivalMs = clock.millis();
    this.timer = InstrumentedExecutor.scheduled("watchdog-check", registry);
    this.firing = Counter.builder(MetricNames.WATCHDOG_ARRIVALS).tag("status", "FIRING")
        .description("watchdog transitions that reached the notifier").register(registry);
    this.resolved = Counter.builder(MetricNames.WATCHDOG_ARRIVALS).tag("status", "RESOLVED")
        .description("watchdog transitions that reached the notifier").register(registry);
    this.delay = Timer.builder(MetricNames.WATCHDOG_DELAY)
        .description("from the end of the watchdog's minute to its transition reaching the notifier")
        .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(5)).register(registry);
    Gauge.builder(MetricNames.WATCHDOG_LAST_ARRIVAL, this, m -> m.lastArrivalMs / 1000.0)
        .description("when the last watchdog transition arrived (epoch seconds; this instance's start before the"
            + " first)").baseUnit("seconds").register(registry);
    Gauge.builder(MetricNames.WATCHDOG_SILENT, this, m -> m.silent ? 1 : 0)
        .description("1 while no watchdog transition has arrived for silent-after").register(registry);
  }

  /**
   * Whether the event is the watchdog's; if so it is noted here and must not go down the pipeline.
   */
  public boolean taken(AlertEvent e) {
    if (!Watchdog.isWatchdog(e.tenant(), e.namespace())) {
      return false;
    }
    long now = clock.millis();
    lastArrivalMs = now;
    (e.status() == AlertEvent.AlertStatus.RESOLVED ? resolved : firing).increment();
    if (e.windowStartMs() > 0 && e.periodSeconds() > 0) {
      long closedAt = e.windowStartMs() + e.periodSeconds() * 1000L;
      delay.record(Duration.ofMillis(Math.max(0, now - closedAt)));
    }
    String at = Long.toString(now);
    writes.submit(ops -> ops.opsForValue().set(sharedKey, at));
    if (silent) {
      silent = false;
      log.info("the watchdog arrives again ({} of region {})", e.status(), e.region());
    }
    return true;
  }

  void check() {
    try {
      String shared = redis.opsForValue().get(sharedKey);
      if (shared != null) {
        long at = Long.parseLong(shared);
        if (at > lastArrivalMs) {
          lastArrivalMs = at;
          if (silent) {
            silent = false;
            log.info("the watchdog arrives again (seen by another instance)");
          }
        }
      }
    } catch (NumberFormatException ex) {
      log.warn("watchdog: {} holds no time; ignored", sharedKey);
    } catch (RuntimeException ex) {
      dependencies.failure("redis");
    }
    long age = clock.millis() - lastArrivalMs;
    if (age > silentAfter.toMillis() && !silent) {
      silent = true;
      dependencies.degraded("watchdog", "silent");
      log.error("the watchdog has not arrived for {} s: the alerting path (gateway, aggregator, detector,"
          + " notifier) may be broken; alerts may not reach anyone", age / 1000);
    }
  }

  boolean silent() {
    return silent;
  }

  @Override
  public void afterPropertiesSet() {
    timer.scheduleWithFixedDelay(this::check, 5, 5, TimeUnit.SECONDS);
  }

  @Override
  public void destroy() {
    timer.shutdownNow();
  }
}
