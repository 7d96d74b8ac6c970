package io.vigil.storage.history;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.vigil.common.kafka.BatchHandler;
import io.vigil.common.kafka.ConsumedRecord;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.NotificationRecord;
import io.vigil.common.model.NotificationStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Notification history from {@code notify.records}: each record one document under its
 * notificationId and status (a redelivery overwrites itself; a later outcome of the same
 * notification, e.g. an acknowledgement, is a document of its own), escalations and fallbacks
 * included as the record carries them. An acknowledgement is also written onto the alert's summary,
 * so "firing now" shows who acknowledged it.
 */
public final class NotificationHistoryIndexer implements BatchHandler<NotificationRecord> {

  private final ElasticsearchClient client;
  private final HistoryIndices indices;
  private final AlertSummaries summaries;
  private final MessageCodec codec;

  public NotificationHistoryIndexer(ElasticsearchClient client, HistoryIndices indices, AlertSummaries summaries,
      MessageCodec codec) {
    this.client = client;
    this.indices = indices;
    this.summaries = summaries;
    this.codec = codec;
  }

  /** A record's document id: its notification and the status it ended with. */
  public static String documentId(NotificationRecord r) {
    return r.notificationId() + "-" + r.status().name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void handle(List<ConsumedRecord<NotificationRecord>> batch) throws Exception {
    if (batch.isEmpty()) {
      return;
    }
    indices.ensureTemplates(client);
    List<Bulk.Doc> docs = new ArrayList<>(batch.size());
    Map<String, UnaryOperator<Map<String, Object>>> acks = new LinkedHashMap<>();
    Map<String, Integer> firstAt = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      NotificationRecord r = batch.get(i).value();
      docs.add(new Bulk.Doc(indices.notifications().indexFor(r.timestampMs()), documentId(r), codec.encode(r)));
      if (r.status() == NotificationStatus.ACKNOWLEDGED) {
        UnaryOperator<Map<String, Object>> before = acks.get(r.alertKey());
        UnaryOperator<Map<String, Object>> ack = s -> AlertSummary.acknowledge(s, r);
        acks.put(r.alertKey(), before == null ? ack : s -> AlertSummary.acknowledge(before.apply(s), r));
        firstAt.putIfAbsent(r.alertKey(), i);
      }
    }
    Bulk.index(client, docs, "notification record");
    if (!acks.isEmpty()) {
      Bulk.failAtFirst(summaries.update(acks), firstAt);
    }
  }
}
