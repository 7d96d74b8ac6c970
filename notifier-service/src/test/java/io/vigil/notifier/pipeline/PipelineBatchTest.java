package io.vigil.notifier.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.series.AlertIds;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A batch of events of different alerts runs stage by stage: each stage sees the notices still going
 * together, a stop ends its notice there, a failure fails that event alone, the lot is finished
 * together, and two alerts of one lock stripe never run in the same wave.
 */
class PipelineBatchTest {

  static final long T0 = java.time.Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();

  /** An event of the alert named so (the name is its {@code name} dimension; the key is derived from it). */
  static AlertEvent event(String name) {
    String key = String.format("p1:s:%016x", name.hashCode() & 0xffffffffL);
    return new AlertEvent(1, AlertIds.eventId(key, 1), key, "p1", 1, "t1", "acme/vm", "ap-guangzhou", "cpu_usage",
        42, null, Map.of("name", name), AlertStatus.FIRING, AlertEvent.Severity.WARNING, 1, 95.0, 90.0, null, 0, T0,
        60, 0, "default", null);
  }

  static String nameOf(Notice n) {
    return n.event().dimensions().get("name");
  }

  /** A stage that records the sizes of the lots it saw and stops or fails the alerts named so. */
  static final class Recording implements Stage {
    final String name;
    final List<Integer> lots = new CopyOnWriteArrayList<>();
    final List<String> seen = new CopyOnWriteArrayList<>();

    Recording(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Outcome apply(Notice n) {
      seen.add(nameOf(n));
      if (nameOf(n).startsWith("stop-at-" + name)) {
        return Outcome.stop(NotificationStatus.SILENCED, "test");
      }
      if (nameOf(n).startsWith("fail-at-" + name)) {
        throw new IllegalStateException("broken " + nameOf(n));
      }
      return Outcome.CONTINUE;
    }

    @Override
    public Outcome[] applyAll(List<Notice> notices, Exception[] failures) {
      lots.add(notices.size());
      return Stage.super.applyAll(notices, failures);
    }
  }

  final List<Notice> finished = new CopyOnWriteArrayList<>();
  final List<CompletableFuture<Void>> publishes = new CopyOnWriteArrayList<>();

  Pipeline pipeline(AlertLocks locks, Stage... stages) {
    return pipeline(n -> {
      finished.add(n);
      CompletableFuture<Void> published = new CompletableFuture<>();
      publishes.add(published);
      return published;
    }, locks, stages);
  }

  static Pipeline pipeline(Pipeline.Finisher finisher, AlertLocks locks, Stage... stages) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    return new Pipeline(List.of(stages), finisher, locks, new PipelineMeters(registry), Clock.systemUTC(), registry);
  }

  /** A finisher that finishes lots only (a notice finished alone fails the test). */
  static Pipeline.Finisher lotsOnly(java.util.function.Function<List<Notice>, List<CompletableFuture<?>>> lot) {
    return new Pipeline.Finisher() {
      @Override
      public CompletableFuture<?> finish(Notice notice) {
        throw new AssertionError("a batch is finished by finishAll");
      }

      @Override
      public List<CompletableFuture<?>> finishAll(List<Notice> notices) {
        return lot.apply(notices);
      }
    };
  }

