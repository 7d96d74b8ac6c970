package io.vigil.storage.history;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.kafka.BatchItemException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One bulk request of whole documents under their ids, and the one reading of its failures every
 * indexer shares: an item refused for load (429) or unavailability (5xx) is Elasticsearch away (the
 * consumer pauses and retries), any other refusal is this record's fault (retried, then
 * dead-lettered with Elasticsearch's reason).
 */
public final class Bulk {

  /** A document to index: where, under which id, and its JSON. */
  public record Doc(String index, String id, byte[] json) {}

  private Bulk() {}

  /**
   * Indexes the documents in one request. Returns normally when all were indexed.
   *
   * @throws BatchItemException naming the first refused document's position, with its reason
   */
  public static void index(ElasticsearchClient client, List<Doc> docs, String what) throws IOException {
    if (docs.isEmpty()) {
      return;
    }
    BulkRequest.Builder bulk = new BulkRequest.Builder();
    for (Doc d : docs) {
      bulk.operations(op -> op.index(x -> x.index(d.index()).id(d.id())
          .document(BinaryData.of(d.json(), ContentType.APPLICATION_JSON))));
    }
    BulkResponse response = client.bulk(bulk.build());
    if (response.errors()) {
      List<BulkResponseItem> items = new ArrayList<>(response.items());
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i).error() != null) {
          throw new BatchItemException(i, failure(items.get(i), what));
        }
      }
    }
  }

  /** The exception a refused bulk item stands for (see the class comment). */
  public static RuntimeException failure(BulkResponseItem item, String what) {
    String reason = item.error().type() + ": " + item.error().reason();
    if (item.status() == 429 || item.status() >= 500) {
      return new DependencyUnavailableException("elasticsearch", "bulk item " + item.id() + " refused with "
          + item.status() + " (" + reason + ")");
    }
    return new IllegalStateException("Elasticsearch refused " + what + " " + item.id() + " in " + item.index()
        + " with " + item.status() + ": " + reason);
  }

  /**
   * Fails the batch at the earliest record whose alert summary Elasticsearch refused: the records
   * before it are done, the rest come again (summary changes are idempotent).
   */
  static void failAtFirst(java.util.Map<String, RuntimeException> refused, java.util.Map<String, Integer> firstAt) {
    if (refused.isEmpty()) {
      return;
    }
    String first = refused.keySet().stream().min(java.util.Comparator.comparing(firstAt::get)).orElseThrow();
    throw new BatchItemException(firstAt.get(first), refused.get(first));
  }
}
