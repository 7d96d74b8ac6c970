package io.vigil.storage.rollup;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.vigil.common.kafka.BatchHandler;
import io.vigil.common.kafka.BatchItemException;
import io.vigil.common.kafka.ConsumedRecord;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.Rollup;
import io.vigil.storage.history.Bulk;
import java.util.ArrayList;
import java.util.List;

/**
 * Indexes the rollups of one poll with one bulk request, each under its window's id in the index
 * of its period and span ({@link RollupIndices}), so a redelivered rollup overwrites its own
 * document. The template is put before the first bulk (and again after a failure to put it), so
 * indices are always created from it.
 *
 * <p>A failed item ends the batch there: the rollups before it are done (committed), the failed one
 * is retried by the kit, the rest come again. An item Elasticsearch refused for load (429) or
 * unavailability (5xx) is a dependency that is down: the consumer pauses and retries without limit.
 * Any other item failure (a document the mapping refuses) is retried a few times, then dead-lettered
 * with Elasticsearch's reason. A rollup of a period without a retention is dead-lettered the same way.
 */
public final class RollupIndexer implements BatchHandler<Rollup> {

  private final ElasticsearchClient client;
  private final RollupIndices indices;
  private final RollupTemplate.Settings settings;
  private final MessageCodec codec;
  private volatile boolean templateInstalled;

  public RollupIndexer(ElasticsearchClient client, RollupIndices indices, RollupTemplate.Settings settings,
      MessageCodec codec) {
    this.client = client;
    this.indices = indices;
    this.settings = settings;
    this.codec = codec;
  }

  @Override
  public void handle(List<ConsumedRecord<Rollup>> batch) throws Exception {
    if (batch.isEmpty()) {
      return;
    }
    if (!templateInstalled) {
      RollupTemplate.install(client, indices, settings); // an I/O failure here is Elasticsearch away: retried
      templateInstalled = true;
    }
    List<Bulk.Doc> docs = new ArrayList<>(batch.size());
    RuntimeException unnamed = null;
    for (ConsumedRecord<Rollup> record : batch) {
      Rollup r = record.value();
      String index;
      try {
        index = indices.indexFor(r.periodSeconds(), r.windowStartMs());
      } catch (IllegalArgumentException e) {
        unnamed = e; // the rollups before it are indexed; this one is retried, then dead-lettered
        break;
      }
      docs.add(new Bulk.Doc(index, RollupIndices.documentId(r.seriesId(), r.periodSeconds(), r.windowStartMs()),
          codec.encode(r)));
    }
    Bulk.index(client, docs, "rollup");
    if (unnamed != null) {
      throw new BatchItemException(docs.size(), unnamed);
    }
  }
}
