package io.vigil.common.kafka;

import io.vigil.common.error.ErrorClassifier;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;
import org.springframework.util.backoff.BackOffExecution;

/**
 * A cache consumer that every instance runs for itself: no consumer group, every partition
 * assigned, nothing committed. Start-up order is what makes the copy complete:
 *
 * <ol>
 *   <li>capture the end offsets of every partition;
 *   <li>{@link From#SNAPSHOT}: load the snapshot from the owner's tables (retried while the store is
 *       down), then read from the captured offsets; {@link From#BEGINNING}: read from the start of
 *       the topic (a compacted topic that carries whole content);
 *   <li>apply every record; once the positions reach the captured offsets the consumer is caught up
 *       and readiness ({@code consumers}) turns up.
 * </ol>
 *
 * A change may arrive twice or overlap the snapshot, so handlers deduplicate by (key, version)
 * ({@link VersionGate}). Failures are classified like everywhere else; an invalid change is
 * dead-lettered (by each instance that reads it).
 */
public final class BroadcastConsumer<V> extends PollThread {

  /** Where a broadcast consumer starts. */
  public enum From { SNAPSHOT, BEGINNING }

  private static final Logger log = LoggerFactory.getLogger(BroadcastConsumer.class);

  private final ConsumerKit kit;
  private final Topic<V> topic;
  private final String name;
  private final From from;
  private final SnapshotLoader snapshot;
  private final RecordHandler<V> handler;
  private final ConsumerMeters meters;
  private final ConsumerRecordRecoverer deadLetters;
  /** When the end offsets last reached were asked for (monotonic); meaningless while not {@link #confirmed}. */
  private volatile long confirmedAtNanos;
  /** False from each (re)start until the first confirmation. */
  private volatile boolean confirmed;
  static final long CONFIRM_EVERY_MS = 5_000;
  static final long CONFIRM_WINDOW_MS = 15_000;

  BroadcastConsumer(ConsumerKit kit, Topic<V> topic, String purpose, From from, SnapshotLoader snapshot,
      RecordHandler<V> handler) {
    if (purpose == null || !purpose.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("purpose must be a fixed lower-case word: " + purpose);
    }
    this.kit = kit;
    this.topic = topic;
    this.name = kit.consumerName(purpose);
    this.from = java.util.Objects.requireNonNull(from, "from");
    this.snapshot = java.util.Objects.requireNonNull(snapshot, "snapshot");
    this.handler = java.util.Objects.requireNonNull(handler, "handler");
    this.meters = new ConsumerMeters(kit.registry, topic.base());
    this.deadLetters = kit.deadLetters(kit.naming.service() + "." + purpose + ".broadcast", name,
        name -> meters);
    kit.states.register(name, false);
  }

  @Override
  protected String threadName() {
    return "vigil-" + name;
  }

  @Override
  protected void afterStop() {
    confirmed = false;
  }

  /**
   * The end offsets now, for a confirmation; null when the broker does not answer in 2 s, or answers
   * with an error (then the poll goes on and the claim lapses).
   */
  private Map<TopicPartition, Long> askEnds(Consumer<String, byte[]> c, List<TopicPartition> partitions) {
    try {
      return new HashMap<>(c.endOffsets(partitions, Duration.ofSeconds(2)));
    } catch (WakeupException e) {
      throw e;
    } catch (RuntimeException e) {
      log.debug("broadcast consumer {}: end offsets not answered ({})", name, e.toString());
      return null;
    }
  }

  @Override
  protected long stopWaitMs() {
    return 10_000;
  }

  /** True once the snapshot is in and the captured end offsets are reached. */
  public boolean caughtUp() {
    ConsumerStates.State s = kit.states.state(name);
    return s != null && s.caughtUp();
  }

  /**
   * True while the copy is known to follow the topic: caught up, not starting over after a failure,
   * and every record the topic held {@link #CONFIRM_WINDOW_MS} ago or later read. The consumer asks
   * the broker for the end offsets every {@link #CONFIRM_EVERY_MS} and confirms once its positions
   * reach them; a broker that stops answering (a poll that simply returns nothing) lets this turn
   * false within the window. A near cache answers only while this holds.
   */
  public boolean following() {
    ConsumerStates.State s = kit.states.state(name);
    return s != null && s.caughtUp() && !s.waiting() && !stopping && confirmed
        && System.nanoTime() - confirmedAtNanos <= CONFIRM_WINDOW_MS * 1_000_000L;
  }

