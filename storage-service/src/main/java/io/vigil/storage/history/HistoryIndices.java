package io.vigil.storage.history;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.vigil.common.store.StoreNames;
import io.vigil.storage.rollup.RollupIndices.Retention;
import io.vigil.storage.rollup.RollupIndices.Span;
import io.vigil.storage.rollup.RollupTemplate;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/**
 * Where history lives: alert events and notification records in monthly indices, late points in
 * daily ones (each deleted whole by retention), and one summary document per alert in the {@code
 * alerts} index (kept while open; a closed alert's summary goes with its events' retention). The
 * templates are put before the first write, as the rollups' is.
 */
public final class HistoryIndices {

  private final StoreNames names;
  private final IndexFamily alertEvents;
  private final IndexFamily notifications;
  private final IndexFamily latePoints;
  private final RollupTemplate.Settings settings;
  private volatile boolean installed;

  public HistoryIndices(StoreNames names, Duration alertRetention, Duration notificationRetention,
      Duration lateRetention, RollupTemplate.Settings settings) {
    this.names = names;
    this.alertEvents = new IndexFamily(names, "alert-events", new Retention(Span.MONTH, alertRetention));
    this.notifications = new IndexFamily(names, "notifications", new Retention(Span.MONTH, notificationRetention));
    this.latePoints = new IndexFamily(names, "late-points", new Retention(Span.DAY, lateRetention));
    this.settings = settings;
  }

  public IndexFamily alertEvents() {
    return alertEvents;
  }

  public IndexFamily notifications() {
    return notifications;
  }

  public IndexFamily latePoints() {
    return latePoints;
  }

  /** The index of alert summaries, one document per alert under its alertKey. */
  public String alerts() {
    return names.index("alerts");
  }

  /**
   * Deletes the summaries of alerts closed longer ago than alert events are kept (an open alert's
   * summary stays however old it is); how many went. Found by search and deleted by id in bulk,
   * 1,000 a round: the local Elasticsearch has no delete-by-query. An absent index deletes nothing.
   */
  @SuppressWarnings("rawtypes")
  public long deleteClosedSummaries(ElasticsearchClient client, long nowMs) throws IOException {
    long before = nowMs - alertEvents.retention().keep().toMillis();
    long deleted = 0;
    for (int round = 0; round < 50; round++) {
      var found = client.search(s -> s.index(alerts()).ignoreUnavailable(true).allowNoIndices(true).size(1000)
          .source(src -> src.fetch(false))
          .query(q -> q.bool(b -> b.filter(f -> f.term(t -> t.field("open").value(false)))
              .filter(f -> f.range(r -> r.date(x -> x.field("resolvedAtMs").lt(Long.toString(before))))))),
          Map.class);
      var hits = found.hits().hits();
      if (hits.isEmpty()) {
        break;
      }
      co.elastic.clients.elasticsearch.core.BulkRequest.Builder bulk =
          new co.elastic.clients.elasticsearch.core.BulkRequest.Builder()
              .refresh(co.elastic.clients.elasticsearch._types.Refresh.True);
      hits.forEach(h -> bulk.operations(op -> op.delete(d -> d.index(h.index()).id(h.id()))));
      var response = client.bulk(bulk.build());
      deleted += response.items().stream().filter(i -> i.error() == null).count();
      if (hits.size() < 1000) {
        break;
      }
    }
    return deleted;
  }

  /** Puts the history templates once (again after a failure: the caller's retry comes back here). */
  public void ensureTemplates(ElasticsearchClient client) throws IOException {
    if (installed) {
      return;
    }
    synchronized (this) {
      if (installed) {
        return;
      }
      for (IndexFamily f : new IndexFamily[] {alertEvents, notifications, latePoints}) {
        RollupTemplate.install(client, names.index(f.base() + "-template"),
            RollupTemplate.body(f.base() + "-template.json", f.pattern(), settings));
      }
      RollupTemplate.install(client, names.index("alerts-template"),
          RollupTemplate.body("alerts-template.json", alerts(), settings));
      installed = true;
    }
  }
}
