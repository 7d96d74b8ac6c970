package io.vigil.common.observability;

/**
 * Vigil's own metric families (Micrometer names; Prometheus shows {@code vigil_kafka_consumed_total}
 * for {@code vigil.kafka.consumed}). Tags are bounded: topic base names, configured shards,
 * enum values, dependency names, never ids.
 */
public final class MetricNames {

  // Kafka kit (tag: topic = base name without deployment prefix)
  public static final String KAFKA_CONSUME_DELAY = "vigil.kafka.consume.delay";
  public static final String KAFKA_PROCESSING = "vigil.kafka.processing";
  public static final String KAFKA_CONSUMED = "vigil.kafka.consumed";
  public static final String KAFKA_FAILED = "vigil.kafka.failed";
  public static final String KAFKA_DEAD_LETTERED = "vigil.kafka.dead.lettered";
  public static final String KAFKA_PRODUCED = "vigil.kafka.produced";
  public static final String KAFKA_PRODUCE_FAILED = "vigil.kafka.produce.failed";
  public static final String KAFKA_DEPENDENCY_WAITS = "vigil.kafka.dependency.waits";
  public static final String KAFKA_CONSUMER_WAITING = "vigil.kafka.consumer.waiting";
  public static final String KAFKA_LANE_QUEUED = "vigil.kafka.lane.queued";
  public static final String KAFKA_PARTITION_IN_FLIGHT = "vigil.kafka.in.flight";
  public static final String KAFKA_LANE_BATCH = "vigil.kafka.lane.batch";
  public static final String KAFKA_LZ4_NATIVE = "vigil.kafka.lz4.native";

  // storage-service
  public static final String STORAGE_INDICES_DELETED = "vigil.storage.indices.deleted";
  public static final String STORAGE_RETENTION_FAILED = "vigil.storage.retention.failed";
  public static final String STORAGE_SUMMARY_CONFLICTS = "vigil.storage.summary.conflicts";
  public static final String STORAGE_IDENTITIES_CACHED = "vigil.storage.series.identities.cached";
  public static final String STORAGE_IDENTITY_LOOKUPS = "vigil.storage.series.identity.lookups";

  // executors (tag: executor)
  public static final String EXECUTOR_ACTIVE = "vigil.executor.active";
  public static final String EXECUTOR_IDLE = "vigil.executor.idle";
  public static final String EXECUTOR_POOL_SIZE = "vigil.executor.pool.size";
  public static final String EXECUTOR_QUEUE_SIZE = "vigil.executor.queue.size";
  public static final String EXECUTOR_QUEUE_REMAINING = "vigil.executor.queue.remaining";
  public static final String EXECUTOR_COMPLETED = "vigil.executor.completed";
  public static final String EXECUTOR_REJECTED = "vigil.executor.rejected";

  // dependencies and degraded paths
  public static final String DEPENDENCY_FAILURES = "vigil.dependency.failures";
  public static final String DEGRADED = "vigil.degraded";
  public static final String LABEL_REFUSED = "vigil.metrics.label.refused";

  // business (filled in by the services)
  public static final String POINTS_ACCEPTED = "vigil.points.accepted";
  public static final String POINTS_REJECTED = "vigil.points.rejected";
  public static final String ROLLUPS_EMITTED = "vigil.rollups.emitted";
  public static final String LATE_POINTS = "vigil.points.late";
  public static final String POINTS_DUPLICATE = "vigil.points.duplicate";
  public static final String POINTS_DUPLICATE_UNCHECKED = "vigil.points.duplicate.unchecked";
  public static final String ROLLUP_CLOSE_DELAY = "vigil.rollup.close.delay";
  public static final String ROLLUP_SERIES = "vigil.rollup.series";
  public static final String ROLLUP_PROGRESS_LAG = "vigil.rollup.progress.lag";
  public static final String POLICIES_LOADED = "vigil.policies.loaded";
  public static final String ALERTS = "vigil.alerts";
  public static final String NOTIFY_PIPELINE = "vigil.notify.pipeline";
  public static final String DISPATCH = "vigil.dispatch";
  /** The watchdog: heartbeats the gateway sent, transitions that reached the notifier, and when. */
  public static final String WATCHDOG_HEARTBEATS = "vigil.watchdog.heartbeats";
  public static final String WATCHDOG_ARRIVALS = "vigil.watchdog.arrivals";
  public static final String WATCHDOG_LAST_ARRIVAL = "vigil.watchdog.last.arrival";
  public static final String WATCHDOG_DELAY = "vigil.watchdog.delay";
  public static final String WATCHDOG_SILENT = "vigil.watchdog.silent";
  public static final String CONTROL_WRITES = "vigil.control.writes";
  public static final String OUTBOX_PUBLISHED = "vigil.outbox.published";
  public static final String OUTBOX_PUBLISH_FAILURES = "vigil.outbox.publish.failures";
  public static final String OUTBOX_PENDING = "vigil.outbox.pending";
  public static final String OUTBOX_LAG = "vigil.outbox.lag";

  // tag keys
  public static final String TAG_TOPIC = "topic";
  public static final String TAG_CONSUMER = "consumer";
  public static final String TAG_EXECUTOR = "executor";
  public static final String TAG_DEPENDENCY = "dependency";
  public static final String TAG_COMPONENT = "component";
  public static final String TAG_REASON = "reason";

  private MetricNames() {}
}
