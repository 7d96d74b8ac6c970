package io.vigil.common.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.vigil.common.observability.MetricNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;

/**
 * A work consumer whose records run on key-ordered lanes: records of one key run one at a time in
 * partition order; different keys run in parallel on a pool of lane threads, any idle thread taking
 * the next key that has work ({@link KeyOrderedQueue}). The notifier's pipeline: one slow or waiting
 * alert holds one thread, not the alerts behind it; two events of one alert never overtake each
 * other. One poll thread owns the Kafka consumer; lane threads only run handlers.
 *
 * <ul>
 *   <li>Commits: per partition, the highest offset below which every record is finished ({@link
 *       PartitionProgress}); never past a record still running or waiting for a dependency.
 *   <li>Backpressure: a partition with {@code maxInFlight} unfinished records is paused and resumed
 *       when half are done, so lane queues stay bounded.
 *   <li>Rebalance (cooperative): partitions being revoked are drained (their records in hand
 *       finish, up to {@code vigil.kafka.drain-timeout}), committed, then handed back; records of a
 *       partition that moved away anyway are not run any more and are redelivered to the new owner.
 *   <li>Stop: polling stops, the lanes drain up to the same timeout, what finished is committed.
 * </ul>
 */
public final class LaneConsumer<V> extends PollThread {

