package io.vigil.storage.history;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.transport.rest5_client.low_level.Request;
import co.elastic.clients.transport.rest5_client.low_level.Response;
import co.elastic.clients.transport.rest5_client.low_level.ResponseException;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.kafka.BatchItemException;
import io.vigil.storage.elastic.LowLevelElasticsearch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.core.json.JsonFactory;

/**
 * One bulk request of whole documents under their ids, and the one reading of its failures every
 * indexer shares: an item refused for load (429) or unavailability (5xx) is Elasticsearch away (the
 * consumer pauses and retries), any other refusal is this record's fault (retried, then
 * dead-lettered with Elasticsearch's reason).
 *
 * <p>Sent through the low-level client as the NDJSON Elasticsearch reads, each document's JSON as it
 * is, and Elasticsearch answers only whether anything failed and each item's status ({@code
 * filter_path}): at 30,000 rollups a second the typed client's building of the request and reading
 * of its answer (a few hundred bytes an item) were a large part of this service's CPU, on a machine
 * it shares with Elasticsearch.
 */
public final class Bulk {

  /** A document to index: where, under which id, and its JSON (one line: no raw line breaks). */
  public record Doc(String index, String id, byte[] json) {}

  private static final JsonFactory JSON = new JsonFactory();
  private static final ContentType NDJSON = ContentType.create("application/x-ndjson");
  private static final String FILTER_PATH = "errors,items.*.status,items.*.error.type,items.*.error.reason";

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
    ByteArrayOutputStream body = new ByteArrayOutputStream(docs.size() * 512);
    JsonStringEncoder quote = JsonStringEncoder.getInstance();
    for (Doc d : docs) {
      body.write(ACTION_START);
      body.write(quote.quoteAsUTF8(d.index()));
      body.write(ACTION_ID);
      body.write(quote.quoteAsUTF8(d.id()));
      body.write(ACTION_END);
      body.write(d.json());
      body.write('\n');
    }
    Request request = new Request("POST", "/_bulk");
    request.addParameter("filter_path", FILTER_PATH);
    request.setEntity(new ByteArrayEntity(body.toByteArray(), NDJSON));
    Response response;
    try {
      response = LowLevelElasticsearch.client(client).performRequest(request);
    } catch (ResponseException e) {
      int status = e.getResponse().getStatusCode();
      if (status == 429 || status >= 500) {
        throw new DependencyUnavailableException("elasticsearch", "a bulk request of " + docs.size() + " "
            + what + "s was refused with " + status);
      }
      throw new IllegalStateException("Elasticsearch refused a bulk request of " + docs.size() + " " + what
          + "s: " + e.getMessage());
    }
    try (InputStream in = response.getEntity().getContent();
        JsonParser p = JSON.createParser(ObjectReadContext.empty(), in)) {
      Refusal refusal = firstRefusal(p);
      if (refusal != null) {
        Doc d = docs.get(refusal.position());
        throw new BatchItemException(refusal.position(), failure(refusal.status(), refusal.reason(), d.id(),
            d.index(), what));
      }
    }
  }

  private static final byte[] ACTION_START = "{\"index\":{\"_index\":\"".getBytes(StandardCharsets.UTF_8);
  private static final byte[] ACTION_ID = "\",\"_id\":\"".getBytes(StandardCharsets.UTF_8);
  private static final byte[] ACTION_END = "\"}}\n".getBytes(StandardCharsets.UTF_8);

  /** The first item Elasticsearch refused: where it stands, its status and "type: reason". */
  record Refusal(int position, int status, String reason) {}

  /** Reads {@code {"errors":b,"items":[{"index":{"status":s,"error":{...}}}]}}; null when none was refused. */
  static Refusal firstRefusal(JsonParser p) {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      throw new IllegalStateException("unexpected bulk answer from Elasticsearch");
    }
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      p.nextToken();
      if (name.equals("errors")) {
        if (!p.getBooleanValue()) {
          return null; // Elasticsearch writes "errors" first: nothing more to read
        }
      } else if (name.equals("items")) {
        int position = 0;
        while (p.nextToken() == JsonToken.START_OBJECT) {
          p.nextToken(); // the operation's name
          p.nextToken(); // its object
          int status = 0;
          String reason = null;
          while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("status")) {
              status = p.getIntValue();
            } else if (field.equals("error")) {
              reason = LowLevelElasticsearch.errorText(p);
            } else {
              p.skipChildren();
            }
          }
          p.nextToken(); // the item's end
          if (status >= 300 || reason != null) {
            return new Refusal(position, status, reason == null ? "status " + status : reason);
          }
          position++;
        }
      } else {
        p.skipChildren();
      }
    }
    return null;
  }

  /** The exception a refused bulk item stands for (see the class comment). */
  public static RuntimeException failure(BulkResponseItem item, String what) {
    return failure(item.status(), item.error().type() + ": " + item.error().reason(), item.id(), item.index(), what);
  }

  private static RuntimeException failure(int status, String reason, String id, String index, String what) {
    if (status == 429 || status >= 500) {
      return new DependencyUnavailableException("elasticsearch", "bulk item " + id + " refused with " + status
          + " (" + reason + ")");
    }
    return new IllegalStateException("Elasticsearch refused " + what + " " + id + " in " + index + " with " + status
        + ": " + reason);
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
