package io.vigil.bench.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

class AcceptanceWatermarksTest {

  long now = 1_000_000_000_000L;
  long activity = 0;
  final List<String> out = new ArrayList<>();
  final WatermarkOutput output = new WatermarkOutput() {
    @Override
    public void emitWatermark(Watermark watermark) {
      out.add(Long.toString(watermark.getTimestamp()));
    }

    @Override
    public void markIdle() {
      out.add("idle");
    }

    @Override
    public void markActive() {
      out.add("active");
    }
  };
  final RelativeClock clock = new RelativeClock() {
    @Override
    public long relativeTimeMillis() {
      return activity;
    }

    @Override
    public long relativeTimeNanos() {
      return activity * 1_000_000;
    }
  };

  AcceptanceWatermarks.Generator generator(boolean followClock) {
    return new AcceptanceWatermarks.Generator(clock, 3_000, followClock, () -> now);
  }

  @Test
  void byDefaultAPartitionIsNeverIdle() {
    AcceptanceWatermarks.Generator g = new AcceptanceWatermarks.Generator(clock, 0, false, () -> now);
    g.onEvent(batch(now, 30_000), 0, output);
    activity += 3_600_000;
    g.onPeriodicEmit(output);
    assertEquals(List.of(Long.toString(now - 30_001)), out);
  }

  static Points batch(long receivedAtMs, long graceMs) {
    return new Points(receivedAtMs, graceMs, new long[] {1}, new long[] {receivedAtMs - 5_000}, new double[] {1});
  }

  @Test
  void aWindowClosesWhenAcceptanceReachesItsEndPlusGrace() {
    long end = 1_000_000_000_000L - 40_000; // a minute's end
    // Flink fires a window at watermark >= end - 1: acceptance end + grace - 1 is one short
    assertEquals(end - 2, AcceptanceWatermarks.watermarkOf(end + 30_000 - 1, 30_000, now));
    assertEquals(end - 1, AcceptanceWatermarks.watermarkOf(end + 30_000, 30_000, now));
    assertEquals(end - 1, AcceptanceWatermarks.watermarkOf(end + 30_000, 0, now), "grace 0 is the default 30 s");
  }

  @Test
  void progressIsNeverBeyondTheClockNorBackwards() {
    AcceptanceWatermarks.Generator g = generator(false);
    g.onEvent(batch(now + 60_000, 30_000), 0, output); // stamped a minute ahead: taken as now
    g.onEvent(batch(now - 10_000, 30_000), 0, output); // older: no step back
    g.onEvent(batch(now, 10_000), 0, output);          // a smaller grace moves it on
    assertEquals(List.of(Long.toString(now - 30_001), Long.toString(now - 10_001)), out);
  }

  @Test
  void aPartitionWithoutBatchesIsIdleAndWakesWithItsNextBatch() {
    AcceptanceWatermarks.Generator g = generator(false);
    g.onEvent(batch(now, 30_000), 0, output);
    activity += 2_999;
    g.onPeriodicEmit(output);
    activity += 1;
    g.onPeriodicEmit(output);
    g.onPeriodicEmit(output);
    g.onEvent(batch(now - 1, 30_000), 0, output);
    assertEquals(List.of(Long.toString(now - 30_001), "idle", Long.toString(now - 30_001)), out);
  }

  @Test
  void withFollowClockAnIdlePartitionFollowsTheClockLessIdleAfter() {
    AcceptanceWatermarks.Generator g = generator(true);
    g.onEvent(batch(now - 100_000, 30_000), 0, output);
    activity += 3_000;
    now += 3_000;
    g.onPeriodicEmit(output);
    assertEquals(List.of(Long.toString(now - 3_000 - 100_000 - 30_001), Long.toString(now - 3_000 - 30_001)), out);
  }
}