  @Test
  void stagesSeeTheLotStopsFinishThereAndAFailureFailsItsEventAlone() throws Exception {
    Recording intake = new Recording("intake");
    Recording silence = new Recording("silence");
    Recording dispatch = new Recording("dispatch");
    Pipeline p = pipeline(new AlertLocks(1024), intake, silence, dispatch);
    List<AlertEvent> events = List.of(event("a"), event("stop-at-silence-b"), event("fail-at-silence-c"), event("d"));

    List<CompletableFuture<?>> results = p.runAll(events, Collections.nCopies(events.size(), null));

    assertThat(results).hasSize(4);
    assertThat(intake.lots).containsExactly(4);
    assertThat(silence.lots).containsExactly(4);
    assertThat(dispatch.lots).as("the stopped and the failed are not passed on").containsExactly(2);
    assertThat(dispatch.seen).containsExactly("a", "d");
    assertThat(results.get(2)).as("the failed event alone fails").isCompletedExceptionally();
    assertThat(finished).extracting(PipelineBatchTest::nameOf)
        .containsExactlyInAnyOrder("a", "stop-at-silence-b", "d");
    Notice stopped = finished.stream().filter(n -> nameOf(n).startsWith("stop")).findFirst().orElseThrow();
    assertThat(stopped.stoppedAt()).isEqualTo("silence");
    assertThat(stopped.stopped().status()).isEqualTo(NotificationStatus.SILENCED);
    assertThat(results.get(0)).as("done only when its records are published").isNotDone();
    publishes.forEach(f -> f.complete(null));
    CompletableFuture.allOf(results.get(0), results.get(1), results.get(3)).get(5, TimeUnit.SECONDS);
  }

  @Test
  void aBatchIsFinishedTogetherAndAFinishThatFailsFailsItsEventAlone() throws Exception {
    List<List<String>> lots = new CopyOnWriteArrayList<>();
    List<CompletableFuture<Void>> settled = new CopyOnWriteArrayList<>();
    Pipeline.Finisher together = lotsOnly(notices -> {
      lots.add(notices.stream().map(PipelineBatchTest::nameOf).toList());
      List<CompletableFuture<?>> out = new ArrayList<>();
      for (Notice n : notices) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        settled.add(f);
        out.add(nameOf(n).startsWith("refused") ? CompletableFuture.failedFuture(new IllegalStateException("broker"))
            : f);
      }
      return out;
    });
    AlertLocks locks = new AlertLocks(1024);
    Pipeline p = pipeline(together, locks, new Recording("intake"), new Recording("silence"),
        new Recording("dispatch"));
    List<AlertEvent> events = List.of(event("a"), event("stop-at-silence-b"), event("refused-c"), event("d"));

    List<CompletableFuture<?>> results = p.runAll(events, Collections.nCopies(events.size(), null));