  private static final Logger log = LoggerFactory.getLogger(LaneConsumer.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final ConsumerKit kit;
  private final ConsumerSpec<V> spec;
  private final AsyncRecordHandler<V> handler;
  private final ProgressHandler progressHandler;
  private final int maxInFlight;
  private final String group;
  private final String name;
  private final TopicRouting<V> routing;
  private final ConsumerRecordRecoverer deadLetters;
  private final KeyOrderedQueue<Task> queue = new KeyOrderedQueue<>();
  private final List<Worker> workers = new ArrayList<>();
  /** Owned by the poll thread; lane threads reach a partition's progress through their task. */
  private final Map<TopicPartition, PartitionProgress> progress = new ConcurrentHashMap<>();
  private final Set<TopicPartition> paused = new HashSet<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final int maxBatch;
  private final LaneBatchHandler<V> batchHandler;
  private final io.micrometer.core.instrument.DistributionSummary batchSizes;


  LaneConsumer(ConsumerKit kit, ConsumerSpec<V> spec, int laneCount, int maxInFlight, AsyncRecordHandler<V> handler) {
    this(kit, spec, laneCount, maxInFlight, handler, 1, null);
  }

  /**
   * @param handler runs one record (alone, or again after its batch failed it)
   * @param maxBatch keys a lane takes at once; above 1, {@code batchHandler} runs them together
   */
  LaneConsumer(ConsumerKit kit, ConsumerSpec<V> spec, int laneCount, int maxInFlight, AsyncRecordHandler<V> handler,
      int maxBatch, LaneBatchHandler<V> batchHandler) {
    this.maxBatch = batchHandler == null ? 1 : maxBatch;
    this.batchHandler = batchHandler;
    if (laneCount < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException("lanes and max in flight must be >= 1");
    }
    this.kit = kit;
    this.spec = spec;
    this.handler = handler;
    this.progressHandler = spec.progressHandler();
    this.maxInFlight = maxInFlight;
    this.group = kit.naming.group(spec.purpose());
    this.name = kit.consumerName(spec.purpose());
    this.routing = spec.routing();
    this.deadLetters = kit.deadLetters(group, name, routing::meters);
    for (int i = 0; i < laneCount; i++) {
      workers.add(new Worker(i));
    }
    kit.states.register(name, true);
    Tags tags = Tags.of(MetricNames.TAG_CONSUMER, name);
    Gauge.builder(MetricNames.KAFKA_LANE_QUEUED, queue, KeyOrderedQueue::size)
        .tags(tags).description("records queued or running in the key-ordered lanes").register(kit.registry);
    Gauge.builder(MetricNames.KAFKA_PARTITION_IN_FLIGHT, inFlight, AtomicInteger::get).tags(tags)
        .description("records handed to lanes and not yet finished").register(kit.registry);
    this.batchSizes = this.batchHandler == null ? null
        : io.micrometer.core.instrument.DistributionSummary.builder(MetricNames.KAFKA_LANE_BATCH).tags(tags)
            .description("records a lane took at once (one per key) and handed to the batch handler")
            .register(kit.registry);
  }

  @Override
  protected String threadName() {
    return "vigil-" + name + "-poll";
  }

  @Override
  protected long stopWaitMs() {
    return kit.properties.drainTimeout().toMillis() + 10_000;
  }

  @Override
  protected void beforeStart() {
    workers.forEach(Worker::start);
  }

  @Override
  protected void afterStop() {
    workers.forEach(Worker::stop);
  }

  /** Partitions this instance owns now (for tests and diagnostics). */
  public Set<TopicPartition> assignment() {
    return Set.copyOf(progress.keySet());
  }

  @Override
  protected void loop() {
    try (Consumer<String, byte[]> c = kit.consumerFactory.createConsumer(group, name, null,
        kit.consumerProperties(spec.startAt(), routing))) {
      consumer = c;
      if (routing.isPattern()) {
        c.subscribe(routing.pattern(), new Rebalance(c));
      } else {
        c.subscribe(List.of(routing.names()), new Rebalance(c));
      }
      while (!stopping) {
        try {
          commitFinished(c, progress.keySet());
          applyBackpressure(c);
          ConsumerRecords<String, byte[]> records = c.poll(POLL);
          for (TopicPartition tp : records.partitions()) {
            for (ConsumerRecord<String, byte[]> rec : records.records(tp)) {
              try {
                handOut(rec);
              } catch (RuntimeException e) {
                // never move past a record that was not handed out: read it again next poll
                log.warn("consumer {} could not hand out {}@{}: {}", name, tp, rec.offset(), e.toString());
                c.seek(tp, rec.offset());
                break;
              }
            }
          }
        } catch (WakeupException e) {
          // stopping
        } catch (RuntimeException e) {
          log.warn("consumer {} poll failed: {}", name, e.toString());
          sleepQuietly(kit.properties.retryBackoff().toMillis());
        }
      }
      drain(progress.keySet());
      commitFinished(c, progress.keySet());
      progress.values().forEach(PartitionProgress::revoke);
    } catch (RuntimeException e) {
      log.error("consumer {} stopped on an error", name, e);
    } finally {
      consumer = null;
    }
  }

  private void handOut(ConsumerRecord<String, byte[]> rec) {
    TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
    PartitionProgress p = progress.get(tp);
    if (p == null) {
      return; // not ours any more; the new owner reads it
    }
    if (!p.accepts(rec.offset())) {
      // the position went back (an offset reset after truncation): finish what is in hand, start afresh
      log.warn("consumer {} sees {} rewound to {}; draining and starting that partition afresh", name, tp,
          rec.offset());
      drain(List.of(tp));
      p.revoke();
      p = new PartitionProgress();
      progress.put(tp, p);
    }
    p.handedOut(rec.offset());
    inFlight.incrementAndGet();
    // a record without a key keeps its partition's order
    queue.add(rec.key() == null ? "\u0000partition-" + rec.partition() : rec.key(), new Task(rec, p));
  }

  private void applyBackpressure(Consumer<String, byte[]> c) {
    List<TopicPartition> pause = new ArrayList<>();
    List<TopicPartition> resume = new ArrayList<>();
    progress.forEach((tp, p) -> {
      int n = p.inFlight();
      if (n >= maxInFlight && paused.add(tp)) {
        pause.add(tp);
      } else if (n <= maxInFlight / 2 && paused.remove(tp)) {
        resume.add(tp);
      }
    });
    if (!pause.isEmpty()) {
      c.pause(pause);
    }
    if (!resume.isEmpty()) {
      c.resume(resume);
    }
  }

  private void commitFinished(Consumer<String, byte[]> c, Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : partitions) {
      PartitionProgress p = progress.get(tp);
      long position = p == null ? -1 : p.toCommit();
      if (position >= 0) {
        offsets.put(tp, new OffsetAndMetadata(position));
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    try {
      c.commitSync(offsets, Duration.ofSeconds(5));
      offsets.forEach((tp, o) -> {
        PartitionProgress p = progress.get(tp);
        if (p != null) {
          p.committed(o.offset());
        }
      });
    } catch (RuntimeException e) {
      log.debug("consumer {} commit deferred: {}", name, e.toString());
    }
  }

  /** Waits until the partitions' records in hand are finished, up to the drain timeout. */
  private void drain(Collection<TopicPartition> partitions) {
    long deadline = System.nanoTime() + kit.properties.drainTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      boolean busy = false;
      for (TopicPartition tp : partitions) {
        PartitionProgress p = progress.get(tp);
        busy |= p != null && !p.revoked() && p.inFlight() > 0; // a revoked one's records will not finish
      }
      if (!busy) {
        return;
      }
      sleepQuietly(10);
    }
    log.warn("consumer {} gave up draining {} after {}; their unfinished records are redelivered", name,
        partitions, kit.properties.drainTimeout());
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Rebalance implements ConsumerRebalanceListener {
    private final Consumer<String, byte[]> c;

    Rebalance(Consumer<String, byte[]> c) {
      this.c = c;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        progress.put(tp, new PartitionProgress());
      }
      kit.seekUncommitted(c, partitions, spec.startAt());
      kit.hook(name, () -> spec.hook().assigned(partitions));
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      drain(partitions);
      commitFinished(c, partitions);
      letGo(partitions);
      kit.hook(name, () -> spec.hook().revoked(partitions));
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      letGo(partitions); // another member owns them already: nothing may be committed
      kit.hook(name, () -> spec.hook().lost(partitions));
    }

    private void letGo(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        PartitionProgress p = progress.remove(tp);
        if (p != null) {
          p.revoke();
        }
        paused.remove(tp);
      }
    }
  }

