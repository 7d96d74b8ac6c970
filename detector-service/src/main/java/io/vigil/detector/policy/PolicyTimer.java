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
 * every reconcile interval, on one thread, so a swap and a reconcile never run at once. A reconcile
 * that fails (MySQL down) is counted and tried again at the next interval: detection goes on with
 * the policies held.
 */
public final class PolicyTimer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PolicyTimer.class);

  private final ScheduledExecutorService timer;

  public PolicyTimer(PolicyStore store, Duration flush, Duration reconcile, DependencyMetrics dependencies,
      io.micrometer.core.instrument.MeterRegistry registry) {
    this.timer = io.vigil.common.observability.InstrumentedExecutor.scheduled("policy-timer", registry);
    timer.scheduleWithFixedDelay(() -> {
      try {
        store.flush();
      } catch (RuntimeException e) {
        log.error("policy changes could not be swapped in", e);
      }
    }, flush.toMillis(), flush.toMillis(), TimeUnit.MILLISECONDS);
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

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