    assertThat(lots).as("those a stage stopped are finished there, the rest together at the end").hasSize(2);
    assertThat(lots.get(0)).containsExactly("stop-at-silence-b");
    assertThat(lots.get(1)).containsExactlyInAnyOrder("a", "refused-c", "d");
    assertThat(results.get(2)).as("the notice the finisher failed fails alone").isCompletedExceptionally();
    assertThat(results.get(0)).isNotDone();
    locks.acquire(events.get(2).alertKey(), 1000).release(); // its stripe went back at once
    settled.forEach(f -> f.complete(null));
    CompletableFuture.allOf(results.get(0), results.get(1), results.get(3)).get(5, TimeUnit.SECONDS);
    for (AlertEvent e : events) {
      locks.acquire(e.alertKey(), 1000).release(); // throws if a stripe was kept
    }
  }

  @Test
  void aFinisherThatGivesNoResultFailsItsNoticesAndGivesTheirStripesBack() throws Exception {
    Pipeline.Finisher broken = lotsOnly(notices -> null); // a bug in a finisher
    AlertLocks locks = new AlertLocks(1024);
    Pipeline p = pipeline(broken, locks, new Recording("intake"));
    List<AlertEvent> events = List.of(event("a"), event("b"));

    List<CompletableFuture<?>> results = p.runAll(events, Collections.nCopies(events.size(), null));

    assertThat(results).allSatisfy(f -> assertThat(f).isCompletedExceptionally());
    for (AlertEvent e : events) {
      locks.acquire(e.alertKey(), 1000).release(); // throws if a stripe was kept
    }
  }

  @Test
  void anAlertWhoseStripeTheBatchHoldsIsLeftToRunAlone() throws Exception {
    Recording intake = new Recording("intake");
    AlertLocks locks = new AlertLocks(1); // one stripe: every alert shares it
    Pipeline p = pipeline(locks, intake);
    List<AlertEvent> events = List.of(event("k0"), event("k1"), event("k2"));
    List<CompletableFuture<?>> results = p.runAll(events, Collections.nCopies(events.size(), null));
    assertThat(intake.seen).as("only the first of the shared stripe ran in the batch").containsExactly("k0");
    assertThat(results.get(1)).isCompletedExceptionally();
    assertThat(results.get(2)).isCompletedExceptionally();
    publishes.forEach(f -> f.complete(null));
    results.get(0).get(5, TimeUnit.SECONDS);
    locks.acquire(events.get(0).alertKey(), 1000).release(); // throws if the batch kept the stripe
    // run alone, as the lane does next, it goes through
    List<CompletableFuture<?>> alone = p.runAll(List.of(events.get(1)), Collections.nCopies(1, null));
    publishes.forEach(f -> f.complete(null));
    alone.get(0).get(5, TimeUnit.SECONDS);
    assertThat(intake.seen).containsExactly("k0", "k1");
  }

  @Test
  void anErrorInAStageFailsTheLotAndGivesEveryStripeBack() throws Exception {
    AlertLocks locks = new AlertLocks(1024);
    Stage broken = new Stage() {
      @Override
      public String name() {
        return "silence";
      }

      @Override
      public Outcome apply(Notice n) {
        throw new AssertionError("a bug"); // an Error, which no stage catches
      }
    };
    Pipeline p = pipeline(locks, new Recording("intake"), broken);
    List<AlertEvent> events = List.of(event("a"), event("b"), event("c"));
    List<CompletableFuture<?>> results = p.runAll(events, Collections.nCopies(events.size(), null));
    assertThat(results).allSatisfy(f -> assertThat(f).isCompletedExceptionally());
    for (AlertEvent e : events) {
      locks.acquire(e.alertKey(), 1000).release(); // throws if a stripe was kept
    }
    assertThat(finished).isEmpty();
  }

  @Test
  void aBatchDoesNotWaitForAnAlertAnotherThreadHolds() throws Exception {
    Recording intake = new Recording("intake");
    AlertLocks locks = new AlertLocks(1024);
    Pipeline p = pipeline(locks, intake);
    List<AlertEvent> events = List.of(event("busy"), event("free"));
    java.util.concurrent.Semaphore held = locks.acquire(events.get(0).alertKey(), 1000); // a repeat going out
    long started = System.nanoTime();
    List<CompletableFuture<?>> results = p.runAll(events, Collections.nCopies(events.size(), null));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("no wait for the busy stripe")
        .isLessThan(5_000);
    assertThat(results.get(0)).isCompletedExceptionally();
    assertThat(intake.seen).containsExactly("free");
    held.release();
    publishes.forEach(f -> f.complete(null));
    results.get(1).get(5, TimeUnit.SECONDS);
  }

  @Test
  void twoBatchesSharingStripesNeverWaitOnEachOther() throws Exception {
    // many alerts over few stripes, two threads: taken out of order, they would deadlock at once
    AlertLocks locks = new AlertLocks(8);
    Recording intake = new Recording("intake");
    Pipeline p = pipeline(n -> CompletableFuture.runAsync(() -> {}), locks, intake);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    for (int t = 0; t < 2; t++) {
      int offset = t;
      threads.add(new Thread(() -> {
        try {
          for (int round = 0; round < 300; round++) {
            List<AlertEvent> batch = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
              // the two threads list the same stripes in opposite orders
              batch.add(event("t" + offset + "-" + round + "-" + (offset == 0 ? i : 7 - i)));
            }
            for (CompletableFuture<?> f : p.runAll(batch, Collections.nCopies(batch.size(), null))) {
              f.handle((r, e) -> {
                if (e != null && !(e instanceof Pipeline.RunAlone)) {
                  failures.add(e); // a stripe not had within the lock's timeout
                }
                return null;
              }).get(40, TimeUnit.SECONDS);
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join(60_000);
      assertThat(t.isAlive()).as("a batch waited on the other's stripes in a circle").isFalse();
    }
    assertThat(failures).isEmpty();
  }
}
