package io.vigil.cmdb.knowledge;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.security.VigilPrincipal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Searches the knowledge indices: by vector (kNN over the query's embedding, with an exact
 * identifier adding to the score) when the query can be embedded, else by keyword (BM25 over title,
 * body and identifiers; Chinese by character, adjacent characters counting more); a vector query Elasticsearch refuses falls back to
 * keywords too. The answer says which ran and why it fell back. Deleted documents and other tenants'
 * are filtered out inside Elasticsearch.
 */
public class KnowledgeSearch {

  private static final Logger log = LoggerFactory.getLogger(KnowledgeSearch.class);
  /** How much an exact identifier (a metric's name, an instance id) adds to a hit's score. */
  static final float IDENTIFIER_BOOST = 20f;

  public enum Mode { AUTO, VECTOR, KEYWORD }

  /** One hit: what it is, where it lives, and a short piece of its text. */
  public record Found(String kind, String id, String title, String snippet, String namespace, String tenant,
      double score) {}

  /**
   * @param mode {@code vector} or {@code keyword}: which search ranked the hits
   * @param fallbackReason why a vector search was not used, when it was asked for (or automatic)
   */
  public record Answer(String mode, String model, String fallbackReason, List<Found> hits) {}

  private final KnowledgeIndex index;
  private final DependencyMetrics dependencies;
  private final Map<String, Timer> timers;

  public KnowledgeSearch(KnowledgeIndex index, DependencyMetrics dependencies, MeterRegistry registry) {
    this.index = index;
    this.dependencies = dependencies;
    this.timers = Map.of("vector", timer(registry, "vector"), "keyword", timer(registry, "keyword"));
  }

  private static Timer timer(MeterRegistry registry, String mode) {
    return Timer.builder("vigil.cmdb.knowledge.search.duration").tag("mode", mode)
        .description("knowledge searches, embedding included").publishPercentileHistogram().register(registry);
  }

  public Answer search(VigilPrincipal caller, String q, Set<KnowledgeDoc.Kind> kinds, int limit, Mode mode) {
    List<String> indices = kinds.stream().map(index::index).toList();
    List<Query> filters = filters(caller);
    if (mode != Mode.KEYWORD) {
      float[] vector = null;
      String reason = null;
      try {
        vector = index.embedder().embed(q);
      } catch (RuntimeException e) {
        reason = "the query could not be embedded: " + e.getMessage();
        dependencies.degraded("knowledge_search", "no_embedding");
      }
      if (vector != null) {
        float[] embedded = vector;
        try {
          return timed("vector", () -> new Answer("vector", index.embedder().model(), null,
              hits(vectorSearch(indices, filters, q, embedded, limit))));
        } catch (ElasticsearchException e) {
          if (KnowledgeIndex.away(e)) {
            throw KnowledgeIndex.unavailable("knowledge search", e);
          }
          reason = "the vector query was refused: " + e.error().type();
          log.warn("knowledge vector query refused, answering by keyword: {}: {}", e.error().type(), e.error().reason());
          dependencies.degraded("knowledge_search", "vector_refused");
        } catch (IOException e) {
          throw KnowledgeIndex.unavailable("knowledge search", e);
        }
      }
      String why = reason;
      return keyword(indices, filters, q, limit, why);
    }
    return keyword(indices, filters, q, limit, null);
  }

  private Answer keyword(List<String> indices, List<Query> filters, String q, int limit, String reason) {
    try {
      return timed("keyword", () -> new Answer("keyword", null, reason, hits(keywordSearch(indices, filters, q,
          limit))));
    } catch (IOException | ElasticsearchException e) {
      throw KnowledgeIndex.unavailable("knowledge search", e);
    }
  }

  private interface Search<T> {
    T run() throws IOException;
  }

