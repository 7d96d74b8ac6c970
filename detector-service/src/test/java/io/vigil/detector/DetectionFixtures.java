package io.vigil.detector;

import io.vigil.common.control.ControlJson;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.ControlChange;
import io.vigil.common.model.Rollup;
import io.vigil.common.series.SeriesId;
import io.vigil.common.testing.TestKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What detection tests do as the rest of the platform would: write a policy row as policy-service
 * does and announce it on {@code control.changes}; publish rollups as the aggregator does; read the
 * alert events a notifier would read.
 */
public final class DetectionFixtures {

  public static final String NS = "qce/cvm";
  public static final String REGION = "ap-guangzhou";
  private static final AtomicLong VERSIONS = new AtomicLong(System.currentTimeMillis());
  private static final MessageCodec CODEC = new MessageCodec();

  private final JdbcTemplate jdbc;
  private final VigilPublisher publisher;
  private final String shard;

  public DetectionFixtures(DataSource dataSource, VigilPublisher publisher, String shard) {
    this.jdbc = new JdbcTemplate(dataSource);
    this.publisher = publisher;
    this.shard = shard;
  }

  /** A policy body: one condition on cpu, filters as given. */
  public static String policy(String filtersJson, String conditionsJson, String combine) {
    return "{\"name\":\"p\",\"namespace\":\"" + NS + "\",\"combine\":\"" + combine + "\",\"filters\":" + filtersJson
        + ",\"conditions\":" + conditionsJson + ",\"severity\":\"CRITICAL\"}";
  }

  public static String cpuAbove(double threshold, int forPeriods, int recoverPeriods) {
    return "[" + above("cpu", threshold, forPeriods, recoverPeriods) + "]";
  }

  /** One condition (a JSON object): the metric's 60 s average above the threshold. */
  public static String above(String metric, double threshold, int forPeriods, int recoverPeriods) {
    return "{\"metric\":\"" + metric + "\",\"period\":60,\"statistic\":\"AVG\",\"operator\":\"GT\",\"threshold\":"
        + threshold + ",\"forPeriods\":" + forPeriods + ",\"recoverPeriods\":" + recoverPeriods + "}";
  }

  public static String instanceIs(String instance) {
    return "[{\"Function\":\"Equal\",\"Field\":\"instance\",\"Args\":\"" + instance + "\"}]";
  }

  /** Writes (or rewrites) a policy row of this shard and announces it; returns the version written. */
  public long upsert(String id, String tenant, String body, boolean enabled) {
    long version = VERSIONS.incrementAndGet();
    long now = System.currentTimeMillis();
    ControlJson.read(body, io.vigil.common.control.AlertPolicy.class); // a body the API would store
    jdbc.update("INSERT INTO ctl_policies (id, tenant, name, namespace, shard, enabled, version, deleted, live, body,"
        + " created_at_ms, updated_at_ms, updated_by) VALUES (?, ?, 'p', ?, ?, ?, ?, 0, 1, ?, ?, ?, 'test')"
        + " ON DUPLICATE KEY UPDATE enabled = VALUES(enabled), version = VALUES(version), body = VALUES(body),"
        + " deleted = 0, live = 1, shard = VALUES(shard), updated_at_ms = VALUES(updated_at_ms)",
        id, tenant, NS, shard, enabled ? 1 : 0, version, body, now, now);
    announce(id, tenant, version, ChangeOp.UPSERT);
    return version;
  }

  public long delete(String id, String tenant) {
    long version = VERSIONS.incrementAndGet();
    jdbc.update("UPDATE ctl_policies SET deleted = 1, live = NULL, version = ? WHERE id = ?", version, id);
    announce(id, tenant, version, ChangeOp.DELETE);
    return version;
  }

  /** Writes the namespace's access config row and announces it, as policy-service does. */
  public void namespace(String body) {
    long version = VERSIONS.incrementAndGet();
    long now = System.currentTimeMillis();
    jdbc.update("INSERT INTO ctl_namespaces (id, tenant, name, namespace, shard, enabled, version, deleted, live, body,"
        + " created_at_ms, updated_at_ms, updated_by) VALUES (?, '', ?, ?, ?, 1, ?, 0, 1, ?, ?, ?, 'test')"
        + " ON DUPLICATE KEY UPDATE version = VALUES(version), body = VALUES(body)",
        NS, NS, NS, shard, version, body, now, now);
    await(publisher.publish(Topics.CONTROL_CHANGES, new ControlChange(ControlChange.SCHEMA_VERSION,
        ControlChange.EntityType.NAMESPACE, NS, REGION, null, version, ChangeOp.UPSERT, now, NS, shard)));
  }

  private void announce(String id, String tenant, long version, ChangeOp op) {
    await(publisher.publish(Topics.CONTROL_CHANGES, new ControlChange(ControlChange.SCHEMA_VERSION,
        ControlChange.EntityType.POLICY, id, REGION, tenant, version, op, System.currentTimeMillis(), NS, shard)));
  }

  /** A rollup of one value (count 1) for a cpu series of these dimensions. */
  public static Rollup cpu(Map<String, String> dimensions, long windowStartMs, double value) {
    return rollup("cpu", dimensions, windowStartMs, value);
  }