  @Override
  protected void loop() {
    // a failure of the start-up or of the consumer itself starts it all again after a pause (a new
    // snapshot and new end offsets): a broadcast cache never stays behind for good
    org.springframework.util.backoff.BackOffExecution waits = kit.dependencyBackOff().start();
    while (!stopping) {
      if (run()) {
        return;
      }
      try {
        pause(waits.nextBackOff());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One life of the consumer; true when it ended because it is stopping, false after a failure. */
  private boolean run() {
    Properties props = new Properties();
    props.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    confirmed = false; // starting (again): nothing read so far is known to be complete
    try (Consumer<String, byte[]> c = kit.consumerFactory.createConsumer(null, name, null, props)) {
      consumer = c;
      List<TopicPartition> partitions = awaitPartitions(c);
      if (partitions == null) {
        return true;
      }
      kit.states.running(name);
      c.assign(partitions);
      long askedAt = System.nanoTime();
      Map<TopicPartition, Long> ends = new HashMap<>(c.endOffsets(partitions, Duration.ofSeconds(30)));
      if (from == From.SNAPSHOT) {
        if (!loadSnapshot()) {
          return true;
        }
        ends.forEach(c::seek);
      } else {
        c.seekToBeginning(partitions);
      }
      boolean caughtUp = false;
      String kafkaTopic = kit.naming.topic(topic);
      Map<TopicPartition, Long> asked = ends;
      while (!stopping) {
        try {
          if (asked != null && reached(c, asked)) {
            confirmedAtNanos = askedAt;
            confirmed = true;
            asked = null;
            if (!caughtUp) {
              caughtUp = true;
              kit.states.caughtUp(name);
              log.info("broadcast consumer {} caught up on {}", name, kafkaTopic);
            }
          }
          if (caughtUp && asked == null && System.nanoTime() - askedAt >= CONFIRM_EVERY_MS * 1_000_000L) {
            askedAt = System.nanoTime(); // also when unanswered: asked again only after the interval
            asked = askEnds(c, partitions);
          }
          for (ConsumerRecord<String, byte[]> rec : c.poll(Duration.ofMillis(200))) {
            if (!kit.runToCompletion(topic, rec, meters, handler::handle, null, name, deadLetters, () -> stopping)) {
              return true;
            }
          }
        } catch (WakeupException e) {
          // stopping
        } catch (RuntimeException e) {
          log.warn("broadcast consumer {} poll failed: {}", name, e.toString());
          pause(kit.properties.retryBackoff().toMillis());
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    } catch (WakeupException e) {
      return true; // stopping before the first poll
    } catch (RuntimeException e) {
      ErrorClassifier.Verdict verdict = ErrorClassifier.classify(e);
      kit.states.waiting(name, verdict.retriable() ? verdict.dependency() : "unknown", e);
      log.warn("broadcast consumer {} failed ({}); starting again", name, e.toString());
      return stopping;
    } finally {
      consumer = null;
    }
  }

  private List<TopicPartition> awaitPartitions(Consumer<String, byte[]> c) throws InterruptedException {
    String kafkaTopic = kit.naming.topic(topic);
    BackOffExecution waits = kit.dependencyBackOff().start();
    while (!stopping) {
      try {
        List<PartitionInfo> infos = c.partitionsFor(kafkaTopic, Duration.ofSeconds(10));
        if (infos != null && !infos.isEmpty()) {
          return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        }
        kit.states.waiting(name, "kafka", null);
      } catch (RuntimeException e) {
        if (e instanceof WakeupException) {
          return null;
        }
        kit.states.waiting(name, "kafka", e);
      }
      pause(waits.nextBackOff());
    }
    return null;
  }

  private boolean loadSnapshot() throws InterruptedException {
    BackOffExecution waits = kit.dependencyBackOff().start();
    while (!stopping) {
      try {
        long start = System.nanoTime();
        snapshot.load();
        kit.states.running(name);
        log.info("broadcast consumer {} loaded its snapshot in {} ms", name, (System.nanoTime() - start) / 1_000_000);
        return true;
      } catch (Exception e) {
        ErrorClassifier.Verdict verdict = ErrorClassifier.classify(e);
        kit.states.waiting(name, verdict.retriable() ? verdict.dependency() : "unknown", e);
        if (!verdict.retriable()) {
          log.error("broadcast consumer {} could not load its snapshot; retrying", name, e);
        }
        pause(waits.nextBackOff());
      }
    }
    return false;
  }

  private static boolean reached(Consumer<String, byte[]> c, Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
