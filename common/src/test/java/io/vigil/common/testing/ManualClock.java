package io.vigil.common.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A UTC clock a test moves by hand (shared by the modules' tests). */
public final class ManualClock extends Clock {

  private final AtomicLong nowMs;

  public ManualClock(long startMs) {
    this.nowMs = new AtomicLong(startMs);
  }

  public void advance(Duration by) {
    nowMs.addAndGet(by.toMillis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public long millis() {
    return nowMs.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(nowMs.get());
  }
}
