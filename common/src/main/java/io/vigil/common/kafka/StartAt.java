package io.vigil.common.kafka;

import java.time.Duration;
import java.util.Objects;

/**
 * Where a consumer group with no committed offset (new, or expired after the broker's offset
 * retention) starts reading. Every consumer states it: a new notifier group on {@code alerts.events}
 * must not page people for days-old alerts, while a new storage group must keep every record.
 *
 * <ul>
 *   <li>{@link #EARLIEST}: everything the topic still holds (history, indexing, cache builds);
 *   <li>{@link #LATEST}: only what arrives after the group joined;
 *   <li>{@link #lookBack(Duration)}: what arrived in the last window before the group joined (found
 *       with the broker's time index), so a first deployment does not lose the last few minutes and
 *       does not replay days.
 * </ul>
 *
 * A group that has committed offsets always continues from them.
 */
public final class StartAt {

  public static final StartAt EARLIEST = new StartAt("earliest", null);
  public static final StartAt LATEST = new StartAt("latest", null);

  private final String reset;
  private final Duration lookBack;

  private StartAt(String reset, Duration lookBack) {
    this.reset = reset;
    this.lookBack = lookBack;
  }

  public static StartAt lookBack(Duration window) {
    Objects.requireNonNull(window, "window");
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("look-back window must be positive: " + window);
    }
    return new StartAt("latest", window);
  }

  /** The consumer's {@code auto.offset.reset}. */
  public String offsetReset() {
    return reset;
  }

  /** The look-back window, or null when the reset policy alone decides. */
  public Duration window() {
    return lookBack;
  }

  @Override
  public String toString() {
    return lookBack == null ? reset : "look-back " + lookBack;
  }
}