  private record Task(ConsumerRecord<String, byte[]> rec, PartitionProgress progress) {}

  /** One worker thread: takes the next key nobody runs and runs that key's next record. */
  private final class Worker {
    final int index;
    Thread thread;

    Worker(int index) {
      this.index = index;
    }

    void start() {
      thread = new Thread(this::loop, "vigil-" + name + "-lane-" + index);
      thread.setDaemon(true);
      thread.start();
    }

    void stop() {
      Thread t = thread;
      if (t != null) {
        t.interrupt();
        try {
          t.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void loop() {
      if (batchHandler != null) {
        batchLoop();
        return;
      }
      while (!Thread.currentThread().isInterrupted()) {
        KeyOrderedQueue.Taken<Task> taken;
        try {
          taken = queue.take(100);
        } catch (InterruptedException e) {
          return;
        }
        if (taken == null) {
          continue;
        }
        try {
          runAlone(taken.item());
        } catch (InterruptedException e) {
          return;
        } finally {
          inFlight.decrementAndGet();
          queue.done(taken.key());
        }
      }
    }

    /** Runs one record to completion: retried, waiting on a dependency, or dead-lettered. */
    private void runAlone(Task task) throws InterruptedException {
      try {
        Topic<V> topic = routing.topic(task.rec().topic());
        boolean done = !task.progress().revoked() && kit.runToCompletion(topic, task.rec(),
            routing.meters(task.rec().topic()), r -> kit.await(handler.handle(r)), progressHandler, name, deadLetters,
            task.progress()::revoked);
        if (done) {
          task.progress().finished(task.rec().offset());
        }
      } catch (InterruptedException e) {
        throw e;
      } catch (Throwable unexpected) {
        // an Error or a bug outside the handler's own failures: the lane thread must live on, and
        // the record must not block its key and partition forever: dead-letter it as failed
        log.error("consumer {} failed on {}@{} outside the handler", name, task.rec().topic(), task.rec().offset(),
            unexpected);
        try {
          deadLetters.accept(task.rec(), new ConsumerKit.WorkFailed(unexpected));
          task.progress().finished(task.rec().offset());
        } catch (RuntimeException deadLetterFailed) {
          log.error("consumer {} could not dead-letter {}@{}; its partition waits", name, task.rec().topic(),
              task.rec().offset(), deadLetterFailed);
        }
      }
    }

    private void batchLoop() {
      while (!Thread.currentThread().isInterrupted()) {
        List<KeyOrderedQueue.Taken<Task>> taken;
        try {
          taken = queue.takeBatch(maxBatch, workers.size(), 100);
        } catch (InterruptedException e) {
          return;
        }
        if (taken.isEmpty()) {
          continue;
        }
        Set<String> released = new HashSet<>();
        try {
          runBatch(taken, released);
        } catch (InterruptedException e) {
          return;
        } finally {
          for (KeyOrderedQueue.Taken<Task> t : taken) {
            if (!released.contains(t.key())) {
              release(t.key());
            }
          }
        }
      }
    }

    private void release(String key) {
      inFlight.decrementAndGet();
      queue.done(key);
    }

    /**
     * Runs one record of each of several keys through the batch handler. What the batch cannot
     * finish (an unreadable record, a progress marker, a failed or late stage, or anything that goes
     * wrong around the handler) runs alone after it, before the key's next record is taken, so
     * per-key order and the retry rules are the ones a record alone has. The keys the batch finished
     * are handed back first: a record run alone that waits on a dependency holds only its own key.
     */
    private void runBatch(List<KeyOrderedQueue.Taken<Task>> taken, Set<String> released)
        throws InterruptedException {
      List<KeyOrderedQueue.Taken<Task>> alone = new ArrayList<>();
      List<KeyOrderedQueue.Taken<Task>> tasks = new ArrayList<>(taken.size());
      List<ConsumedRecord<V>> records = new ArrayList<>(taken.size());
      for (KeyOrderedQueue.Taken<Task> t : taken) {
        Task task = t.item();
        ConsumerRecord<String, byte[]> rec = task.rec();
        if (task.progress().revoked()) {
          continue; // not ours any more: the new owner reads it
        }
        if (progressHandler != null && Topics.isProgressMarker(rec.headers())) {
          alone.add(t);
          continue;
        }
        try {
          records.add(kit.decode(routing.topic(rec.topic()), rec, ConsumerKit.traceOf(rec)));
          tasks.add(t);
        } catch (RuntimeException invalid) {
          alone.add(t); // dead-lettered there, with its reason
        }
      }
      boolean[] finished = new boolean[tasks.size()];
      try {
        if (!records.isEmpty()) {
          runHandler(tasks, records, finished);
        }
      } catch (Exception | Error unexpected) {
        // the handler's own failures are answers; this is a bug around it: what did not finish runs alone
        log.error("consumer {}: a batch of {} failed outside its handler; each unfinished record runs alone", name,
            records.size(), unexpected);
      }
      for (int i = 0; i < finished.length; i++) {
        if (!finished[i]) {
          alone.add(tasks.get(i));
        }
      }
      // a batch holds one record per key (KeyOrderedQueue.takeBatch), so a key names its record
      Set<String> aloneKeys = new java.util.HashSet<>();
      alone.forEach(t -> aloneKeys.add(t.key()));
      for (KeyOrderedQueue.Taken<Task> t : taken) {
        if (!aloneKeys.contains(t.key())) {
          released.add(t.key());
          release(t.key());
        }
      }
      for (KeyOrderedQueue.Taken<Task> t : alone) {
        runAlone(t.item());
      }
    }

    /** Hands the records to the batch handler and marks those whose stage completed in time. */
    private void runHandler(List<KeyOrderedQueue.Taken<Task>> tasks, List<ConsumedRecord<V>> records,
        boolean[] finished) throws InterruptedException {
      batchSizes.record(records.size());
      long start = System.nanoTime();
      long startMs = kit.clock.millis();
      List<? extends java.util.concurrent.CompletionStage<?>> stages;
      try (io.vigil.common.logging.LogContext ctx = io.vigil.common.logging.LogContext.with(
          io.vigil.common.logging.LogKeys.TOPIC, records.get(0).topic())) {
        stages = batchHandler.handle(records);
      } catch (Exception e) {
        log.debug("consumer {}: a batch of {} failed as a whole ({}); each runs alone", name, records.size(),
            e.toString());
        return;
      }
      if (stages == null || stages.size() != records.size()) {
        log.error("consumer {}: the batch handler answered {} results for {} records; each runs alone", name,
            stages == null ? "null" : stages.size(), records.size());
        return;
      }
      java.util.concurrent.CompletableFuture<?>[] all = new java.util.concurrent.CompletableFuture<?>[stages.size()];
      for (int i = 0; i < all.length; i++) {
        all[i] = stages.get(i) == null ? java.util.concurrent.CompletableFuture.completedFuture(null)
            : stages.get(i).toCompletableFuture();
      }
      try {
        java.util.concurrent.CompletableFuture.allOf(all)
            .get(kit.properties.handlerTimeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // some failed or are late: each is looked at below
      }
      int done = 0;
      for (int i = 0; i < all.length; i++) {
        finished[i] = all[i].isDone() && !all[i].isCompletedExceptionally();
        if (!finished[i]) {
          all[i].cancel(true); // best effort: the run alone must not overlap a live one
        } else {
          done++;
        }
      }
      // the batch's time shared among the records it finished: the processing timer keeps its meaning
      long elapsed = done == 0 ? 0 : (System.nanoTime() - start) / done;
      for (int i = 0; i < all.length; i++) {
        if (finished[i]) {
          Task task = tasks.get(i).item();
          ConsumerRecord<String, byte[]> rec = task.rec();
          ConsumerMeters meters = routing.meters(rec.topic());
          meters.consumed(ConsumerKit.producedAt(records.get(i).value(), rec), startMs);
          meters.processed(elapsed);
          task.progress().finished(rec.offset());
        }
      }
      if (done > 0) {
        kit.states.running(name);
      }
    }
  }
}
