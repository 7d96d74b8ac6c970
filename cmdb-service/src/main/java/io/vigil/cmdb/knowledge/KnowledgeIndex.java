package io.vigil.cmdb.knowledge;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.VersionType;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import co.elastic.clients.elasticsearch.core.search.Hit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.error.ErrorClassifier;
import io.vigil.common.store.StoreNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;

/**
 * The knowledge indices in Elasticsearch, one per kind, each with text fields (the standard
 * analyzer: words of English, single characters of Chinese, so search ranks adjacent characters up
 * with a phrase match) and a 512-dimension vector. Documents are indexed
 * with the source's version as Elasticsearch's external version: an older update arriving after a
 * newer one is refused by Elasticsearch itself (counted, never applied), and a deletion is a
 * document marked deleted at its version. Before embedding, the versions already indexed are read,
 * so a replay of changes costs a look-up, not the model.
 */
public class KnowledgeIndex {

  private final ElasticsearchClient client;
  private final StoreNames names;
  private final Embedder embedder;
  private final int replicas;
  private final Set<KnowledgeDoc.Kind> installed = ConcurrentHashMap.newKeySet();
  private final Counter stale;
  private final Map<KnowledgeDoc.Kind, Counter> indexed = new EnumMap<>(KnowledgeDoc.Kind.class);

  public KnowledgeIndex(ElasticsearchClient client, StoreNames names, Embedder embedder, int replicas,
      MeterRegistry registry) {
    this.client = client;
    this.names = names;
    this.embedder = embedder;
    this.replicas = replicas;
    this.stale = Counter.builder("vigil.cmdb.knowledge.stale")
        .description("knowledge updates not applied: the index held that version or a newer one").register(registry);
    for (KnowledgeDoc.Kind k : KnowledgeDoc.Kind.values()) {
      indexed.put(k, Counter.builder("vigil.cmdb.knowledge.indexed").tag("kind",
          k.name().toLowerCase()).description("knowledge documents indexed").register(registry));
    }
  }

  public String index(KnowledgeDoc.Kind kind) {
    return names.index(kind.index());
  }

  public Embedder embedder() {
    return embedder;
  }

  /** Creates the kind's index with its mapping unless it exists. */
  public void ensure(KnowledgeDoc.Kind kind) {
    if (installed.contains(kind)) {
      return;
    }
    String index = index(kind);
    try {
      if (!client.indices().exists(e -> e.index(index)).value()) {
        String body = mapping().replace("\"number_of_shards\": 1", "\"number_of_shards\": 1, \"number_of_replicas\": "
            + replicas);
        try {
          client.indices().create(c -> c.index(index).withJson(new StringReader(body)));
        } catch (co.elastic.clients.elasticsearch._types.ElasticsearchException e) {
          if (!"resource_already_exists_exception".equals(e.error().type())) {
            throw e; // another instance made it first: fine
          }
        }
      }
      installed.add(kind);
    } catch (IOException e) {
      throw unavailable("the knowledge index " + index + " cannot be made", e);
    }
  }

