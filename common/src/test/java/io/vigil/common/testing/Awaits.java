package io.vigil.common.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition on the real servers until it holds or a deadline passes. */
public final class Awaits {

  public static final Duration DEFAULT = Duration.ofSeconds(60);

  private Awaits() {}

  public static void until(String what, BooleanSupplier condition) {
    until(what, DEFAULT, condition);
  }

  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    until(what, timeout, condition, () -> "");
  }

  /** As {@link #until(String, Duration, BooleanSupplier)}, the failure saying what {@code detail} last tells. */
  public static void until(String what, Duration timeout, BooleanSupplier condition,
      java.util.function.Supplier<String> detail) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out waiting for " + what + suffix(detail), e);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + suffix(detail));
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }

  private static String suffix(java.util.function.Supplier<String> detail) {
    String d = detail.get();
    return d == null || d.isEmpty() ? "" : ": " + d;
  }
}
