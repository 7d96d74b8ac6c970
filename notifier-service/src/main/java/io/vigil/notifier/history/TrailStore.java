package io.vigil.notifier.history;

import com.fasterxml.jackson.annotation.JsonInclude;
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
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The explain trail in the notifier's own MySQL table: one row per run of a notice through the
 * pipeline, its steps in one JSON array (a row per step made the trail MySQL's largest writer at
 * thousands of events a second). Runs are queued by the pipeline and written in batches by one
 * thread, so dispatch never waits on MySQL; the steps are encoded on that thread too. MySQL down: the
 * queue holds the runs (bounded; the oldest are dropped past the bound, counted) and they are written
 * when it returns — the degrade the architecture gives the notifier for its own store. Runs older
 * than the retention are deleted on a schedule.
 */
public final class TrailStore implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(TrailStore.class);
  private static final String INSERT = "INSERT INTO notifier_trail_run (event_id, alert_key, tenant, policy_id,"
      + " sequence, alert_status, steps, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  private static final int BATCH = 500;
  /** The steps as stored: absent fields left out. */
  private static final JsonMapper JSON = JsonMapper.builder()
      .changeDefaultPropertyInclusion(i -> i.withValueInclusion(JsonInclude.Include.NON_NULL)).build();
  private static final TypeReference<List<Notice.Step>> STEPS = new TypeReference<>() {};

  /** One queued run: the event it is of, and its steps as they were when it finished. */
  record Run(AlertEvent event, List<Notice.Step> steps) {}

  /** One step as explain answers it. */
  public record StoredStep(String eventId, String alertKey, String tenant, String policyId, long sequence,
      String alertStatus, int step, String stage, String status, String reason, String detail, String recipient,
      String channel, String notificationId, long atMs) {}

  private final JdbcTemplate jdbc;
  private final BlockingQueue<Run> queue;
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
        .description("explain trail runs (a notice's steps) dropped because the queue was full while MySQL was down")
        .register(registry);
    this.written = Counter.builder("vigil.notifier.trail.written")
        .description("explain trail runs (a notice's steps) written to MySQL").register(registry);
    Gauge.builder("vigil.notifier.trail.queued", queue, BlockingQueue::size)
        .description("explain trail runs waiting to be written").register(registry);
    this.writer = InstrumentedExecutor.scheduled("notify-trail", registry);
    writer.scheduleWithFixedDelay(this::flush, flushEvery.toMillis(), flushEvery.toMillis(), TimeUnit.MILLISECONDS);
    writer.scheduleWithFixedDelay(this::expire, 1, 60, TimeUnit.MINUTES);
  }

  /** Queues a notice's steps as one run; never blocks. */
  public void append(Notice n) {
    if (n.trail().isEmpty()) {
      return;
    }
    Run r = new Run(n.event(), cutSteps(n.trail()));
    while (!queue.offer(r)) {
      if (queue.poll() != null) {
        dropped.increment();
      }
    }
  }

  /** Writes what is queued, in batches; on a MySQL failure the batch goes back and waits for the next turn. */
  void flush() {
    List<Run> batch = new ArrayList<>(BATCH);
    while (queue.drainTo(batch, BATCH) > 0) {
      try {
        jdbc.batchUpdate(INSERT, batch, batch.size(), (ps, r) -> {
          AlertEvent e = r.event();
          ps.setString(1, e.eventId());
          ps.setString(2, e.alertKey());
          ps.setString(3, e.tenant());
          ps.setString(4, e.policyId());
          ps.setLong(5, e.sequence());
          ps.setString(6, e.status().name());
          ps.setString(7, encode(r.steps()));
          ps.setLong(8, r.steps().get(0).atMs());
        });
        written.increment(batch.size());
        if (mysqlDown) {
          mysqlDown = false;
          log.info("explain trail: MySQL answers again; {} runs still queued", queue.size());
        }
      } catch (RuntimeException e) {
        if (!ErrorClassifier.classify(e).retriable()) {
          log.error("explain trail: a batch of {} runs could not be written and is dropped", batch.size(), e);
          dropped.increment(batch.size());
          batch.clear();
          continue;
        }
        dependencies.failure("mysql");
        dependencies.degraded("trail", "mysql_down");
        if (!mysqlDown) {
          mysqlDown = true;
          log.warn("explain trail: MySQL is not answering ({}); runs are kept in memory", e.getMessage());
        }
        // put them back in front is not possible with this queue: re-offer, dropping the oldest if full
        for (Run r : batch) {
          if (!queue.offer(r)) {
            dropped.increment();
          }
        }
        return;
      }
      batch.clear();
    }
  }

  /** A run's steps as stored (cut already, when queued). */
  static String encode(List<Notice.Step> steps) {
    return JSON.writeValueAsString(steps);
  }

  /**
   * The steps with reasons and details cut to the lengths explain has always answered (a copy; a
   * step short enough is kept as it is): done once, when a run is queued, so the queue holds what
   * will be written.
   */
  static List<Notice.Step> cutSteps(List<Notice.Step> steps) {
    List<Notice.Step> cut = new ArrayList<>(steps.size());
    for (Notice.Step s : steps) {
      boolean longer = s.reason() != null && s.reason().length() > 128 || s.detail() != null && s.detail().length() > 1024;
      cut.add(!longer ? s : new Notice.Step(s.stage(), s.status(), cut(s.reason(), 128), cut(s.detail(), 1024),
          s.recipient(), s.channel(), s.notificationId(), s.atMs()));
    }
    return cut;
  }

  static List<Notice.Step> decode(String steps) {
    return JSON.readValue(steps, STEPS);
  }

  void expire() {
    try {
      long cut = clock.millis() - retentionMs;
      long deleted = 0;
      // in slices, so no statement holds its locks long; up to a million rows an hour
      for (String table : List.of("notifier_trail_run", "notifier_trail")) { // the second: steps kept one a row
        for (int i = 0; i < 100; i++) {
          int n = jdbc.update("DELETE FROM " + table + " WHERE at_ms < ? LIMIT 10000", cut);
          deleted += n;
          if (n < 10_000) {
            break;
          }
        }
      }
      if (deleted > 0) {
        log.info("explain trail: {} rows past the retention deleted", deleted);
      }
    } catch (RuntimeException e) {
      log.warn("explain trail: the retention delete failed ({}); it runs again in an hour", e.getMessage());
    }
  }

  /**
   * Steps of one event, or of one alert's latest events, oldest first; at most {@code limit}, the
   * newest kept (a run holds at least one step, so {@code limit} runs are always enough). Steps
   * written one row each, before the trail was kept per run, are read too until they age out.
   */
  public List<StoredStep> find(String eventId, String alertKey, int limit) {
    String where = eventId != null ? "event_id = ?" : "alert_key = ?";
    String id = eventId != null ? eventId : alertKey;
    List<List<StoredStep>> runs = jdbc.query("SELECT event_id, alert_key, tenant, policy_id, sequence, alert_status,"
        + " steps FROM notifier_trail_run WHERE " + where + " ORDER BY at_ms DESC, id DESC LIMIT ?", (rs, i) -> {
          List<Notice.Step> steps = decode(rs.getString(7));
          List<StoredStep> out = new ArrayList<>(steps.size());
          for (int k = 0; k < steps.size(); k++) {
            Notice.Step s = steps.get(k);
            out.add(new StoredStep(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                rs.getString(6), k, s.stage(), s.status(), s.reason(), s.detail(), s.recipient(),
                s.channel() == null ? null : s.channel().name(), s.notificationId(), s.atMs()));
          }
          return out;
        }, id, limit);
    List<StoredStep> all = new ArrayList<>(jdbc.query("SELECT event_id, alert_key, tenant, policy_id, sequence,"
        + " alert_status, step, stage, status, reason, detail, recipient, channel, notification_id, at_ms"
        + " FROM notifier_trail WHERE " + where + " ORDER BY at_ms DESC, id DESC LIMIT ?", (rs, i) -> new StoredStep(
            rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getString(6),
            rs.getInt(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11), rs.getString(12),
            rs.getString(13), rs.getString(14), rs.getLong(15)), id, limit));
    java.util.Collections.reverse(all);
    for (int i = runs.size() - 1; i >= 0; i--) {
      all.addAll(runs.get(i));
    }
    // by time; a run's steps, and the old rows, are in time order already and keep it (a stable sort)
    all.sort(java.util.Comparator.comparingLong(StoredStep::atMs));
    return all.size() <= limit ? all : List.copyOf(all.subList(all.size() - limit, all.size()));
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
