package io.vigil.common.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.observability.MetricNames;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes committed changes from a service's outbox table to Kafka: takes the oldest rows present
 * (whatever their seq: rows commit out of seq order), publishes them in seq order (per entity that
 * is version order), waits for Kafka's acknowledgement, then deletes them, all in one transaction.
 * Kafka down: nothing is deleted, the relay backs off and tries again, writes go on. At-least-once;
 * readers deduplicate by (key, version). One relay publishes at a time across instances (the
 * outbox's baton row). policy-service relays {@code control.changes} with it, cmdb-service {@code
 * cmdb.changes}.
 *
 * @param <R> a row of the outbox table
 */
public final class OutboxRelay<R> implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
  /** Rows per round: one transaction, one wait for Kafka. */
  public static final int BATCH = 500;

  private final String name;
  private final Outbox<R> outbox;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Duration idlePoll;
  private final Counter published;
  private final Counter failures;
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong lagMs = new AtomicLong();
  private final Object signal = new Object();
  private volatile boolean woken;
  private volatile boolean running;
  private long lastMeasured;
  private Thread thread;

  /**
   * @param name what is relayed, for logs and the thread name (e.g. {@code control changes})
   * @param idlePoll how long the relay sleeps when nothing waits and nothing woke it
   */
  public OutboxRelay(String name, Outbox<R> outbox, TransactionTemplate tx, Clock clock, MeterRegistry registry,
      Duration idlePoll) {
    this.name = name;
    this.outbox = outbox;
    this.tx = tx;
    this.clock = clock;
    this.idlePoll = idlePoll;
    this.published = Counter.builder(MetricNames.OUTBOX_PUBLISHED)
        .description(name + " published from the outbox").register(registry);
    this.failures = Counter.builder(MetricNames.OUTBOX_PUBLISH_FAILURES)
        .description("relay rounds that failed (Kafka or MySQL unavailable); retried").register(registry);
    Gauge.builder(MetricNames.OUTBOX_PENDING, pending, AtomicLong::get)
        .description("committed " + name + " not yet published").register(registry);
    Gauge.builder(MetricNames.OUTBOX_LAG, lagMs, v -> v.get() / 1000.0).baseUnit("seconds")
        .description("age of the oldest unpublished change").register(registry);
  }

  /** A change committed: relay now rather than at the next poll. */
  public void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  private void loop() {
    long backoffMs = 0;
    while (running) {
      try {
        int n = relayOnce();
        backoffMs = 0;
        if (n == BATCH) {
          continue; // more waiting: no pause
        }
        long now = System.nanoTime();
        if (now - lastMeasured > 1_000_000_000L) {
          measure(); // the gauges at most once a second: under load the relay wakes at every commit
          lastMeasured = now;
        }
        pause(idlePoll.toMillis());
      } catch (RuntimeException e) {
        failures.increment();
        backoffMs = Math.min(Math.max(200, backoffMs * 2), 5_000);
        log.warn("outbox relay of {} failed, retrying in {} ms: {}", name, backoffMs, e.toString());
        safeMeasure();
        pause(backoffMs);
      }
    }
  }

  /** One round: publishes up to a batch of waiting changes; returns how many. */
  public int relayOnce() {
    Integer n = tx.execute(status -> {
      if (!outbox.takeBaton()) {
        return 0; // another instance is relaying
      }
      List<R> rows = outbox.take(BATCH);
      if (rows.isEmpty()) {
        return 0;
      }
      List<CompletableFuture<?>> sends = new ArrayList<>(rows.size());
      for (R row : rows) {
        sends.add(outbox.publish(row));
      }
      try {
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while publishing " + name, e);
      } catch (Exception e) {
        throw new IllegalStateException(name + " not acknowledged by Kafka: " + e, e);
      }
      outbox.delete(rows);
      return rows.size();
    });
    if (n != null && n > 0) {
      published.increment(n);
      log.debug("published {} {}", n, name);
    }
    return n == null ? 0 : n;
  }

  private void measure() {
    Outbox.Backlog b = outbox.backlog();
    pending.set(b.pending());
    lagMs.set(b.pending() == 0 || b.oldestCreatedAtMs() <= 0 ? 0 : Math.max(0, clock.millis() - b.oldestCreatedAtMs()));
  }

  private void safeMeasure() {
    try {
      measure();
    } catch (RuntimeException ignored) {
      // MySQL itself may be what is down; the gauges keep their last values
    }
  }

  private void pause(long millis) {
    synchronized (signal) {
      if (!woken && running) {
        try {
          signal.wait(millis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          running = false;
        }
      }
      woken = false;
    }
  }

  @Override
  public void start() {
    running = true;
    thread = new Thread(this::loop, "vigil-outbox-relay");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void stop() {
    running = false;
    wake();
    Thread t = thread;
    if (t != null) {
      try {
        t.join(20_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
