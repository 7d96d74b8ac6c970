package io.vigil.storage.query;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import io.vigil.common.error.ApiException;
import io.vigil.common.error.ErrorCode;
import io.vigil.common.error.FieldProblem;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.Channel;
import io.vigil.common.model.NotificationStatus;
import io.vigil.storage.history.HistoryIndices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Open alerts, alert history and notification history, each query scoped to the caller's tenants
 * and bounded: at most {@link #MAX_LIMIT} items, history ranges at most what is kept.
 */
public final class HistoryQueries {

  public static final int MAX_LIMIT = 1_000;

  private final ElasticsearchClient client;
  private final HistoryIndices indices;

  public HistoryQueries(ElasticsearchClient client, HistoryIndices indices) {
    this.client = client;
    this.indices = indices;
  }

  /** A page of documents as stored, newest or most urgent first, with how many matched in all. */
  public record Page(long total, List<Map<String, Object>> items) {}

  /** Filters shared by the alert queries. */
  public record AlertFilter(String tenant, String namespace, String policyId, String severity, String status,
      String alertKey, List<String> dimensions) {}

  /** "Firing now": open alerts, most severe first, then the oldest. */
  public Page open(AlertFilter f, int limit, Optional<Set<String>> tenants) throws IOException {
    List<FieldProblem> problems = new ArrayList<>();
    List<Query> filter = alertFilter(f, tenants, problems);
    limit(problems, limit);
    fail(problems);
    filter.add(Query.of(q -> q.term(t -> t.field("open").value(true))));
    return search(List.of(indices.alerts()), filter, limit, "severityRank", SortOrder.Asc, "openedAtMs",
        SortOrder.Asc);
  }

  /** Alert events in [fromMs, toMs), newest first. */
  public Page events(AlertFilter f, Long fromMs, Long toMs, int limit, Optional<Set<String>> tenants)
      throws IOException {
    List<FieldProblem> problems = new ArrayList<>();
    List<Query> filter = alertFilter(f, tenants, problems);
    limit(problems, limit);
    TimeRange.check(problems, fromMs, toMs, indices.alertEvents().retention().keep());
    fail(problems);
    filter.add(SeriesQueries.range("timestampMs", fromMs, toMs));
    return search(indices.alertEvents().indicesFor(fromMs, toMs), filter, limit, "timestampMs", SortOrder.Desc,
        "sequence", SortOrder.Desc);
  }

  /** Notification outcomes in [fromMs, toMs), newest first. */
  public Page notifications(String tenant, String alertKey, String recipient, String channel, String status,
      Long fromMs, Long toMs, int limit, Optional<Set<String>> tenants) throws IOException {
    List<FieldProblem> problems = new ArrayList<>();
    List<Query> filter = new ArrayList<>();
    tenant(filter, tenant, tenants);
    optional(filter, problems, "alertKey", alertKey);
    optional(filter, problems, "recipient", recipient);
    if (channel != null) {
      word(filter, problems, "channel", channel, Arrays.stream(Channel.values()).map(Enum::name).toList());
    }
    if (status != null) {
      word(filter, problems, "status", status, Arrays.stream(NotificationStatus.values()).map(Enum::name).toList());
    }
    limit(problems, limit);
    TimeRange.check(problems, fromMs, toMs, indices.notifications().retention().keep());
    fail(problems);
    filter.add(SeriesQueries.range("timestampMs", fromMs, toMs));
    return search(indices.notifications().indicesFor(fromMs, toMs), filter, limit, "timestampMs", SortOrder.Desc,
        "escalationLevel", SortOrder.Desc);
  }

  private List<Query> alertFilter(AlertFilter f, Optional<Set<String>> tenants, List<FieldProblem> problems) {
    List<Query> filter = new ArrayList<>();
    tenant(filter, f.tenant(), tenants);
    optional(filter, problems, "namespace", f.namespace());
    optional(filter, problems, "policyId", f.policyId());
    optional(filter, problems, "alertKey", f.alertKey());
    if (f.severity() != null) {
      word(filter, problems, "severity", f.severity(),
          Arrays.stream(AlertEvent.Severity.values()).map(Enum::name).toList());
    }
    if (f.status() != null) {
      word(filter, problems, "status", f.status(),
          Arrays.stream(AlertEvent.AlertStatus.values()).map(Enum::name).toList());
    }
    if (f.dimensions() != null) {
      if (f.dimensions().size() > 20) {
        problems.add(new FieldProblem("dimension", "at most 20"));
      }
      for (String d : f.dimensions()) {
        int at = d == null ? -1 : d.indexOf(':');
        if (at <= 0 || d.length() > 1024) {
          problems.add(new FieldProblem("dimension", "each is key:value, e.g. host:web-1"));
          continue;
        }
        filter.add(SeriesQueries.term("dimensions." + d.substring(0, at), d.substring(at + 1)));
      }
    }
    return filter;
  }

  /** An explicit tenant narrows; the caller's own scope always applies (another tenant: nothing). */
  private static void tenant(List<Query> filter, String tenant, Optional<Set<String>> tenants) {
    if (tenant != null) {
      filter.add(SeriesQueries.term("tenant", tenant));
    }
    tenants.ifPresent(set -> filter.add(SeriesQueries.terms("tenant", set)));
  }

  private static void optional(List<Query> filter, List<FieldProblem> problems, String field, String value) {
    if (value == null) {
      return;
    }
    if (value.isBlank() || value.length() > 512) {
      problems.add(new FieldProblem(field, "must be 1..512 characters when given"));
      return;
    }
    filter.add(SeriesQueries.term(field, value));
  }

  private static void word(List<Query> filter, List<FieldProblem> problems, String field, String value,
      List<String> allowed) {
    if (!allowed.contains(value)) {
      problems.add(new FieldProblem(field, "must be one of " + allowed));
      return;
    }
    filter.add(SeriesQueries.term(field, value));
  }

  private static void limit(List<FieldProblem> problems, int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      problems.add(new FieldProblem("limit", "must be 1.." + MAX_LIMIT));
    }
  }

  private static void fail(List<FieldProblem> problems) {
    if (!problems.isEmpty()) {
      throw new ApiException(ErrorCode.VALIDATION_FAILED, problems);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Page search(List<String> index, List<Query> filter, int limit, String sort1, SortOrder order1,
      String sort2, SortOrder order2) throws IOException {
    SearchResponse<Map> r = client.search(s -> s.index(index).ignoreUnavailable(true).allowNoIndices(true)
        .size(limit).trackTotalHits(t -> t.enabled(true)).query(q -> q.bool(b -> b.filter(filter)))
        .sort(so -> so.field(x -> x.field(sort1).order(order1).unmappedType(
            co.elastic.clients.elasticsearch._types.mapping.FieldType.Long)))
        .sort(so -> so.field(x -> x.field(sort2).order(order2).unmappedType(
            co.elastic.clients.elasticsearch._types.mapping.FieldType.Long))), Map.class);
    List<Map<String, Object>> items = new ArrayList<>();
    for (Hit<Map> h : r.hits().hits()) {
      items.add((Map<String, Object>) h.source());
    }
    long total = r.hits().total() == null ? items.size() : r.hits().total().value();
    return new Page(total, items);
  }
}
