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
 *
 * <p>Each document carries Elasticsearch's {@code _doc_count}, the rollup's count of points, so a
 * histogram bucket's {@code doc_count} is the points of its windows: the series query reads Σcount
 * there instead of from a sum aggregation per bucket (for avg and count, a third of Elasticsearch's
 * time on a day of minutes over 100 series). {@code count} stays in the document; a query checks the
 * two agree per series ({@code StepSearch}) and reads {@code count} for documents written without it.
 */
public final class RollupIndexer implements BatchHandler<Rollup> {

  private final ElasticsearchClient client;
  private final RollupIndices indices;
  private final RollupTemplate.Settings settings;
  private final MessageCodec codec;
  private final BlockWriter blocks;
  private volatile boolean templateInstalled;

  /** {@code blocks}: told of every hour rollup indexed, to write its minutes' block; null for none. */
  public RollupIndexer(ElasticsearchClient client, RollupIndices indices, RollupTemplate.Settings settings,
      MessageCodec codec, BlockWriter blocks) {
    this.client = client;
    this.indices = indices;
    this.settings = settings;
    this.codec = codec;
    this.blocks = blocks;
  }

  /**
   * The rollup's JSON with {@code "_doc_count":count} added as its last field; unchanged when the
   * count is not a positive int (Elasticsearch's limit for the field) or the JSON not an object.
   */
  static byte[] withDocCount(byte[] json, long count) {
    int end = json.length - 1;
    while (end > 0 && Character.isWhitespace(json[end])) {
      end--;
    }
    if (count < 1 || count > Integer.MAX_VALUE || end < 1 || json[end] != '}') {
      return json;
    }
    int before = end - 1;
    while (before > 0 && Character.isWhitespace(json[before])) {
      before--;
    }
    String field = (json[before] == '{' ? "" : ",") + "\"_doc_count\":" + count + "}";
    byte[] bytes = field.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] out = java.util.Arrays.copyOf(json, end + bytes.length);
    System.arraycopy(bytes, 0, out, end, bytes.length);
    return out;
  }

  /** Tells the block writer of the hour rollups among the first {@code indexed} records. */
  private void hoursClosed(List<ConsumedRecord<Rollup>> batch, int indexed) {
    if (blocks == null) {
      return;
    }
    for (int i = 0; i < indexed; i++) {
      Rollup r = batch.get(i).value();
      if (r.periodSeconds() == 3600) {
        blocks.hourClosed(r.seriesId(), r.windowStartMs(), r.count(), r.tenant());
      }
    }
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
          withDocCount(codec.encode(r), r.count())));
    }
    try {
      Bulk.index(client, docs, "rollup");
    } catch (BatchItemException e) {
      hoursClosed(batch, e.index()); // those before the refused one are indexed, and committed
      throw e;
    }
    hoursClosed(batch, docs.size());
    if (unnamed != null) {
      throw new BatchItemException(docs.size(), unnamed);
    }
  }
}
