package io.vigil.policy.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.ControlChange;
import io.vigil.common.observability.MetricNames;
import io.vigil.common.tracing.TraceContext;
import io.vigil.common.tracing.Traceparent;
import io.vigil.policy.store.ControlMapper;
import io.vigil.policy.store.ControlStore;
import io.vigil.policy.store.OutboxBacklog;
import io.vigil.policy.store.OutboxRow;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes committed control changes from the outbox to {@code control.changes}: takes the oldest
 * rows present (whatever their seq: rows commit out of seq order), publishes them in seq order
 * (per entity that is version order), waits for Kafka's acknowledgement, then deletes them, all in
 * one transaction. Kafka down: nothing is deleted, the relay backs off and tries again, writes go
 * on. At-least-once; readers deduplicate by (key, version). One relay publishes at a time across
 * instances (the {@code outbox_relay} row is the baton).
 */
@Component
public class OutboxRelay implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
  private static final int BATCH = 500;

  private final ControlMapper mapper;
  private final VigilPublisher publisher;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final String region;
  private final Duration idlePoll;
  private final Counter published;
  private final Counter failures;
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong lagMs = new AtomicLong();
  private final Object signal = new Object();
  private volatile boolean woken;
  private volatile boolean running;
  private Thread thread;

  public OutboxRelay(ControlMapper mapper, VigilPublisher publisher, TransactionTemplate tx, Clock clock,
      ControlStore store, MeterRegistry registry, @Value("${vigil.region:local}") String region,
      @Value("${vigil.policy.outbox-poll:1s}") Duration idlePoll) {
    this.mapper = mapper;
    this.publisher = publisher;
    this.tx = tx;
    this.clock = clock;
    this.region = region;
    this.idlePoll = idlePoll;
    this.published = Counter.builder(MetricNames.OUTBOX_PUBLISHED)
        .description("control changes published from the outbox").register(registry);
    this.failures = Counter.builder(MetricNames.OUTBOX_PUBLISH_FAILURES)
        .description("relay rounds that failed (Kafka or MySQL unavailable); retried").register(registry);
    Gauge.builder(MetricNames.OUTBOX_PENDING, pending, AtomicLong::get)
        .description("committed control changes not yet published").register(registry);
    Gauge.builder(MetricNames.OUTBOX_LAG, lagMs, v -> v.get() / 1000.0).baseUnit("seconds")
        .description("age of the oldest unpublished control change").register(registry);
    store.onCommit(this::wake);
  }

  /** A change committed: relay now rather than at the next poll. */
  public void wake() {
    synchronized (signal) {
      woken = true;
      signal.notifyAll();
    }
  }

  private long lastMeasured;

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
        log.warn("outbox relay round failed, retrying in {} ms: {}", backoffMs, e.toString());
        safeMeasure();
        pause(backoffMs);
      }
    }
  }

  /** One round: publishes up to a batch of waiting changes; returns how many. */
  public int relayOnce() {
    Integer n = tx.execute(status -> {
      if (mapper.takeRelayBaton().isEmpty()) {
        return 0; // another instance is relaying
      }
      List<OutboxRow> rows = mapper.takeOutbox(BATCH);
      if (rows.isEmpty()) {
        return 0;
      }
      List<CompletableFuture<?>> sends = new ArrayList<>(rows.size());
      for (OutboxRow row : rows) {
        ControlChange change = new ControlChange(ControlChange.SCHEMA_VERSION,
            ControlChange.EntityType.valueOf(row.entityType), row.entityId, region, row.tenant, row.version,
            ChangeOp.valueOf(row.op), row.createdAtMs, row.namespace, row.shard);
        Traceparent tp = row.traceparent == null ? null : Traceparent.parse(row.traceparent);
        try (var scope = TraceContext.bind(tp)) {
          sends.add(publisher.publish(Topics.CONTROL_CHANGES, change));
        }
      }
      try {
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while publishing control changes", e);
      } catch (Exception e) {
        throw new IllegalStateException("control changes not acknowledged by Kafka: " + e, e);
      }
      mapper.deleteOutbox(rows.stream().map(r -> r.seq).toList());
      return rows.size();
    });
    if (n != null && n > 0) {
      published.increment(n);
      log.debug("published {} control changes", n);
    }
    return n == null ? 0 : n;
  }

  private void measure() {
    OutboxBacklog b = mapper.outboxEnds(); // null when the outbox is empty (a row of NULLs)
    pending.set(b == null ? 0 : b.pending());
    Long oldest = b == null || b.first == null ? null : mapper.outboxCreatedAt(b.first);
    lagMs.set(oldest == null ? 0 : Math.max(0, clock.millis() - oldest));
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
