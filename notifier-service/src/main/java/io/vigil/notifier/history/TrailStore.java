package io.vigil.notifier.history;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.error.ErrorClassifier;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.InstrumentedExecutor;
import io.vigil.notifier.pipeline.Notice;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The explain trail in the notifier's own MySQL table: steps are queued by the pipeline and written
 * in batches by one thread, so dispatch never waits on MySQL. MySQL down: the queue holds the steps
 * (bounded; the oldest are dropped past the bound, counted) and they are written when it returns —
 * the degrade the architecture gives the notifier for its own store. Rows older than the retention
 * are deleted on a schedule.
 */
public final class TrailStore implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(TrailStore.class);
  private static final String INSERT = "INSERT INTO notifier_trail (event_id, alert_key, tenant, policy_id, sequence,"
      + " alert_status, step, stage, status, reason, detail, recipient, channel, notification_id, at_ms)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final int BATCH = 500;

  /** One queued row. */
  record Row(AlertEvent event, int step, Notice.Step s) {}

  /** One step as explain answers it. */
  public record StoredStep(String eventId, String alertKey, String tenant, String policyId, long sequence,
      String alertStatus, int step, String stage, String status, String reason, String detail, String recipient,
      String channel, String notificationId, long atMs) {}

  private final JdbcTemplate jdbc;
  private final BlockingQueue<Row> queue;
  private final DependencyMetrics dependencies;
  private final Clock clock;
  private final long retentionMs;
  private final Counter dropped;
  private final Counter written;
  private final ScheduledExecutorService writer;
  private volatile boolean mysqlDown;

  public TrailStore(DataSource dataSource, DependencyMetrics dependencies, Clock clock, int capacity,
      Duration flushEvery, Duration retention, MeterRegistry registry) {
    this.jdbc = new JdbcTemplate(dataSource);
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.dependencies = dependencies;
    this.clock = clock;
    this.retentionMs = retention.toMillis();
    this.dropped = Counter.builder("vigil.notifier.trail.dropped")
        .description("explain steps dropped because the queue was full while MySQL was down").register(registry);
    this.written = Counter.builder("vigil.notifier.trail.written")
        .description("explain steps written to MySQL").register(registry);
    Gauge.builder("vigil.notifier.trail.queued", queue, BlockingQueue::size)
        .description("explain steps waiting to be written").register(registry);
    this.writer = InstrumentedExecutor.scheduled("notify-trail", registry);
    writer.scheduleWithFixedDelay(this::flush, flushEvery.toMillis(), flushEvery.toMillis(), TimeUnit.MILLISECONDS);
    writer.scheduleWithFixedDelay(this::expire, 1, 60, TimeUnit.MINUTES);
  }

  /** Queues a notice's steps; never blocks. */
  public void append(Notice n) {
    List<Notice.Step> steps = n.trail();
    for (int i = 0; i < steps.size(); i++) {
      Row r = new Row(n.event(), i, steps.get(i));
      while (!queue.offer(r)) {
        if (queue.poll() != null) {
          dropped.increment();
        }
      }
    }
  }

  /** Writes what is queued, in batches; on a MySQL failure the batch goes back and waits for the next turn. */
  void flush() {
    List<Row> batch = new ArrayList<>(BATCH);
    while (queue.drainTo(batch, BATCH) > 0) {
      try {
        jdbc.batchUpdate(INSERT, batch, batch.size(), (ps, r) -> {
          AlertEvent e = r.event();
          Notice.Step s = r.s();
          ps.setString(1, e.eventId());
          ps.setString(2, e.alertKey());
          ps.setString(3, e.tenant());
          ps.setString(4, e.policyId());
          ps.setLong(5, e.sequence());
          ps.setString(6, e.status().name());
          ps.setInt(7, r.step());
          ps.setString(8, s.stage());
          ps.setString(9, s.status());
          ps.setString(10, cut(s.reason(), 128));
          ps.setString(11, cut(s.detail(), 1024));
          ps.setString(12, s.recipient());
          ps.setString(13, s.channel() == null ? null : s.channel().name());
          ps.setString(14, s.notificationId());
          ps.setLong(15, s.atMs());
        });
        written.increment(batch.size());
        if (mysqlDown) {
          mysqlDown = false;
          log.info("explain trail: MySQL answers again; {} steps still queued", queue.size());
        }
      } catch (RuntimeException e) {
        if (!ErrorClassifier.classify(e).retriable()) {
          log.error("explain trail: a batch of {} steps could not be written and is dropped", batch.size(), e);
          dropped.increment(batch.size());
          batch.clear();
          continue;
        }
        dependencies.failure("mysql");
        dependencies.degraded("trail", "mysql_down");
        if (!mysqlDown) {
          mysqlDown = true;
          log.warn("explain trail: MySQL is not answering ({}); steps are kept in memory", e.getMessage());
        }
        // put them back in front is not possible with this queue: re-offer, dropping the oldest if full
        for (Row r : batch) {
          if (!queue.offer(r)) {
            dropped.increment();
          }
        }
        return;
      }
      batch.clear();
    }
  }

  void expire() {
    try {
      long cut = clock.millis() - retentionMs;
      long deleted = 0;
      // in slices, so no statement holds its locks long; up to a million rows an hour
      for (int i = 0; i < 100; i++) {
        int n = jdbc.update("DELETE FROM notifier_trail WHERE at_ms < ? LIMIT 10000", cut);
        deleted += n;
        if (n < 10_000) {
          break;
        }
      }
      if (deleted > 0) {
        log.info("explain trail: {} steps past the retention deleted", deleted);
      }
    } catch (RuntimeException e) {
      log.warn("explain trail: the retention delete failed ({}); it runs again in an hour", e.getMessage());
    }
  }

  /** Steps of one event, or of one alert's latest events, oldest first; at most {@code limit}. */
  public List<StoredStep> find(String eventId, String alertKey, int limit) {
    String where = eventId != null ? "event_id = ?" : "alert_key = ?";
    List<StoredStep> rows = jdbc.query("SELECT event_id, alert_key, tenant, policy_id, sequence, alert_status, step,"
        + " stage, status, reason, detail, recipient, channel, notification_id, at_ms FROM notifier_trail WHERE "
        + where + " ORDER BY at_ms DESC, id DESC LIMIT ?", (rs, i) -> new StoredStep(rs.getString(1),
            rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getString(6), rs.getInt(7),
            rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12), rs.getString(13),
            rs.getString(14), rs.getLong(15)), eventId != null ? eventId : alertKey, limit);
    List<StoredStep> ordered = new ArrayList<>(rows);
    java.util.Collections.reverse(ordered);
    return ordered;
  }

  /** Writes everything queued now (tests, shutdown). */
  public void drain() {
    writer.submit(this::flush);
    try {
      writer.submit(() -> {}).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("explain trail: drain did not finish: {}", e.getMessage());
    }
  }

  public Map<String, Object> status() {
    return Map.of("queued", queue.size(), "mysqlDown", mysqlDown);
  }

  @Override
  public void destroy() {
    drain();
    writer.shutdownNow();
  }

  private static String cut(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
