package io.vigil.storage.rollup;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ExpandWildcard;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.observability.MetricNames;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * Retention: every {@code interval} (the first a minute after start), deletes the indices whose
 * whole span is older than their retention (rollups per period, {@link RollupIndices#expired}, and
 * each kind of history), one index at a time and nothing else, then runs its document sweeps.
 * Elasticsearch away means the sweep is counted as failed and tried again at the next interval; nothing is lost by waiting, the indices only stay a little
 * longer. Deleted indices are counted ({@code vigil_storage_indices_deleted_total}) and logged.
 */
public final class RetentionSweeper implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(RetentionSweeper.class);

  private final ElasticsearchClient client;
  private final List<ExpiringIndices> kinds;
  private final Clock clock;
  private final Counter deleted;
  private final Counter failed;
  private final ScheduledExecutorService timer;

  /** Documents retention deletes one by one (where a whole index cannot go): how many went. */
  @FunctionalInterface
  public interface DocumentSweep {
    long sweep(long nowMs) throws IOException;
  }

  private volatile List<DocumentSweep> documents = List.of();

  /** Adds sweeps of single documents (closed alerts' summaries) to every run; returns this. */
  public RetentionSweeper alsoSweeping(List<DocumentSweep> sweeps) {
    this.documents = List.copyOf(sweeps);
    return this;
  }

  public RetentionSweeper(ElasticsearchClient client, List<ExpiringIndices> kinds, Clock clock, MeterRegistry registry,
      Duration interval) {
    this.client = client;
    this.kinds = List.copyOf(kinds);
    this.clock = clock;
    this.deleted = Counter.builder(MetricNames.STORAGE_INDICES_DELETED)
        .description("indices (rollups and history) deleted by retention").register(registry);
    this.failed = Counter.builder(MetricNames.STORAGE_RETENTION_FAILED)
        .description("retention sweeps that could not finish (tried again at the next interval)").register(registry);
    if (interval == null) {
      this.timer = null;
      return;
    }
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "storage-retention");
      t.setDaemon(true);
      return t;
    });
    long first = Math.min(interval.toMillis(), 60_000);
    timer.scheduleWithFixedDelay(this::sweepQuietly, first, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void sweepQuietly() {
    try {
      sweep(clock.millis());
    } catch (Exception e) {
      failed.increment();
      log.warn("retention sweep failed, tried again at the next interval: {}", e.toString());
    }
  }

  /** Deletes the indices (of every kind it sweeps) expired at {@code nowMs}; their names. */
  public List<String> sweep(long nowMs) throws IOException {
    List<String> patterns = kinds.stream().map(ExpiringIndices::pattern).toList();
    List<String> present = new ArrayList<>(client.indices().get(g -> g.index(patterns)
        .expandWildcards(ExpandWildcard.All).ignoreUnavailable(true).allowNoIndices(true)).indices().keySet());
    List<String> expired = new ArrayList<>();
    for (ExpiringIndices kind : kinds) {
      expired.addAll(kind.expired(present, nowMs));
    }
    for (String index : expired) {
      client.indices().delete(d -> d.index(index).ignoreUnavailable(true));
      deleted.increment();
      log.info("retention: deleted index {}", index);
    }
    for (DocumentSweep d : documents) {
      long n = d.sweep(nowMs);
      if (n > 0) {
        log.info("retention: deleted {} expired documents", n);
      }
    }
    return expired;
  }

  @Override
  public void destroy() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