  private static String mapping() {
    try (InputStream in = KnowledgeIndex.class.getResourceAsStream("/knowledge/index.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("knowledge/index.json is missing", e);
    }
  }

  /**
   * Indexes the documents newer than what the index holds: each kind's versions are read first, the
   * newer live ones embedded in one call, and all written in one bulk request. Returns how many
   * were written.
   */
  public int write(List<KnowledgeDoc> docs) {
    if (docs.isEmpty()) {
      return 0;
    }
    Map<String, KnowledgeDoc> newest = new LinkedHashMap<>();
    for (KnowledgeDoc d : docs) {
      String key = d.kind() + ":" + d.id();
      KnowledgeDoc had = newest.get(key);
      if (had == null || had.version() < d.version()) {
        newest.put(key, d);
      }
    }
    Map<KnowledgeDoc.Kind, List<KnowledgeDoc>> byKind = new EnumMap<>(KnowledgeDoc.Kind.class);
    newest.values().forEach(d -> byKind.computeIfAbsent(d.kind(), k -> new ArrayList<>()).add(d));
    List<KnowledgeDoc> toWrite = new ArrayList<>();
    for (Map.Entry<KnowledgeDoc.Kind, List<KnowledgeDoc>> e : byKind.entrySet()) {
      ensure(e.getKey());
      Map<String, Long> have = versions(e.getKey(), e.getValue().stream().map(KnowledgeDoc::id).toList());
      for (KnowledgeDoc d : e.getValue()) {
        Long v = have.get(d.id());
        if (v != null && v >= d.version()) {
          stale.increment();
        } else {
          toWrite.add(d);
        }
      }
    }
    if (toWrite.isEmpty()) {
      return 0;
    }
    List<KnowledgeDoc> live = toWrite.stream().filter(d -> !d.deleted()).toList();
    Map<KnowledgeDoc, float[]> vectors = new HashMap<>();
    if (!live.isEmpty()) {
      try {
        List<float[]> v = embedder.embedAll(live.stream().map(KnowledgeDoc::text).toList());
        for (int i = 0; i < live.size(); i++) {
          vectors.put(live.get(i), v.get(i));
        }
      } catch (UnsupportedOperationException e) {
        // no model: the documents are found by keyword only
      }
    }
    BulkRequest.Builder bulk = new BulkRequest.Builder();
    long now = System.currentTimeMillis();
    for (KnowledgeDoc d : toWrite) {
      Map<String, Object> source = source(d, vectors.get(d), now);
      bulk.operations(op -> op.index(i -> i.index(index(d.kind())).id(d.id()).version(d.version())
          .versionType(VersionType.External).document(source)));
    }
    BulkResponse response;
    try {
      response = client.bulk(bulk.build());
    } catch (IOException e) {
      throw unavailable("a bulk of " + toWrite.size() + " knowledge documents failed", e);
    }
    int written = 0;
    for (int i = 0; i < response.items().size(); i++) {
      BulkResponseItem item = response.items().get(i);
      if (item.error() == null) {
        written++;
        indexed.get(toWrite.get(i).kind()).increment();
      } else if (item.status() == 409) {
        stale.increment(); // a newer version was written between the look-up and the bulk
      } else if (item.status() == 429 || item.status() >= 500) {
        throw new DependencyUnavailableException("elasticsearch", "knowledge document " + item.id() + " refused with "
            + item.status());
      } else {
        throw new IllegalStateException("Elasticsearch refused knowledge document " + item.id() + ": "
            + item.error().type() + ": " + item.error().reason());
      }
    }
    return written;
  }

  /** The versions the index holds for these ids (absent when it holds none). */
  @SuppressWarnings("rawtypes")
  public Map<String, Long> versions(KnowledgeDoc.Kind kind, List<String> ids) {
    Map<String, Long> out = new HashMap<>();
    if (ids.isEmpty()) {
      return out;
    }
    ensure(kind);
    try {
      var r = client.mget(m -> m.index(index(kind)).ids(ids).source(s -> s.fetch(false)), Map.class);
      for (MultiGetResponseItem<Map> item : r.docs()) {
        if (item.isResult() && item.result().found() && item.result().version() != null) {
          out.put(item.result().id(), item.result().version());
        }
      }
      return out;
    } catch (IOException e) {
      throw unavailable("knowledge versions cannot be read", e);
    }
  }

  /**
   * Every live document's id of a kind, or of one namespace's (a namespace's metrics, to find those
   * dropped), in id order, a page of 1,000 at a time (search_after).
   */
  @SuppressWarnings("rawtypes")
  public void forEachLiveId(KnowledgeDoc.Kind kind, String namespace, java.util.function.Consumer<String> sink) {
    ensure(kind);
    String after = null;
    try {
      while (true) {
        String from = after;
        var r = client.search(s -> {
          s.index(index(kind)).size(1000).source(src -> src.fetch(false))
              .query(q -> q.bool(b -> {
                b.filter(f -> f.term(t -> t.field("deleted").value(false)));
                if (namespace != null) {
                  b.filter(f -> f.term(t -> t.field("namespace").value(namespace)));
                }
                return b;
              }))
              .sort(o -> o.field(f -> f.field("id")));
          if (from != null) {
            s.searchAfter(co.elastic.clients.elasticsearch._types.FieldValue.of(from));
          }
          return s;
        }, Map.class);
        List<Hit<Map>> hits = r.hits().hits();
        hits.forEach(h -> sink.accept(h.id()));
        if (hits.size() < 1000) {
          return;
        }
        after = hits.get(hits.size() - 1).id();
      }
    } catch (IOException e) {
      throw unavailable("knowledge documents cannot be listed", e);
    }
  }

  private static Map<String, Object> source(KnowledgeDoc d, float[] vector, long now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", d.kind().name());
    m.put("id", d.id());
    m.put("title", d.title());
    m.put("body", d.body());
    m.put("identifiers", d.identifiers());
    m.put("namespace", d.namespace());
    m.put("tenant", d.tenant());
    m.put("source", d.source());
    m.put("region", d.region());
    m.put("version", d.version());
    m.put("deleted", d.deleted());
    m.put("indexedAtMs", now);
    if (vector != null) {
      m.put("vector", vector);
    }
    m.values().removeIf(java.util.Objects::isNull);
    return m;
  }

  static DependencyUnavailableException unavailable(String what, Exception e) {
    return new DependencyUnavailableException("elasticsearch", what + ": " + e, e);
  }

  /** Whether an Elasticsearch failure is it being away (rather than a query it refused). */
  static boolean away(Exception e) {
    return e instanceof IOException || ErrorClassifier.classify(e).retriable();
  }

  ElasticsearchClient client() {
    return client;
  }
}
