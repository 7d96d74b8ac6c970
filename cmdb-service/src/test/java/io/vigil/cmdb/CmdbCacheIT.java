package io.vigil.cmdb;

import static io.vigil.cmdb.CmdbFixtures.ACME_KEY;
import static io.vigil.cmdb.CmdbFixtures.VM;
import static io.vigil.cmdb.CmdbFixtures.send;
import static io.vigil.cmdb.CmdbFixtures.vm;
import static io.vigil.common.testing.VigilTestInitializer.SERVICE_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.cmdb.instances.Instance;
import io.vigil.cmdb.instances.InstanceCache;
import io.vigil.cmdb.instances.InstanceKey;
import io.vigil.cmdb.instances.InstanceService;
import io.vigil.cmdb.instances.InstanceStore;
import io.vigil.cmdb.instances.NearCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.control.AccessConfigCache;
import io.vigil.common.kafka.BroadcastConsumer;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.VigilPublisher;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.CmdbChange;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.security.VigilPrincipal;
import io.vigil.common.store.StoreNames;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.fault.FaultProxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The read cache against the real Redis: filled on a miss, written through on commit so a read
 * after a write sees it, never overwritten by an older version a slow reader loaded; the near cache
 * in front of it following another process's commit through cmdb.changes; and with Redis
 * away (a proxy in front of it, for a second cache over the same store) reads go to MySQL, counted
 * as degraded, and the write-through that failed is repaired when Redis returns.
 */
@VigilServiceTest
class CmdbCacheIT {

  static final VigilPrincipal SERVICE = new VigilPrincipal("svc", VigilPrincipal.Kind.SERVICE, null, null, null);

  @LocalServerPort
  int port;
  @Autowired
  InstanceCache cache;
  @Autowired
  InstanceStore store;
  @Autowired
  AccessConfigCache access;
  @Autowired
  StoreNames names;
  @Autowired
  StringRedisTemplate redis;
  @Autowired
  BroadcastConsumer<CmdbChange> nearCacheConsumer;
  @Autowired
  VigilPublisher publisher;
  @Autowired
  MeterRegistry meters;

  Http http;

  @BeforeEach
  void seed() {
    http = new Http(port);
    CmdbFixtures.seed();
    Awaits.until("the access config names acme/vm", () -> access.namespace(VM).isPresent());
  }

  static String uniq(String name) {
    return name + "-" + Long.toHexString(System.nanoTime());
  }

  static String path(String id) {
    return "/v1/instances/" + VM + "/ap-guangzhou/" + id;
  }

  @Test
  void aReadFillsTheCacheAndACommitWritesThroughSoTheNextReadSeesIt() {
    String id = uniq("cache");
    InstanceKey key = new InstanceKey(VM, "ap-guangzhou", id);
    // an unknown instance is cached as unknown (version 0), briefly
    assertThat(send(http, "GET", path(id), SERVICE_KEY, null).statusCode()).isEqualTo(404);
    assertThat(redis.opsForValue().get(cache.key(key))).isEqualTo("0\n");
    assertThat(redis.getExpire(cache.key(key))).isBetween(1L, 60L);

    assertThat(send(http, "PUT", path(id), ACME_KEY, vm("t1", id, 100)).statusCode()).isEqualTo(200);
    assertThat(redis.opsForValue().get(cache.key(key))).startsWith("100\nt1\n{");
    assertThat(Http.json(send(http, "GET", path(id), SERVICE_KEY, null)).path("version").asLong()).isEqualTo(100);

    Map<String, Object> next = new java.util.HashMap<>(vm("t1", id, 200));
    next.put("tags", Map.of("team", "payments"));
    assertThat(send(http, "PUT", path(id), ACME_KEY, next).statusCode()).isEqualTo(200);
    assertThat(Http.json(send(http, "GET", path(id), SERVICE_KEY, null)).path("tags").path("team").asString())
        .isEqualTo("payments");
    assertThat(redis.getExpire(cache.key(key))).isBetween(60L, 600L);

    // a reader that loaded version 100 from MySQL before the commit cannot put it back
    Instance old = new Instance(VM, "ap-guangzhou", id, "t1", 100, "product:acme", Map.of(), Map.of(), 1, 1);
    cache.fill(Map.of(key, InstanceCache.Entry.of(100, old)));
    assertThat(redis.opsForValue().get(cache.key(key))).startsWith("200\n");

    // a delete is cached as deleted at its version
    assertThat(send(http, "DELETE", path(id) + "?version=300", ACME_KEY, null).statusCode()).isEqualTo(200);
    assertThat(redis.opsForValue().get(cache.key(key))).isEqualTo("300\n");
    assertThat(send(http, "GET", path(id), SERVICE_KEY, null).statusCode()).isEqualTo(404);
  }

