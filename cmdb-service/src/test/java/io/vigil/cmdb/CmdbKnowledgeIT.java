package io.vigil.cmdb;

import static io.vigil.cmdb.CmdbFixtures.ACME_KEY;
import static io.vigil.cmdb.CmdbFixtures.VM;
import static io.vigil.common.testing.VigilTestInitializer.SERVICE_KEY;
import static io.vigil.common.testing.VigilTestInitializer.T1_OPERATOR_KEY;
import static io.vigil.common.testing.VigilTestInitializer.T2_OPERATOR_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.cmdb.knowledge.Embedder;
import io.vigil.cmdb.knowledge.KnowledgeDoc;
import io.vigil.cmdb.knowledge.KnowledgeIndex;
import io.vigil.cmdb.knowledge.KnowledgeSearch;
import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ControlJson;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.model.ControlChange.EntityType;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.security.VigilPrincipal;
import io.vigil.common.store.StoreNames;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.VigilTestInitializer;
import io.vigil.common.testing.fault.FaultProxy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Knowledge search over a generated corpus of 224 metric definitions in English and Chinese
 * ({@link KnowledgeCorpus}), indexed by the service's own consumers from control.changes and
 * cmdb.changes with the real model and Elasticsearch: paraphrases found by vector where keywords
 * miss, identifiers and Chinese found by keyword, tenant scoping, versions that never go backwards,
 * the fallback to keywords, and Elasticsearch away.
 */
@VigilServiceTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CmdbKnowledgeIT {

  @LocalServerPort
  int port;
  @Autowired
  KnowledgeIndex index;
  @Autowired
  ElasticsearchClient client;
  @Autowired
  StoreNames names;

  Http http;

  @BeforeAll
  void corpus() {
    http = new Http(port);
    CmdbFixtures.seed();
    var jdbc = CmdbFixtures.control();
    for (NamespaceConfig ns : KnowledgeCorpus.namespaces()) {
      CmdbFixtures.namespace(jdbc, ns);
      CmdbFixtures.announce(EntityType.NAMESPACE, ns.name(), null, 1);
    }
    int expected = KnowledgeCorpus.metricCount();
    assertThat(expected).isGreaterThanOrEqualTo(200);
    Awaits.until("the corpus is indexed", Duration.ofSeconds(90), () -> count(KnowledgeDoc.Kind.METRIC, "k") >= expected);
  }

  long count(KnowledgeDoc.Kind kind, String namespacePrefix) {
    try {
      index.ensure(kind);
      client.indices().refresh(r -> r.index(index.index(kind)));
      return client.count(c -> c.index(index.index(kind))
          .query(q -> q.bool(b -> b.filter(f -> f.prefix(p -> p.field("namespace").value(namespacePrefix)))
              .filter(f -> f.term(t -> t.field("deleted").value(false)))))).count();
    } catch (Exception e) {
      return -1;
    }
  }

  HttpResponse<String> get(String key, String query) {
    return CmdbFixtures.send(http, "GET", "/v1/knowledge/search?" + query, key, null);
  }

  JsonNode search(String key, String q, String mode, String kind) {
    HttpResponse<String> r = get(key, "limit=5&mode=" + mode + (kind == null ? "" : "&kind=" + kind) + "&q="
        + URLEncoder.encode(q, StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Http.json(r);
  }

  static String first(JsonNode answer) {
    return answer.path("hits").path(0).path("id").asString();
  }

  /**
   * Queries that share no word (or no character, for Chinese) with the description that answers
   * them. The model finds the meaning; BM25 ranks a metric that merely shares a word ("requests",
   * another product's CPU) first. Chosen from the corpus by running both searches; bge-small-zh is
   * stronger in Chinese than in English (docs/architecture.md, section 16).
   */
  @Test
  void paraphrasesRankTheRightMetricFirstByVectorWhereKeywordsDoNot() {
    Map<String, java.util.function.Predicate<String>> cases = Map.of(
        "数据库处理器忙不忙", id -> id.matches("k[cz]/cdb:cpu_usage"),
        "processor load of the database", id -> id.matches("k[cz]/cdb:cpu_usage"),
        "处理器忙不忙", id -> id.endsWith(":cpu_usage"),
        "报错请求多", id -> id.endsWith(":errors_5xx"),
        "负载均衡出错的请求太多", id -> id.equals("kz/clb:errors_5xx"),
        "RAM in use", id -> id.endsWith(":mem_usage"));
    cases.forEach((q, right) -> {
      JsonNode vector = search(SERVICE_KEY, q, "auto", "metric");
      assertThat(vector.path("mode").asString()).isEqualTo("vector");
      assertThat(vector.path("model").asString()).isEqualTo("bge-small-zh-v1.5-q");
      assertThat(first(vector)).as("vector's first hit for %s", q).matches(right);
      JsonNode keyword = search(SERVICE_KEY, q, "keyword", "metric");
      assertThat(keyword.path("mode").asString()).isEqualTo("keyword");
      assertThat(first(keyword)).as("keyword's first hit for %s", q).doesNotMatch(right);
    });
  }

  @Test
  void anExactIdentifierIsFoundByKeywordAndRanksFirstEitherWay() {
    for (String mode : List.of("keyword", "auto")) {
      JsonNode r = search(SERVICE_KEY, "rootfs_used_percent", mode, null);
      assertThat(first(r)).as(mode).isEqualTo("kc/cvm:rootfs_used_percent");
      assertThat(r.path("hits").path(0).path("kind").asString()).isEqualTo("metric");
      assertThat(r.path("hits").path(0).path("title").asString()).contains("root file system");
    }
    assertThat(first(search(SERVICE_KEY, "kc/ckafka:consumer_group_lag", "auto", null)))
        .isEqualTo("kc/ckafka:consumer_group_lag");
  }

  @Test
  void chineseQueriesHitByKeyword() {
    assertThat(first(search(SERVICE_KEY, "从库延迟", "keyword", "metric"))).isEqualTo("kz/cdb:replication_lag");
    assertThat(first(search(SERVICE_KEY, "消息堆积", "keyword", "metric"))).isEqualTo("kz/ckafka:consumer_group_lag");
    assertThat(first(search(SERVICE_KEY, "磁盘读取慢", "keyword", "metric"))).isEqualTo("kz/cbs:disk_read_latency");
    // and by vector too
    assertThat(first(search(SERVICE_KEY, "主从同步落后", "auto", "metric"))).isEqualTo("kz/cdb:replication_lag");
  }

  @Test
  void policiesAndInstancesAreSearchedWithinTheCallersTenants() {
    String id = "pol_KNOW" + Long.toHexString(System.nanoTime()).toUpperCase();
    AlertPolicy policy = ControlJson.read("""
        {"name": "checkout replica falling behind", "namespace": "kc/cdb", "combine": "ANY",
         "conditions": [{"metric": "replication_lag", "period": 60, "statistic": "MAX", "operator": "GT",
                         "threshold": 30, "forPeriods": 3}],
         "severity": "CRITICAL", "annotations": {"summary": "the checkout replica lags its primary"}}""",
        AlertPolicy.class);
    CmdbFixtures.control().update("INSERT INTO ctl_policies (id, tenant, name, namespace, shard, enabled, version,"
        + " body, created_at_ms, updated_at_ms, updated_by) VALUES (?, 't1', ?, 'kc/cdb', 'default', 1, 1, ?, 1, 1,"
        + " 'test')", id, policy.name(), ControlJson.write(policy));
    CmdbFixtures.announce(EntityType.POLICY, id, "t1", 1);
    Awaits.until("the policy is indexed", () -> first(search(T1_OPERATOR_KEY, id, "keyword", "policy")).equals(id));
    JsonNode t1 = search(T1_OPERATOR_KEY, "checkout replica", "keyword", "policy");
    assertThat(first(t1)).isEqualTo(id);
    assertThat(t1.path("hits").path(0).path("tenant").asString()).isEqualTo("t1");
    assertThat(search(T2_OPERATOR_KEY, "checkout replica", "keyword", "policy").path("hits").size()).isZero();
    assertThat(search(T2_OPERATOR_KEY, id, "auto", null).path("hits").toString()).doesNotContain(id);

    String instance = "know-" + Long.toHexString(System.nanoTime());
    Map<String, Object> body = CmdbFixtures.vm("t1", instance, 1);
    HttpResponse<String> put = CmdbFixtures.send(http, "PUT", "/v1/instances/" + VM + "/ap-guangzhou/" + instance,
        ACME_KEY, body);
    assertThat(put.statusCode()).isEqualTo(200);
    String key = VM + "/ap-guangzhou/" + instance;
    Awaits.until("the instance is indexed", () -> first(search(SERVICE_KEY, instance, "keyword", "instance"))
        .equals(key));
    assertThat(first(search(T1_OPERATOR_KEY, instance, "auto", "instance"))).isEqualTo(key);
    assertThat(search(T2_OPERATOR_KEY, instance, "keyword", "instance").path("hits").size()).isZero();
    // deleted: gone from search
    CmdbFixtures.send(http, "DELETE", "/v1/instances/" + VM + "/ap-guangzhou/" + instance + "?version=2", ACME_KEY,
        null);
    Awaits.until("the deletion is indexed", () -> search(SERVICE_KEY, instance, "keyword", "instance").path("hits")
        .toString().indexOf(key) < 0);
  }

  @Autowired
  io.vigil.cmdb.knowledge.KnowledgeIndexer indexer;

  @Test
  void theReconcileIndexesWhatWasMissedAndMarksDeletedWhatWasDeletedUnseen() {
    String id = "pol_RECON" + Long.toHexString(System.nanoTime()).toUpperCase();
    AlertPolicy policy = ControlJson.read("""
        {"name": "reconciled rootfs watch", "namespace": "kc/cvm", "combine": "ANY",
         "conditions": [{"metric": "rootfs_used_percent", "period": 60, "statistic": "MAX", "operator": "GT",
                         "threshold": 90, "forPeriods": 3}], "severity": "WARNING"}""", AlertPolicy.class);
    var jdbc = CmdbFixtures.control();
    // committed without its change reaching the cmdb: the reconcile finds it
    jdbc.update("INSERT INTO ctl_policies (id, tenant, name, namespace, shard, enabled, version, body, created_at_ms,"
        + " updated_at_ms, updated_by) VALUES (?, 't1', ?, 'kc/cvm', 'default', 1, 1, ?, 1, 1, 'test')", id,
        policy.name(), ControlJson.write(policy));
    assertThat(indexer.reconcile()).isPositive();
    Awaits.until("the missed policy is indexed", () -> first(search(SERVICE_KEY, id, "keyword", "policy")).equals(id));
    // deleted without its change reaching the cmdb: the reconcile marks it deleted
    jdbc.update("UPDATE ctl_policies SET deleted = 1, live = NULL, version = 2 WHERE id = ?", id);
    indexer.reconcile();
    assertThat(index.versions(KnowledgeDoc.Kind.POLICY, List.of(id))).containsEntry(id, 2L);
    Awaits.until("the deleted policy is gone from search", () -> !search(SERVICE_KEY, id, "keyword", "policy")
        .path("hits").toString().contains(id));
  }

  @Test
  void anOlderUpdateNeverOverwritesANewerOne() {
    String id = "kc/test:versioned-" + System.nanoTime();
    KnowledgeDoc v5 = new KnowledgeDoc(KnowledgeDoc.Kind.METRIC, id, "versioned: the newer text", "", List.of(id),
        "kc/test", null, "control", "local", 5, false);
    KnowledgeDoc v3 = new KnowledgeDoc(KnowledgeDoc.Kind.METRIC, id, "versioned: the older text", "", List.of(id),
        "kc/test", null, "control", "local", 3, false);
    assertThat(index.write(List.of(v5))).isEqualTo(1);
    assertThat(index.write(List.of(v3))).isZero();
    assertThat(index.versions(KnowledgeDoc.Kind.METRIC, List.of(id))).containsEntry(id, 5L);
    assertThat(index.write(List.of(v5.tombstone(4)))).as("a deletion older than the document").isZero();
    assertThat(index.write(List.of(v5.tombstone(6)))).isEqualTo(1);
    assertThat(index.write(List.of(v5))).isZero();
    // the index refreshes about once a second: the tombstone leaves search on the next refresh
    Awaits.until("the tombstone is searchable", () -> !search(SERVICE_KEY, id, "keyword", "metric").path("hits")
        .toString().contains(id));
  }

  @Test
  void withoutAVectorTheSearchFallsBackToKeywordsAndSaysWhy() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DependencyMetrics deps = new DependencyMetrics(registry, Set.of("elasticsearch"));
    VigilPrincipal service = new VigilPrincipal("svc", VigilPrincipal.Kind.SERVICE, null, null, null);
    // no model at all
    KnowledgeSearch none = new KnowledgeSearch(new KnowledgeIndex(client, names, Embedder.NONE, 0, registry), deps,
        registry);
    KnowledgeSearch.Answer a = none.search(service, "从库延迟", EnumSet.of(KnowledgeDoc.Kind.METRIC), 3,
        KnowledgeSearch.Mode.AUTO);
    assertThat(a.mode()).isEqualTo("keyword");
    assertThat(a.fallbackReason()).contains("could not be embedded");
    assertThat(a.hits().get(0).id()).isEqualTo("kz/cdb:replication_lag");
    // a vector Elasticsearch refuses (three dimensions against the index's 512)
    Embedder broken = new Embedder() {
      @Override
      public int dimensions() {
        return 3;
      }

      @Override
      public String model() {
        return "broken";
      }

      @Override
      public List<float[]> embedAll(List<String> texts) {
        return texts.stream().map(t -> new float[] {1, 0, 0}).toList();
      }
    };
    KnowledgeSearch refused = new KnowledgeSearch(new KnowledgeIndex(client, names, broken, 0, registry), deps,
        registry);
    a = refused.search(service, "从库延迟", EnumSet.of(KnowledgeDoc.Kind.METRIC), 3, KnowledgeSearch.Mode.AUTO);
    assertThat(a.mode()).isEqualTo("keyword");
    assertThat(a.fallbackReason()).contains("vector query was refused");
    assertThat(a.hits().get(0).id()).isEqualTo("kz/cdb:replication_lag");
    assertThat(registry.counter("vigil.degraded", "component", "knowledge_search", "reason", "vector_refused").count())
        .isEqualTo(1);
  }

  @Test
  void badQueriesAreProblems() {
    assertThat(get(SERVICE_KEY, "q=").statusCode()).isEqualTo(400);
    assertThat(get(SERVICE_KEY, "q=x&kind=table").statusCode()).isEqualTo(400);
    assertThat(get(SERVICE_KEY, "q=x&mode=fuzzy").statusCode()).isEqualTo(400);
    assertThat(get(SERVICE_KEY, "q=x&limit=51").statusCode()).isEqualTo(400);
    assertThat(get(SERVICE_KEY, "q=" + "x".repeat(501)).statusCode()).isEqualTo(400);
    assertThat(CmdbFixtures.send(http, "GET", "/v1/knowledge/search?q=x", "nope", null).statusCode()).isEqualTo(401);
  }

  /**
   * A second cmdb whose Elasticsearch is behind a proxy: refused, search answers 503 problem+json,
   * instance writes go on and the service stays ready; back, the instance written meanwhile is indexed.
   */
  @Test
  void withElasticsearchAwaySearchIs503AndIndexingResumes() throws Exception {
    URI es = URI.create(TestServers.elasticsearchUrl());
    try (FaultProxy proxy = FaultProxy.to(es.getHost(), es.getPort())) {
      proxy.refuse();
      ConfigurableApplicationContext second = new SpringApplicationBuilder(io.vigil.cmdb.CmdbApplication.class)
          .initializers(new VigilTestInitializer())
          .run("--server.port=0", "--spring.elasticsearch.uris=http://127.0.0.1:" + proxy.port(),
              "--spring.elasticsearch.connection-timeout=500ms", "--spring.elasticsearch.socket-timeout=2s");
      try {
        Http other = new Http(((WebServerApplicationContext) second).getWebServer().getPort());
        HttpResponse<String> down = CmdbFixtures.send(other, "GET", "/v1/knowledge/search?q=cpu", SERVICE_KEY, null);
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.headers().firstValue("Content-Type")).hasValueSatisfying(
            t -> assertThat(t).startsWith("application/problem+json"));
        String instance = "esdown-" + Long.toHexString(System.nanoTime());
        Awaits.until("the second cmdb knows acme/vm", () -> CmdbFixtures.send(other, "PUT",
            "/v1/instances/" + VM + "/ap-guangzhou/" + instance, ACME_KEY, CmdbFixtures.vm("t1", instance, 1))
            .statusCode() == 200);
        Awaits.until("the knowledge consumer waits for Elasticsearch", () -> Http.sample(
            other.get("/actuator/prometheus").body(), "vigil_kafka_consumer_waiting",
            "consumer=\"cmdb-knowledge-instances\"") == 1);
        assertThat(other.get("/actuator/health/readiness").statusCode()).as("instances are still served").isEqualTo(200);
        proxy.pass();
        String key = VM + "/ap-guangzhou/" + instance;
        Awaits.until("indexing resumed", Duration.ofSeconds(60), () -> {
          HttpResponse<String> r = CmdbFixtures.send(other, "GET", "/v1/knowledge/search?mode=keyword&kind=instance&q="
              + instance, SERVICE_KEY, null);
          return r.statusCode() == 200 && r.body().contains(key);
        });
      } finally {
        second.close();
      }
    }
  }
}
