package io.vigil.common.kafka;

import java.util.List;
import java.util.Objects;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * A work consumer being declared: its topics, purpose (the group is {@code
 * <prefix><service>.<purpose>}), where a new group starts, and a rebalance hook; then one of the
 * kinds below makes it. Groups use cooperative rebalancing, so a rebalance moves only the
 * partitions that change owner.
 *
 * <ul>
 *   <li>{@link #records}: one record at a time per partition, in order.
 *   <li>{@link #recordsAsync}: the same, waiting for the handler's returned stage (a publish) before
 *       the record counts as done.
 *   <li>{@link #batches}: the valid records of a poll at once (bulk indexing), same guarantees.
 *   <li>{@link #lanes}: records spread over key-ordered lanes that run in parallel; per partition
 *       only the highest contiguous finished offset is committed.
 * </ul>
 */
public final class ConsumerSpec<V> {

  private final ConsumerKit kit;
  private final List<Topic<V>> topics;
  private final java.util.regex.Pattern pattern;
  private final java.util.function.Function<String, Topic<V>> declare;
  private final String purpose;
  private final StartAt startAt;
  private PartitionHook hook = PartitionHook.NONE;
  private ProgressHandler progress;
  private java.util.function.Predicate<String> keys;

  ConsumerSpec(ConsumerKit kit, List<Topic<V>> topics, String purpose, StartAt startAt) {
    this(kit, topics, null, null, purpose, startAt);
    if (topics == null || topics.isEmpty()) {
      throw new IllegalArgumentException("no topics for " + purpose);
    }
  }

  /** Topics matching {@code pattern}, present and future; {@code declare} gives a matching topic's declaration. */
  ConsumerSpec(ConsumerKit kit, java.util.regex.Pattern pattern, java.util.function.Function<String, Topic<V>> declare,
      String purpose, StartAt startAt) {
    this(kit, null, pattern, declare, purpose, startAt);
  }

  private ConsumerSpec(ConsumerKit kit, List<Topic<V>> topics, java.util.regex.Pattern pattern,
      java.util.function.Function<String, Topic<V>> declare, String purpose, StartAt startAt) {
    if (purpose == null || !purpose.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException("purpose must be a fixed lower-case word: " + purpose);
    }
    this.kit = kit;
    this.topics = topics == null ? null : List.copyOf(topics);
    this.pattern = pattern;
    this.declare = declare;
    this.purpose = purpose;
    this.startAt = Objects.requireNonNull(startAt, "every consumer states where a new group starts");
  }

  /** Told of partitions gained and lost (restore state, drain work). */
  public ConsumerSpec<V> hook(PartitionHook hook) {
    this.hook = Objects.requireNonNull(hook, "hook");
    return this;
  }

  /** Rollup topics: the aggregator's progress markers go to {@code handler}, in partition order. */
  public ConsumerSpec<V> progress(ProgressHandler handler) {
    this.progress = Objects.requireNonNull(handler, "handler");
    return this;
  }

  /** Rollup topics: the aggregator's progress markers are skipped (counted as consumed), said on purpose. */
  public ConsumerSpec<V> ignoringProgress() {
    return progress(ProgressHandler.IGNORE);
  }

  /**
   * Only records whose key {@code keep} accepts are decoded and handled; the others are skipped as
   * they are read, undecoded (counted as consumed). For a consumer that wants a small part of a large
   * topic it cannot be given a topic of its own for, e.g. the rollups of the series with open alerts.
   * A record without a key, and a progress marker, is always handled. {@link #records} and {@link
   * #recordsAsync} only.
   */
  public ConsumerSpec<V> onlyKeys(java.util.function.Predicate<String> keep) {
    this.keys = Objects.requireNonNull(keep, "keep");
    return this;
  }

  /** The key filter, or null when every record is handled. */
  java.util.function.Predicate<String> keyFilter() {
    return keys;
  }

  private void recordsOnly(String what) {
    if (keys != null) {
      throw new IllegalStateException("consumer '" + purpose + "': onlyKeys is for records(...) and recordsAsync(...), not " + what);
    }
  }

  /**
   * The progress handler, or null for topics without markers; a consumer of rollup topics that said
   * nothing about them is refused when built.
   */
  ProgressHandler progressHandler() {
    boolean rollups = topics == null || topics.stream().anyMatch(t -> t.valueType() == io.vigil.common.model.Rollup.class);
    if (rollups && progress == null) {
      throw new IllegalStateException("consumer '" + purpose + "' reads rollup topics, which carry the aggregator's"
          + " progress markers: say .progress(handler) or .ignoringProgress()");
    }
    return progress;
  }

  public ConcurrentMessageListenerContainer<String, byte[]> records(RecordHandler<V> handler) {
    Objects.requireNonNull(handler, "handler");
    return kit.recordContainer(this, handler::handle);
  }

  public ConcurrentMessageListenerContainer<String, byte[]> recordsAsync(AsyncRecordHandler<V> handler) {
    Objects.requireNonNull(handler, "handler");
    return kit.recordContainer(this, record -> kit.await(handler.handle(record)));
  }

  public ConcurrentMessageListenerContainer<String, byte[]> batches(BatchHandler<V> handler) {
    Objects.requireNonNull(handler, "handler");
    recordsOnly("batches(...)");
    return kit.batchContainer(this, handler);
  }

  /**
   * Key-ordered lanes: records of one key run one at a time in order, different keys in parallel on
   * {@code threads} lane threads. A partition is paused while {@code maxInFlightPerPartition} of its
   * records are unfinished and resumed when half of them are done.
   */
  public LaneConsumer<V> lanes(int threads, int maxInFlightPerPartition, AsyncRecordHandler<V> handler) {
    Objects.requireNonNull(handler, "handler");
    recordsOnly("lanes(...)");
    return new LaneConsumer<>(kit, this, threads, maxInFlightPerPartition, handler);
  }

  /**
   * Key-ordered lanes whose threads take up to {@code maxBatch} ready keys at a time, one record of
   * each, and hand them to the handler together ({@link LaneBatchHandler}); otherwise as {@link
   * #lanes(int, int, AsyncRecordHandler)}.
   */
  public LaneConsumer<V> lanes(int threads, int maxInFlightPerPartition, int maxBatch, LaneBatchHandler<V> handler) {
    Objects.requireNonNull(handler, "handler");
    recordsOnly("lanes(...)");
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be >= 1");
    }
    return new LaneConsumer<>(kit, this, threads, maxInFlightPerPartition,
        record -> handler.handle(List.of(record)).get(0), maxBatch, handler);
  }

  TopicRouting<V> routing() {
    return topics != null ? TopicRouting.of(topics, kit.naming, kit.registry)
        : TopicRouting.matching(pattern, declare, kit.naming, kit.registry);
  }

  String purpose() {
    return purpose;
  }

  StartAt startAt() {
    return startAt;
  }

  PartitionHook hook() {
    return hook;
  }
}