  /**
   * Another process of the cmdb commits a newer version: it writes Redis through and its relay puts
   * the change on cmdb.changes. This process's batch look-ups answer from their near copy until the
   * change is read, then see the new version; a single read sees it at once (it skips the near cache).
   */
  @Test
  void anotherProcessesCommitReachesTheNearCacheThroughCmdbChanges() throws Exception {
    Awaits.until("the near cache follows cmdb.changes", nearCacheConsumer::following);
    String id = uniq("near");
    InstanceKey key = new InstanceKey(VM, "ap-guangzhou", id);
    assertThat(send(http, "PUT", path(id), ACME_KEY, vm("t1", id, 10)).statusCode()).isEqualTo(200);
    assertThat(lookedUp(id).path("version").asLong()).isEqualTo(10);
    double hits = nearHits();
    assertThat(lookedUp(id).path("version").asLong()).isEqualTo(10);
    assertThat(nearHits()).as("the second look-up is answered from the near cache").isEqualTo(hits + 1);

    // the other process: Redis written through, then its change published
    Instance v11 = new Instance(VM, "ap-guangzhou", id, "t1", 11, "product:acme", Map.of("appid", "t1"),
        Map.of("team", "payments"), 1, 2);
    cache.written(List.of(new Instance.Change(key, v11, 11)));
    assertThat(Http.json(send(http, "GET", path(id), SERVICE_KEY, null)).path("version").asLong())
        .as("a single read goes past the near cache").isEqualTo(11);
    assertThat(lookedUp(id).path("version").asLong()).as("until the change is read, the near copy answers")
        .isEqualTo(10);
    publisher.publish(Topics.CMDB_CHANGES, new CmdbChange(CmdbChange.SCHEMA_VERSION, key.text(), VM, "ap-guangzhou",
        11, ChangeOp.UPSERT, v11.attributes(), "product:acme", System.currentTimeMillis(), id, v11.tags(), "t1"))
        .get(10, java.util.concurrent.TimeUnit.SECONDS);
    Awaits.until("the change is read and the look-up sees version 11",
        () -> lookedUp(id).path("version").asLong() == 11);
    assertThat(lookedUp(id).path("tags").path("team").asString()).isEqualTo("payments");
  }

  /** The answer is written from bytes with its length set by hand: multi-byte text must come back whole. */
  @Test
  void aLookUpAnswersNonAsciiContentWhole() {
    String id = uniq("zh");
    Map<String, Object> body = new java.util.HashMap<>(vm("t1", id, 5));
    body.put("tags", Map.of("team", "结账服务", "owner", "José"));
    assertThat(send(http, "PUT", path(id), ACME_KEY, body).statusCode()).isEqualTo(200);
    for (int i = 0; i < 2; i++) { // from Redis, then from the near cache
      assertThat(lookedUp(id).path("tags").path("team").asString()).isEqualTo("结账服务");
      assertThat(lookedUp(id).path("tags").path("owner").asString()).isEqualTo("José");
    }
  }

  /** The one instance a batch look-up of {@code id} answers. */
  tools.jackson.databind.JsonNode lookedUp(String id) {
    var r = send(http, "POST", "/v1/instances/lookup", SERVICE_KEY,
        Map.of("keys", List.of(Map.of("namespace", VM, "region", "ap-guangzhou", "instanceId", id))));
    assertThat(r.statusCode()).isEqualTo(200);
    return Http.json(r).path("instances").path(0);
  }

  double nearHits() {
    return meters.get("vigil.cmdb.near.cache.gets").tag("result", "hit").counter().count();
  }

  static StringRedisTemplate redis(String host, int port) {
    return io.vigil.common.testing.TestRedis.template(host, port);
  }

  @Test
  void withRedisAwayReadsGoToMySqlCountedAndAMissedWriteThroughIsRepairedLater() {
    String id = uniq("down");
    InstanceKey key = new InstanceKey(VM, "ap-guangzhou", id);
    assertThat(send(http, "PUT", path(id), ACME_KEY, vm("t1", id, 1)).statusCode()).isEqualTo(200);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    DependencyMetrics deps = new DependencyMetrics(registry, Set.of("redis"));
    try (FaultProxy proxy = FaultProxy.to(TestServers.redisHost(), TestServers.redisPort())) {
      InstanceCache proxied = new InstanceCache(redis("127.0.0.1", proxy.port()), names, deps, registry,
          Duration.ofMinutes(10), Duration.ofSeconds(60));
      // a near cache that follows nothing neither answers nor fills: every read asks the proxied Redis
      NearCache near = new NearCache(1 << 20, Duration.ofMinutes(1), Duration.ofMinutes(1), System::nanoTime, registry);
      InstanceService reads = new InstanceService(store, proxied, near, access);
      assertThat(reads.lookup(SERVICE, List.of(key), true)).containsKey(key);

      proxy.refuse();
      for (int i = 0; i < 10; i++) {
        Map<InstanceKey, InstanceCache.Entry> found = reads.lookup(SERVICE, List.of(key), true);
        assertThat(found.get(key).version()).as("answered from MySQL").isEqualTo(1);
      }
      assertThat(registry.counter("vigil.degraded", "component", "instance_cache", "reason", "redis_down").count())
          .isGreaterThanOrEqualTo(10);
      assertThat(registry.counter("vigil.dependency.failures", "dependency", "redis").count()).isPositive();
      assertThat(proxied.state()).as("the breaker stops waiting on Redis").isEqualTo(CircuitBreaker.State.OPEN);

      // a commit while Redis is away: its write-through fails and is kept for later
      Instance v2 = new Instance(VM, "ap-guangzhou", id, "t1", 2, "product:acme", Map.of(), Map.of(), 1, 1);
      proxied.written(List.of(new Instance.Change(key, v2, 2)));
      assertThat(registry.get("vigil.cmdb.cache.invalidations.pending").gauge().value()).isEqualTo(1);

      proxy.pass();
      Awaits.until("the breaker lets calls through and the missed key is invalidated", Duration.ofSeconds(30), () -> {
        proxied.retryInvalidations();
        return registry.get("vigil.cmdb.cache.invalidations.pending").gauge().value() == 0;
      });
      assertThat(redis.opsForValue().get(cache.key(key))).as("the stale entry is gone").isNull();
    }
  }
}
