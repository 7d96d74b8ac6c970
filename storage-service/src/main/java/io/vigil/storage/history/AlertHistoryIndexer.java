package io.vigil.storage.history;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.vigil.common.kafka.BatchHandler;
import io.vigil.common.kafka.ConsumedRecord;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.AlertEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Alert history from {@code alerts.events}: every event one document under its eventId (a
 * redelivered event overwrites itself), then each alert's summary brought up to its newest event
 * ({@link AlertSummary}, written with {@link AlertSummaries}' conditional writes). A summary
 * Elasticsearch refuses fails the batch at that alert's first event of the poll: the events before
 * it are done, the rest come again, and applying an event twice changes nothing.
 */
public final class AlertHistoryIndexer implements BatchHandler<AlertEvent> {

  private final ElasticsearchClient client;
  private final HistoryIndices indices;
  private final AlertSummaries summaries;
  private final MessageCodec codec;

  public AlertHistoryIndexer(ElasticsearchClient client, HistoryIndices indices, AlertSummaries summaries,
      MessageCodec codec) {
    this.client = client;
    this.indices = indices;
    this.summaries = summaries;
    this.codec = codec;
  }

  @Override
  public void handle(List<ConsumedRecord<AlertEvent>> batch) throws Exception {
    if (batch.isEmpty()) {
      return;
    }
    indices.ensureTemplates(client);
    List<Bulk.Doc> docs = new ArrayList<>(batch.size());
    Map<String, List<AlertEvent>> byAlert = new LinkedHashMap<>();
    Map<String, Integer> firstAt = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      AlertEvent e = batch.get(i).value();
      docs.add(new Bulk.Doc(indices.alertEvents().indexFor(e.timestampMs()), e.eventId(), codec.encode(e)));
      byAlert.computeIfAbsent(e.alertKey(), k -> new ArrayList<>()).add(e);
      firstAt.putIfAbsent(e.alertKey(), i);
    }
    Bulk.index(client, docs, "alert event");
    Map<String, UnaryOperator<Map<String, Object>>> changes = new LinkedHashMap<>();
    byAlert.forEach((key, events) -> changes.put(key, summary -> AlertSummary.apply(summary, events)));
    Bulk.failAtFirst(summaries.update(changes), firstAt);
  }
}