  private <T> T timed(String mode, Search<T> search) throws IOException {
    long t0 = System.nanoTime();
    try {
      return search.run();
    } finally {
      timers.get(mode).record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
  }

  @SuppressWarnings("rawtypes")
  private SearchResponse<Map> vectorSearch(List<String> indices, List<Query> filters, String q, float[] vector,
      int limit) throws IOException {
    List<Float> v = new ArrayList<>(vector.length);
    for (float f : vector) {
      v.add(f);
    }
    ElasticsearchClient client = index.client();
    return client.search(s -> s.index(indices).ignoreUnavailable(true).allowNoIndices(true).size(limit)
        .source(src -> src.filter(f -> f.excludes("vector")))
        .knn(k -> k.field("vector").queryVector(v).k(limit).numCandidates(Math.max(100, limit * 10)).filter(filters))
        .query(qq -> qq.bool(b -> b.filter(filters)
            .should(sh -> sh.term(t -> t.field("identifiers").value(q.trim()).boost(IDENTIFIER_BOOST)))
            .minimumShouldMatch("1"))), Map.class);
  }

  @SuppressWarnings("rawtypes")
  private SearchResponse<Map> keywordSearch(List<String> indices, List<Query> filters, String q, int limit)
      throws IOException {
    return index.client().search(s -> s.index(indices).ignoreUnavailable(true).allowNoIndices(true).size(limit)
        .source(src -> src.filter(f -> f.excludes("vector")))
        .query(qq -> qq.bool(b -> b.filter(filters)
            .should(sh -> sh.multiMatch(m -> m.query(q).fields("title^3", "body", "identifiers.text^2")))
            // Chinese is indexed by character: characters next to each other as in the query count more
            .should(sh -> sh.multiMatch(m -> m.query(q).fields("title^3", "body")
                .type(co.elastic.clients.elasticsearch._types.query_dsl.TextQueryType.Phrase).slop(1).boost(2f)))
            .should(sh -> sh.term(t -> t.field("identifiers").value(q.trim()).boost(IDENTIFIER_BOOST)))
            .minimumShouldMatch("1"))), Map.class);
  }

  @SuppressWarnings("rawtypes")
  private static List<Found> hits(SearchResponse<Map> r) {
    List<Found> out = new ArrayList<>();
    for (Hit<Map> h : r.hits().hits()) {
      Map s = h.source();
      String body = s == null ? "" : String.valueOf(s.getOrDefault("body", ""));
      out.add(new Found(str(s, "kind").toLowerCase(), h.id(), str(s, "title"),
          body.length() > 300 ? body.substring(0, 300) + "…" : body, str(s, "namespace"),
          s == null || s.get("tenant") == null ? null : String.valueOf(s.get("tenant")),
          h.score() == null ? 0 : h.score()));
    }
    return out;
  }

  private static String str(Map<?, ?> s, String field) {
    Object v = s == null ? null : s.get(field);
    return v == null ? "" : String.valueOf(v);
  }

  /** Live documents the caller may read: global ones, and its tenants' (or its product's) others. */
  static List<Query> filters(VigilPrincipal caller) {
    List<Query> filters = new ArrayList<>();
    filters.add(Query.of(q -> q.term(t -> t.field("deleted").value(false))));
    Query global = Query.of(q -> q.bool(b -> b.mustNot(n -> n.exists(e -> e.field("tenant")))));
    switch (caller.kind()) {
      case SERVICE -> { }
      case OPERATOR -> {
        if (!caller.tenants().contains(VigilPrincipal.ALL_TENANTS)) {
          List<co.elastic.clients.elasticsearch._types.FieldValue> tenants = caller.tenants().stream()
              .map(co.elastic.clients.elasticsearch._types.FieldValue::of).toList();
          filters.add(Query.of(q -> q.bool(b -> b.should(global)
              .should(s -> s.terms(t -> t.field("tenant").terms(v -> v.value(tenants)))).minimumShouldMatch("1"))));
        }
      }
      case PRODUCT -> {
        List<Query> own = new ArrayList<>();
        own.add(global);
        for (String ns : caller.namespaces()) {
          own.add(ns.endsWith("/*")
              ? Query.of(q -> q.prefix(p -> p.field("namespace").value(ns.substring(0, ns.length() - 1))))
              : Query.of(q -> q.term(t -> t.field("namespace").value(ns))));
        }
        filters.add(Query.of(q -> q.bool(b -> b.should(own).minimumShouldMatch("1"))));
      }
    }
    return filters;
  }
}
