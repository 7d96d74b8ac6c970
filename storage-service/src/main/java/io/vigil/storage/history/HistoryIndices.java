package io.vigil.storage.history;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.vigil.common.store.StoreNames;
import io.vigil.storage.rollup.RollupIndices.Retention;
import io.vigil.storage.rollup.RollupIndices.Span;
import io.vigil.storage.rollup.RollupTemplate;
import java.io.IOException;
import java.time.Duration;

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
