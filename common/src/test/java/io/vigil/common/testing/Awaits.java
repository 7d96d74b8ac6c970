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
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out waiting for " + what, e);
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }
}
