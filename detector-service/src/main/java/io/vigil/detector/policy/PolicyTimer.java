package io.vigil.detector.policy;

import io.vigil.common.error.ErrorClassifier;
import io.vigil.common.observability.DependencyMetrics;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy store's clock: swaps in gathered changes every flush interval and reconciles with MySQL
 * every reconcile interval, on one thread, so a swap and a reconcile never run at once.
 *
 * <p>A swap builds the changed metrics' part of the index again, which for a big shard takes far longer
 * than the flush interval. So the pause after a swap is at least {@value #PAUSE_PER_BUILD} times as
 * long as the swap took: during a bulk import, changes gather and go in together, and the index
 * builds take at most about a quarter of a core, whatever the import's rate (a change waits longer
 * to go in, a few seconds for 100,000 policies, instead of detection waiting for the CPU). A reconcile
 * that fails (MySQL down) is counted and tried again at the next interval: detection goes on with
 * the policies held.
 */
public final class PolicyTimer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PolicyTimer.class);

  /** The pause after a swap, as a multiple of how long it took. */
  static final int PAUSE_PER_BUILD = 3;

  private final ScheduledExecutorService timer;
  private final PolicyStore store;
  private final long flushMs;
  private final io.micrometer.core.instrument.Timer swaps;

  public PolicyTimer(PolicyStore store, Duration flush, Duration reconcile, DependencyMetrics dependencies,
      io.micrometer.core.instrument.MeterRegistry registry) {
    this.timer = io.vigil.common.observability.InstrumentedExecutor.scheduled("policy-timer", registry);
    this.store = store;
    this.flushMs = flush.toMillis();
    this.swaps = io.micrometer.core.instrument.Timer.builder("vigil.detector.policies.flush")
        .description("a flush of gathered policy changes into the index (the changed metrics built again)")
        .register(registry);
    timer.schedule(this::flush, flushMs, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(() -> {
      if (!store.loaded()) {
        return;
      }
      try {
        store.reconcile();
      } catch (RuntimeException e) {
        ErrorClassifier.Verdict v = ErrorClassifier.classify(e);
        if (v.kind() == ErrorClassifier.Kind.DEPENDENCY) {
          dependencies.failure(DependencyMetrics.DEPENDENCIES.contains(v.dependency()) ? v.dependency() : "unknown");
          dependencies.degraded("policy_reconcile", "dependency_down");
          log.warn("policy reconcile skipped, {} unavailable: {}", v.dependency(), e.getMessage());
        } else {
          log.error("policy reconcile failed", e);
        }
      }
    }, reconcile.toMillis(), reconcile.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void flush() {
    long started = System.nanoTime();
    int changes = 0;
    try {
      changes = store.flush();
    } catch (RuntimeException e) {
      log.error("policy changes could not be swapped in", e);
    }
    long tookNanos = System.nanoTime() - started;
    if (changes > 0) {
      swaps.record(tookNanos, TimeUnit.NANOSECONDS);
    }
    try {
      timer.schedule(this::flush, pauseAfter(tookNanos, flushMs), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // closing
    }
  }

  /** How long to wait before the next flush after one that took {@code tookNanos}. */
  static long pauseAfter(long tookNanos, long flushMs) {
    return Math.max(flushMs, PAUSE_PER_BUILD * TimeUnit.NANOSECONDS.toMillis(tookNanos));
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
