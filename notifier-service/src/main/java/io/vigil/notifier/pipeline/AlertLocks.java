package io.vigil.notifier.pipeline;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One alert's work at a time across the threads that touch it: the lane running its events, the timer
 * firing its repeats and escalations, an acknowledgement. Lanes already keep one alert's events in
 * order; this keeps a repeat from going out beside the RESOLVED that ends its episode. Striped by the
 * alert key's hash (a fixed number of permits, no map that grows with alerts); a permit may be
 * released by another thread than the one that took it (an event's work ends when its records are
 * acknowledged by the broker).
 */
public final class AlertLocks {

  private final Semaphore[] stripes;

  public AlertLocks(int stripes) {
    if (Integer.bitCount(stripes) != 1) {
      throw new IllegalArgumentException("stripes must be a power of two");
    }
    this.stripes = new Semaphore[stripes];
    for (int i = 0; i < stripes; i++) {
      this.stripes[i] = new Semaphore(1);
    }
  }

  /** Takes the alert's stripe; throws if it cannot within the timeout (the caller's work is retried). */
  public Semaphore acquire(String alertKey, long timeoutMs) throws InterruptedException {
    Semaphore s = stripes[stripe(alertKey)];
    if (!s.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS)) {
      // retriable: the work waits and comes again, it is never dead-lettered for a busy alert
      throw new io.vigil.common.error.DependencyUnavailableException("unknown",
          "alert " + alertKey + " stayed busy for " + timeoutMs + " ms");
    }
    return s;
  }

  /** Takes the alert's stripe if it is free now; null if another holds it. */
  public Semaphore tryAcquire(String alertKey) {
    Semaphore s = stripes[stripe(alertKey)];
    return s.tryAcquire() ? s : null;
  }

  /** The stripe an alert's lock is: two alerts of one stripe are never held by one batch at once. */
  public int stripe(String alertKey) {
    return spread(alertKey.hashCode()) & (stripes.length - 1);
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }
}
