package io.vigil.storage.history;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.MgetResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.observability.MetricNames;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The one summary document per alert, changed by read, modify and conditional write: each write
 * carries the {@code if_seq_no}/{@code if_primary_term} of the version it was computed from (the
 * local Elasticsearch runs no scripts), and a write that lost to another (a second consumer, the
 * notification history recording an acknowledgement) is computed again from the newer version.
 * Changes are pure functions of the document, so computing one again is always safe.
 */
public final class AlertSummaries {

  /** Rounds of re-reading after conflicts before the batch is failed (and retried by the kit). */
  static final int ROUNDS = 8;

  private final ElasticsearchClient client;
  private final HistoryIndices indices;
  private final Counter conflicts;

  public AlertSummaries(ElasticsearchClient client, HistoryIndices indices, MeterRegistry registry) {
    this.client = client;
    this.indices = indices;
    this.conflicts = Counter.builder(MetricNames.STORAGE_SUMMARY_CONFLICTS)
        .description("alert summary writes that lost to a concurrent write and were computed again")
        .register(registry);
  }

  /**
   * Applies each change to its alert's summary (absent: an empty map). A change returning its input
   * unchanged (the same map instance) writes nothing.
   *
   * @return the alert keys whose write Elasticsearch refused for another reason than a conflict,
   *     with the failure; empty when all were written
   */
  public Map<String, RuntimeException> update(Map<String, UnaryOperator<Map<String, Object>>> changes)
      throws IOException {
    Map<String, UnaryOperator<Map<String, Object>>> pending = new LinkedHashMap<>(changes);
    Map<String, RuntimeException> refused = new LinkedHashMap<>();
    for (int round = 0; round < ROUNDS && !pending.isEmpty(); round++) {
      Map<String, Current> current = read(new ArrayList<>(pending.keySet()));
      BulkRequest.Builder bulk = new BulkRequest.Builder();
      List<String> written = new ArrayList<>();
      for (var e : pending.entrySet()) {
        Current c = current.get(e.getKey());
        Map<String, Object> before = c == null ? new HashMap<>() : c.source();
        Map<String, Object> after = e.getValue().apply(before);
        if (after == before) {
          continue;
        }
        String id = e.getKey();
        if (c == null) {
          bulk.operations(op -> op.create(x -> x.index(indices.alerts()).id(id).document(after)));
        } else {
          bulk.operations(op -> op.index(x -> x.index(indices.alerts()).id(id).ifSeqNo(c.seqNo())
              .ifPrimaryTerm(c.primaryTerm()).document(after)));
        }
        written.add(id);
      }
      Map<String, UnaryOperator<Map<String, Object>>> again = new LinkedHashMap<>();
      if (!written.isEmpty()) {
        BulkResponse response = client.bulk(bulk.build());
        List<BulkResponseItem> items = response.items();
        for (int i = 0; i < items.size(); i++) {
          BulkResponseItem item = items.get(i);
          if (item.error() == null) {
            continue;
          }
          String id = written.get(i);
          if (item.status() == 409) {
            conflicts.increment();
            again.put(id, pending.get(id));
          } else {
            refused.put(id, Bulk.failure(item, "alert summary"));
          }
        }
      }
      pending = again;
    }
    if (!pending.isEmpty()) {
      throw new IllegalStateException("alert summaries still conflicting after " + ROUNDS + " rounds: "
          + pending.keySet());
    }
    return refused;
  }

  private record Current(Map<String, Object> source, long seqNo, long primaryTerm) {}

  @SuppressWarnings("unchecked")
  private Map<String, Current> read(List<String> keys) throws IOException {
    MgetResponse<Map> response = client.mget(m -> m.index(indices.alerts()).ids(keys), Map.class);
    Map<String, Current> out = new HashMap<>();
    for (MultiGetResponseItem<Map> item : response.docs()) {
      if (item.isFailure()) {
        String type = item.failure().error().type();
        if ("index_not_found_exception".equals(type)) {
          continue; // the first alert of this deployment: created by the write
        }
        throw new io.vigil.common.error.DependencyUnavailableException("elasticsearch",
            "reading alert summary " + item.failure().id() + ": " + type + " " + item.failure().error().reason());
      }
      var r = item.result();
      if (r.found() && r.seqNo() != null && r.primaryTerm() != null) {
        out.put(r.id(), new Current(new HashMap<>((Map<String, Object>) r.source()), r.seqNo(), r.primaryTerm()));
      }
    }
    return out;
  }
}
