package io.vigil.storage.history;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.vigil.common.kafka.BatchHandler;
import io.vigil.common.kafka.ConsumedRecord;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.series.SeriesId;
import java.util.ArrayList;
import java.util.List;

/**
 * Points that came after their window closed ({@code metrics.late}), kept as they are in the daily
 * {@code late-points} indices under (series, timestamp): a series query adds them to the windows they
 * belong to and marks those windows late, so a late point is never lost from view.
 */
public final class LatePointIndexer implements BatchHandler<MetricPoint> {

  private final ElasticsearchClient client;
  private final HistoryIndices indices;
  private final MessageCodec codec;

  public LatePointIndexer(ElasticsearchClient client, HistoryIndices indices, MessageCodec codec) {
    this.client = client;
    this.indices = indices;
    this.codec = codec;
  }

  /** A late point's document id: its series (16 hex digits) and timestamp. */
  public static String documentId(MetricPoint p) {
    return SeriesId.hex(p.seriesId()) + "-" + p.timestampMs();
  }

  @Override
  public void handle(List<ConsumedRecord<MetricPoint>> batch) throws Exception {
    if (batch.isEmpty()) {
      return;
    }
    indices.ensureTemplates(client);
    List<Bulk.Doc> docs = new ArrayList<>(batch.size());
    for (ConsumedRecord<MetricPoint> r : batch) {
      MetricPoint p = r.value();
      docs.add(new Bulk.Doc(indices.latePoints().indexFor(p.timestampMs()), documentId(p), codec.encode(p)));
    }
    Bulk.index(client, docs, "late point");
  }
}
