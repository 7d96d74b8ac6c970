package io.vigil.common.kafka;

import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.Checks;
import io.vigil.common.model.CmdbChange;
import io.vigil.common.model.ControlChange;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.model.NotificationRecord;
import io.vigil.common.model.ProductEvent;
import io.vigil.common.model.Rollup;
import io.vigil.common.series.SeriesId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Every topic Vigil uses, declared once: name, key, value type, partitions, retention, compaction.
 * Services create them explicitly at start-up (broker auto-creation is off): see {@code
 * VigilKafkaAutoConfiguration#vigilTopics}.
 */
public final class Topics {

  public static final String DLT_SUFFIX = ".dlt";
  static final Duration DLT_RETENTION = Duration.ofDays(14);

  /**
   * Batches of raw points in the binary {@code PointBatchCodec} encoding, one record per (request,
   * partition), placed by {@code SeriesPartitioner} (no key): published with {@link
   * VigilPublisher#publishPoints}, never as JSON.
   */
  public static final Topic<io.vigil.common.points.PointBatch> METRICS_RAW = new Topic<>("metrics.raw",
      io.vigil.common.points.PointBatch.class, "none: the partition of the points' object id", null, 12,
      Duration.ofDays(1), false);
  /** Points that arrived after their window's grace period: counted and kept, never dropped. */
  public static final Topic<MetricPoint> METRICS_LATE = new Topic<>("metrics.late", MetricPoint.class, "seriesId",
      p -> SeriesId.key(p.seriesId()), 3, Duration.ofDays(3), false);
  public static final Topic<ProductEvent> EVENTS_RAW =
      new Topic<>("events.raw", ProductEvent.class, "objectId", ProductEvent::objectId, 6, Duration.ofDays(3), false);
  public static final Topic<AlertEvent> ALERTS_EVENTS =
      new Topic<>("alerts.events", AlertEvent.class, "alertKey", AlertEvent::alertKey, 6, Duration.ofDays(7), false);
  public static final Topic<NotificationRecord> NOTIFY_RECORDS =
      new Topic<>("notify.records", NotificationRecord.class, "notificationId", NotificationRecord::notificationId, 6,
          Duration.ofDays(7), false);
  public static final Topic<ControlChange> CONTROL_CHANGES =
      new Topic<>("control.changes", ControlChange.class, "type:id", ControlChange::key, 3, null, true);
  public static final Topic<CmdbChange> CMDB_CHANGES =
      new Topic<>("cmdb.changes", CmdbChange.class, "instance", CmdbChange::instance, 6, null, true);

  static final String ROLLUP_PREFIX = "metrics.rollup.";
  private static final int ROLLUP_PARTITIONS = 12;

  private Topics() {}

  /** The rollup topic of one detection shard. */
  public static Topic<Rollup> rollup(String shard) {
    if (shard == null || !Checks.SHARD.matcher(shard).matches()) {
      throw new IllegalArgumentException("bad shard name (lower-case letters, digits, '-', at most 63): " + shard);
    }
    return new Topic<>(ROLLUP_PREFIX + shard, Rollup.class, "seriesId", r -> SeriesId.key(r.seriesId()),
        ROLLUP_PARTITIONS, Duration.ofDays(2), false, r -> SeriesId.objectOf(r.namespace(), r.region(), r.dimensions()));
  }

  /**
   * Every shard's rollup topic under {@code prefix}, present and future: the base name followed by a
   * valid shard name and nothing else (so no {@code .dlt}).
   */
  public static java.util.regex.Pattern allRollups(String prefix) {
    return java.util.regex.Pattern.compile(
        java.util.regex.Pattern.quote(prefix + ROLLUP_PREFIX) + Checks.SHARD.pattern());
  }

  /** The shard of a rollup topic's base name ({@code metrics.rollup.<shard>}), or null if it is none. */
  public static String shardOf(String base) {
    if (base == null || !base.startsWith(ROLLUP_PREFIX)) {
      return null;
    }
    String shard = base.substring(ROLLUP_PREFIX.length());
    return Checks.SHARD.matcher(shard).matches() ? shard : null;
  }

  private static final byte[] PROGRESS_TYPE =
      io.vigil.common.model.RollupProgress.TYPE.getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /**
   * Whether a record of a rollup topic is the aggregator's progress marker ({@code RollupProgress},
   * told apart by its {@code vigil-type} header) rather than a rollup.
   */
  public static boolean isProgressMarker(org.apache.kafka.common.header.Headers headers) {
    org.apache.kafka.common.header.Header h =
        headers == null ? null : headers.lastHeader(io.vigil.common.model.RollupProgress.HEADER);
    return h != null && java.util.Arrays.equals(h.value(), PROGRESS_TYPE);
  }

  /** All topics of a deployment with the given shards, each followed by its dead-letter topic. */
  public static List<Topic<?>> all(Collection<String> shards) {
    List<Topic<?>> main = new ArrayList<>(List.of(
        METRICS_RAW, METRICS_LATE, EVENTS_RAW, ALERTS_EVENTS, NOTIFY_RECORDS, CONTROL_CHANGES, CMDB_CHANGES));
    for (String shard : shards) {
      main.add(rollup(shard));
    }
    List<Topic<?>> all = new ArrayList<>();
    for (Topic<?> t : main) {
      all.add(t);
      all.add(t.deadLetter());
    }
    return all;
  }
}