  /** A rollup of one value (count 1) for a series of this metric and these dimensions. */
  public static Rollup rollup(String metric, Map<String, String> dimensions, long windowStartMs, double value) {
    return new Rollup(Rollup.SCHEMA_VERSION, SeriesId.of(NS, REGION, metric, dimensions), NS, REGION, metric,
        dimensions, "default", 60, windowStartMs, value, 1, value, value, value, System.currentTimeMillis(),
        dimensions.get("appid"));
  }

  public void publish(Rollup... rollups) {
    for (Rollup r : rollups) {
      await(publisher.publish(Topics.rollup(shard), r));
    }
  }

  /**
   * The aggregator's progress marker, on every partition of the shard's rollup topic (as from the
   * source partition of the same number): every 60 s window ending at or before {@code
   * closedThroughMs} is closed.
   */
  public void progress(long closedThroughMs) {
    progress(closedThroughMs, 0, 0);
  }

  /**
   * The marker of a partition at {@code watermarkMs} whose graces are {@code minGraceMs} to {@code
   * graceMs}: its 60 s windows are closed through {@code RollupProgress.closedThrough(watermarkMs,
   * graceMs, 60)}.
   */
  public void progress(long watermarkMs, long minGraceMs, long graceMs) {
    long closedThroughMs = io.vigil.common.model.RollupProgress.closedThrough(watermarkMs, graceMs, 60);
    int n = Topics.rollup(shard).partitions();
    try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(Map.of(
        "bootstrap.servers", io.vigil.common.testing.TestServers.kafkaBootstrap(), "acks", "all",
        "key.serializer", org.apache.kafka.common.serialization.StringSerializer.class,
        "value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
      for (int p = 0; p < n; p++) {
        var marker = new io.vigil.common.model.RollupProgress(io.vigil.common.model.RollupProgress.SCHEMA_VERSION,
            shard, p, n, watermarkMs, graceMs, minGraceMs, Map.of(60, closedThroughMs), System.currentTimeMillis());
        var record = new org.apache.kafka.clients.producer.ProducerRecord<>(TestKafka.topic(Topics.rollup(shard)
            .base()), p, io.vigil.common.model.RollupProgress.key(p), CODEC.encode(marker));
        record.headers().add(io.vigil.common.model.RollupProgress.HEADER,
            io.vigil.common.model.RollupProgress.TYPE.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        await(producer.send(record));
      }
    }
  }

  /** Publishes a product event as the gateway does. */
  public void event(String type, String objectId, String tenant, boolean abnormal, long timestampMs) {
    await(publisher.publish(Topics.EVENTS_RAW, new io.vigil.common.model.ProductEvent(
        io.vigil.common.model.ProductEvent.SCHEMA_VERSION, java.util.UUID.randomUUID().toString(), NS, REGION, type,
        objectId, abnormal ? io.vigil.common.model.ProductEvent.EventStatus.ABNORMAL
            : io.vigil.common.model.ProductEvent.EventStatus.RECOVERED,
        Map.of("appid", tenant, "zone", "gz-3"), "seen by the test", timestampMs, System.currentTimeMillis(), null,
        Map.of(), tenant)));
  }

  /** A window start {@code minutesAgo} minutes back, aligned to the minute. */
  public static long minutesAgo(int minutesAgo) {
    return (System.currentTimeMillis() / 60_000 - minutesAgo) * 60_000;
  }

  /** The alert events of {@code alertKey} seen within {@code timeout}, once {@code count} are there. */
  public static List<AlertEvent> events(String alertKey, int count, Duration timeout) {
    return events(e -> e.alertKey().equals(alertKey), count, timeout);
  }

  /**
   * The alert events that pass {@code wanted}, as a reader sees them: deduplicated by eventId (another
   * detector of this run judging the same rollups publishes the same events under the same ids).
   */
  public static List<AlertEvent> events(Predicate<AlertEvent> wanted, int count, Duration timeout) {
    java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.List<AlertEvent> out = new java.util.concurrent.CopyOnWriteArrayList<>();
    TestKafka.awaitMatching("alerts.events", r -> {
      AlertEvent e = decode(r.value());
      if (wanted.test(e) && seen.add(e.eventId())) {
        out.add(e);
        return true;
      }
      return false;
    }, count, timeout);
    return List.copyOf(out);
  }

  /** Every record that passes {@code wanted}, duplicates included: for tests that prove there are none. */
  public static List<AlertEvent> records(Predicate<AlertEvent> wanted, int count, Duration timeout) {
    return TestKafka.awaitMatching("alerts.events", r -> wanted.test(decode(r.value())), count, timeout).stream()
        .map(r -> decode(r.value())).toList();
  }

  public static AlertEvent decode(byte[] value) {
    return CODEC.decode(value, AlertEvent.class);
  }

  private static void await(java.util.concurrent.Future<?> f) {
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("publish failed", e);
    }
  }

  /** An operator token as policy-service keeps it in the control tables (the detector resolves it there). */
  void operatorToken(String id, String name, String key, String role, String tenants) {
    jdbc.update("INSERT INTO ctl_operator_tokens (id, name, token_sha256, role, tenants, expires_at_ms, version,"
        + " deleted, created_at_ms, updated_at_ms, updated_by) VALUES (?, ?, ?, ?, ?, NULL, 1, 0, 1, 1, 'test')",
        id, name, io.vigil.common.security.ConfiguredCredentials.sha256(key), role, tenants);
  }
}
