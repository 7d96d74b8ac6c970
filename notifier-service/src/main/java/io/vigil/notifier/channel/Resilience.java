package io.vigil.notifier.channel;

import java.time.Duration;

/**
 * How patiently the dispatcher treats one channel.
 *
 * @param maxAttempts tries of one message, the first included; only retryable failures are tried again
 * @param backoff the pause before the second try; each further pause is {@code backoffMultiplier} times
 *     the one before, at most {@code maxBackoff}, and each is randomised by ±50% so that messages that
 *     failed together do not come back together
 * @param breakerFailureRate percent of failed calls among the last {@code breakerWindow} that opens the
 *     breaker; it judges once it has seen half a window (at least 2 calls)
 * @param breakerOpenFor how long an open breaker refuses calls before it lets two through to probe
 * @param bulkheadSize calls of the channel in flight at once on this instance
 * @param bulkheadMaxWait how long a call waits for a free place before it fails {@code bulkhead_full}
 */
public record Resilience(int maxAttempts, Duration backoff, double backoffMultiplier, Duration maxBackoff,
    int breakerFailureRate, int breakerWindow, Duration breakerOpenFor, int bulkheadSize, Duration bulkheadMaxWait) {

  public Resilience {
    require(maxAttempts >= 1, "maxAttempts is at least 1");
    require(backoff.toMillis() >= 1, "backoff is at least 1ms");
    require(backoffMultiplier >= 1.0, "backoffMultiplier is at least 1");
    require(maxBackoff.compareTo(backoff) >= 0, "maxBackoff is at least backoff");
    require(breakerFailureRate >= 1 && breakerFailureRate <= 100, "breakerFailureRate is 1 to 100");
    require(breakerWindow >= 2, "breakerWindow is at least 2");
    require(!breakerOpenFor.isNegative() && !breakerOpenFor.isZero(), "breakerOpenFor is positive");
    require(bulkheadSize >= 1, "bulkheadSize is at least 1");
    require(!bulkheadMaxWait.isNegative(), "bulkheadMaxWait is not negative");
  }

  private static void require(boolean ok, String rule) {
    if (!ok) {
      throw new IllegalArgumentException(rule);
    }
  }
}
