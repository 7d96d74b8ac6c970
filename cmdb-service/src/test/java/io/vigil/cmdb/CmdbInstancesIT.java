package io.vigil.cmdb;

import static io.vigil.cmdb.CmdbFixtures.ACME_KEY;
import static io.vigil.cmdb.CmdbFixtures.OTHER_KEY;
import static io.vigil.cmdb.CmdbFixtures.VM;
import static io.vigil.cmdb.CmdbFixtures.send;
import static io.vigil.cmdb.CmdbFixtures.vm;
import static io.vigil.common.testing.VigilTestInitializer.PLATFORM_ADMIN_KEY;
import static io.vigil.common.testing.VigilTestInitializer.SERVICE_KEY;
import static io.vigil.common.testing.VigilTestInitializer.T1_OPERATOR_KEY;
import static io.vigil.common.testing.VigilTestInitializer.T1_VIEWER_KEY;
import static io.vigil.common.testing.VigilTestInitializer.T2_OPERATOR_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.CmdbChange;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.VigilServiceTest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Instances through the service's real routes, MySQL, Redis and Kafka: versions that never go
 * backwards, tombstones, all-or-nothing batches, who may write and read what, search with cursor
 * paging, batch look-ups and the change events on {@code cmdb.changes}.
 */
@VigilServiceTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CmdbInstancesIT {

  @LocalServerPort
  int port;

  Http http;
  final MessageCodec codec = new MessageCodec();

  @BeforeAll
  void seed() {
    http = new Http(port);
    CmdbFixtures.seed();
    Awaits.until("the access config names acme/vm", () -> put(ACME_KEY, "warmup-1", vm("t1", "warmup-1", 1))
        .statusCode() == 200);
  }

  HttpResponse<String> put(String key, String id, Object body, String... query) {
    return send(http, "PUT", path(id) + (query.length == 0 ? "" : "?" + query[0]), key, body);
  }

  HttpResponse<String> get(String key, String id) {
    return send(http, "GET", path(id), key, null);
  }

  static String path(String id) {
    return "/v1/instances/" + VM + "/ap-guangzhou/" + id;
  }

  static String uniq(String name) {
    return name + "-" + Long.toHexString(System.nanoTime());
  }

  @Test
  void aProductWritesItsInstanceAndTheTenantsOperatorsAndServicesReadIt() {
    String id = uniq("ins");
    HttpResponse<String> w = put(ACME_KEY, id, vm("t1", id, 100));
    assertThat(w.statusCode()).as(w.body()).isEqualTo(200);
    assertThat(Http.json(w).path("outcome").asString()).isEqualTo("APPLIED");

    HttpResponse<String> r = get(T1_OPERATOR_KEY, id);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("ETag")).contains("\"100\"");
    JsonNode i = Http.json(r);
    assertThat(i.path("tenant").asString()).isEqualTo("t1");
    assertThat(i.path("source").asString()).isEqualTo("product:acme");
    assertThat(i.path("attributes").path("private_ip").asString()).isEqualTo("10.0.3.17");
    assertThat(i.path("tags").path("team").asString()).isEqualTo("checkout");
    assertThat(get(SERVICE_KEY, id).statusCode()).isEqualTo(200);
    assertThat(get(ACME_KEY, id).statusCode()).isEqualTo(200);
    // another tenant's operator and another product see nothing
    assertThat(get(T2_OPERATOR_KEY, id).statusCode()).isEqualTo(404);
    assertThat(get(OTHER_KEY, id).statusCode()).isEqualTo(404);
  }

  @Test
  void whoMayWrite() {
    String id = uniq("auth");
    // another product's namespace
    HttpResponse<String> other = put(OTHER_KEY, id, vm("t1", id, 1));
    assertThat(other.statusCode()).as(other.body()).isEqualTo(403);
    assertThat(other.body()).contains("namespace");
    // services read only; a viewer cannot change; an operator cannot write another tenant's
    assertThat(put(SERVICE_KEY, id, vm("t1", id, 1)).statusCode()).isEqualTo(403);
    assertThat(put(T1_VIEWER_KEY, id, vm("t1", id, 1)).statusCode()).isEqualTo(403);
    assertThat(put(T2_OPERATOR_KEY, id, vm("t1", id, 1)).statusCode()).isEqualTo(404);
    // a wrong product secret and a made-up key id are 401
    assertThat(put("ak_acme_cmdb:wrong", id, vm("t1", id, 1)).statusCode()).isEqualTo(401);
    assertThat(put("ak_nobody:x", id, vm("t1", id, 1)).statusCode()).isEqualTo(401);
    assertThat(get(T1_OPERATOR_KEY, id).statusCode()).isEqualTo(404);
    // an operator of the tenant may correct it by hand; then the tenant's product moves it on
    HttpResponse<String> byOperator = put(T1_OPERATOR_KEY, id, vm("t1", id, 5));
    assertThat(byOperator.statusCode()).as(byOperator.body()).isEqualTo(200);
    assertThat(Http.json(get(T1_OPERATOR_KEY, id)).path("source").asString()).isEqualTo("operator:t1-operator");
    // moving it to t2 takes the right to both tenants
    assertThat(put(T1_OPERATOR_KEY, id, vm("t2", id, 6)).statusCode()).isEqualTo(404);
    assertThat(put(T2_OPERATOR_KEY, id, vm("t2", id, 6)).statusCode()).isEqualTo(404);
    assertThat(put(ACME_KEY, id, vm("t2", id, 6)).statusCode()).isEqualTo(200);
    assertThat(get(T1_OPERATOR_KEY, id).statusCode()).isEqualTo(404);
    assertThat(get(T2_OPERATOR_KEY, id).statusCode()).isEqualTo(200);
  }

  @Test
  void aStaleWriteIsRejectedOrIgnoredAndNeverApplied() {
    String id = uniq("ver");
    assertThat(put(ACME_KEY, id, vm("t1", id, 200)).statusCode()).isEqualTo(200);
    Map<String, Object> older = new HashMap<>(vm("t1", id, 150));
    older.put("tags", Map.of("team", "stale"));

    HttpResponse<String> rejected = put(ACME_KEY, id, older);
    assertThat(rejected.statusCode()).isEqualTo(409);
    assertThat(rejected.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/problem+json"));
    assertThat(rejected.body()).contains("version").contains("200");

    HttpResponse<String> ignored = put(ACME_KEY, id, older, "onStale=ignore");
    assertThat(ignored.statusCode()).isEqualTo(200);
    assertThat(Http.json(ignored).path("outcome").asString()).isEqualTo("IGNORED_STALE");
    assertThat(Http.json(ignored).path("storedVersion").asLong()).isEqualTo(200);
    assertThat(Http.json(get(SERVICE_KEY, id)).path("tags").path("team").asString()).isEqualTo("checkout");

    // the same version again: a retry when the content is the same, a conflict when it is not
    assertThat(Http.json(put(ACME_KEY, id, vm("t1", id, 200))).path("outcome").asString()).isEqualTo("UNCHANGED");
    Map<String, Object> sameVersion = new HashMap<>(vm("t1", id, 200));
    sameVersion.put("tags", Map.of("team", "other"));
    assertThat(put(ACME_KEY, id, sameVersion).statusCode()).isEqualTo(409);

    // If-Match: a read-modify-write over a version that moved on is refused
    HttpResponse<String> stale = send(http, "PUT", path(id), T1_OPERATOR_KEY, vm("t1", id, 300), "If-Match", "\"199\"");
    assertThat(stale.statusCode()).isEqualTo(409);
    assertThat(stale.body()).contains("If-Match");
    HttpResponse<String> fresh = send(http, "PUT", path(id), T1_OPERATOR_KEY, vm("t1", id, 300), "If-Match", "\"200\"");
    assertThat(fresh.statusCode()).as(fresh.body()).isEqualTo(200);
    assertThat(get(SERVICE_KEY, id).headers().firstValue("ETag")).contains("\"300\"");
  }

  @Test
  void aDeleteLeavesATombstoneALateUpsertCannotCrossed() {
    String id = uniq("del");
    assertThat(put(ACME_KEY, id, vm("t1", id, 10)).statusCode()).isEqualTo(200);
    HttpResponse<String> del = send(http, "DELETE", path(id) + "?version=20", ACME_KEY, null);
    assertThat(del.statusCode()).as(del.body()).isEqualTo(200);
    assertThat(Http.json(del).path("outcome").asString()).isEqualTo("APPLIED");
    assertThat(get(SERVICE_KEY, id).statusCode()).isEqualTo(404);
    // the upsert the source sent before it deleted arrives late: refused, and ignored when asked
    assertThat(put(ACME_KEY, id, vm("t1", id, 15)).statusCode()).isEqualTo(409);
    assertThat(Http.json(put(ACME_KEY, id, vm("t1", id, 15), "onStale=ignore")).path("outcome").asString())
        .isEqualTo("IGNORED_STALE");
    assertThat(get(SERVICE_KEY, id).statusCode()).isEqualTo(404);
    // a delete needs its version
    assertThat(send(http, "DELETE", path(id), ACME_KEY, null).statusCode()).isEqualTo(400);
    // re-created later, at a newer version
    assertThat(put(ACME_KEY, id, vm("t1", id, 30)).statusCode()).isEqualTo(200);
    assertThat(get(SERVICE_KEY, id).statusCode()).isEqualTo(200);

    // a delete of an instance never seen leaves its tombstone too
    String never = uniq("never");
    assertThat(send(http, "DELETE", path(never) + "?version=50", ACME_KEY, null).statusCode()).isEqualTo(200);
    assertThat(put(ACME_KEY, never, vm("t1", never, 40)).statusCode()).isEqualTo(409);
    assertThat(get(SERVICE_KEY, never).statusCode()).isEqualTo(404);
  }

  @Test
  void aBatchOfAThousandRealisticItemsIsWrittenAllOrNothing() {
    String run = uniq("b");
    List<Map<String, Object>> items = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      Map<String, Object> item = new HashMap<>(vm(i % 2 == 0 ? "t1" : "t2", run + "-" + i, 1_700_000_000_000L + i));
      item.put("namespace", VM);
      item.put("region", "ap-guangzhou");
      item.put("instanceId", run + "-" + i);
      items.add(item);
    }
    String body = Http.JSON.writeValueAsString(Map.of("items", items));
    assertThat(body.length()).as("a realistic batch").isGreaterThan(300_000);
    HttpResponse<String> ok = send(http, "POST", "/v1/instances/batch", ACME_KEY, Map.of("items", items));
    assertThat(ok.statusCode()).as(ok.body().substring(0, Math.min(500, ok.body().length()))).isEqualTo(200);
    JsonNode results = Http.json(ok).path("items");
    assertThat(results.size()).isEqualTo(1000);
    for (JsonNode r : results) {
      assertThat(r.path("outcome").asString()).isEqualTo("APPLIED");
    }
    assertThat(get(T2_OPERATOR_KEY, run + "-999").statusCode()).isEqualTo(200);

    // one stale item among new ones: nothing of the batch is written
    List<Map<String, Object>> mixed = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Map<String, Object> item = new HashMap<>(vm("t1", run + "-new-" + i, 5));
      item.put("namespace", VM);
      item.put("region", "ap-guangzhou");
      item.put("instanceId", run + "-new-" + i);
      mixed.add(item);
    }
    Map<String, Object> stale = new HashMap<>(items.get(10));
    stale.put("version", 1L);
    mixed.add(stale);
    HttpResponse<String> refused = send(http, "POST", "/v1/instances/batch", ACME_KEY, Map.of("items", mixed));
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.body()).contains("items[3].version");
    assertThat(get(SERVICE_KEY, run + "-new-0").statusCode()).isEqualTo(404);

    // ignoring stale items writes the others
    HttpResponse<String> partly = send(http, "POST", "/v1/instances/batch", ACME_KEY,
        Map.of("items", mixed, "onStale", "ignore"));
    assertThat(partly.statusCode()).isEqualTo(200);
    assertThat(Http.json(partly).path("items").get(3).path("outcome").asString()).isEqualTo("IGNORED_STALE");
    assertThat(get(SERVICE_KEY, run + "-new-0").statusCode()).isEqualTo(200);

    // a bad field anywhere names the item and writes nothing
    List<Map<String, Object>> bad = new ArrayList<>();
    Map<String, Object> good = new HashMap<>(vm("t1", run + "-bad-0", 5));
    good.putAll(Map.of("namespace", VM, "region", "ap-guangzhou", "instanceId", run + "-bad-0"));
    bad.add(good);
    Map<String, Object> noTenant = new HashMap<>(good);
    noTenant.put("instanceId", run + "-bad-1");
    noTenant.put("attributes", Map.of("name", "x"));
    bad.add(noTenant);
    Map<String, Object> badId = new HashMap<>(good);
    badId.put("instanceId", "has space");
    bad.add(badId);
    bad.add(good);
    HttpResponse<String> invalid = send(http, "POST", "/v1/instances/batch", ACME_KEY, Map.of("items", bad));
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(invalid.body()).contains("items[1].attributes.appid").contains("items[2].instanceId")
        .contains("items[3]");
    assertThat(get(SERVICE_KEY, run + "-bad-0").statusCode()).isEqualTo(404);

    // more than 1,000 is refused whole
    List<Map<String, Object>> tooMany = new ArrayList<>(items);
    tooMany.add(good);
    assertThat(send(http, "POST", "/v1/instances/batch", ACME_KEY, Map.of("items", tooMany)).statusCode())
        .isEqualTo(400);
  }

  @Test
  void searchByTagAndAttributeWithCursorPagingWithinTheCallersTenants() {
    String team = uniq("team");
    for (int i = 0; i < 7; i++) {
      String id = team + "-" + i;
      Map<String, Object> body = new HashMap<>(vm(i < 5 ? "t1" : "t2", id, 1));
      body.put("tags", Map.of("team", team, "env", i % 2 == 0 ? "prod" : "test"));
      assertThat(put(ACME_KEY, id, body).statusCode()).isEqualTo(200);
    }
    // t1's operator pages through its five, two at a time
    Set<String> seen = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      HttpResponse<String> r = send(http, "GET", "/v1/instances?tag=team=" + team + "&limit=2"
          + (cursor == null ? "" : "&cursor=" + cursor), T1_OPERATOR_KEY, null);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode page = Http.json(r);
      for (JsonNode i : page.path("items")) {
        assertThat(i.path("tenant").asString()).isEqualTo("t1");
        assertThat(seen.add(i.path("instanceId").asString())).isTrue();
      }
      cursor = page.path("nextCursor").isMissingNode() || page.path("nextCursor").isNull() ? null
          : page.path("nextCursor").asString();
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(seen).hasSize(5);
    // two conditions, tag and attribute; a service sees both tenants
    JsonNode prod = Http.json(send(http, "GET", "/v1/instances?tag=team=" + team + "&tag=env=prod"
        + "&attribute=zone=ap-guangzhou-3", SERVICE_KEY, null));
    assertThat(prod.path("items").size()).isEqualTo(4); // 0, 2, 4, 6
    JsonNode t2 = Http.json(send(http, "GET", "/v1/instances?tag=team=" + team + "&tenant=t2", SERVICE_KEY, null));
    assertThat(t2.path("items").size()).isEqualTo(2);
    // t1's operator asking for t2's gets nothing; bad conditions are 400
    assertThat(Http.json(send(http, "GET", "/v1/instances?tag=team=" + team + "&tenant=t2", T1_OPERATOR_KEY, null))
        .path("items").size()).isZero();
    assertThat(send(http, "GET", "/v1/instances?tag=team", SERVICE_KEY, null).statusCode()).isEqualTo(400);
    assertThat(send(http, "GET", "/v1/instances?cursor=abc", SERVICE_KEY, null).statusCode()).isEqualTo(400);
  }

  @Test
  void aBatchLookUpAnswersFoundAndMissingWithinTheCallersTenants() {
    String a = uniq("look");
    String b = uniq("look");
    put(ACME_KEY, a, vm("t1", a, 1));
    put(ACME_KEY, b, vm("t2", b, 1));
    List<Map<String, String>> keys = List.of(key(a), key(b), key(uniq("unknown")));
    for (int round = 0; round < 2; round++) { // the second round is answered from the cache
      JsonNode service = Http.json(send(http, "POST", "/v1/instances/lookup", SERVICE_KEY, Map.of("keys", keys)));
      assertThat(service.path("instances").size()).isEqualTo(2);
      assertThat(service.path("missing").size()).isEqualTo(1);
    }
    JsonNode t1 = Http.json(send(http, "POST", "/v1/instances/lookup", T1_OPERATOR_KEY, Map.of("keys", keys)));
    assertThat(t1.path("instances").size()).isEqualTo(1);
    assertThat(t1.path("instances").get(0).path("instanceId").asString()).isEqualTo(a);
    assertThat(t1.path("missing").size()).isEqualTo(2);
    HttpResponse<String> bad = send(http, "POST", "/v1/instances/lookup", SERVICE_KEY,
        Map.of("keys", List.of(Map.of("namespace", "nope", "region", "r", "instanceId", "i"))));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("keys[0].namespace");
  }

  static Map<String, String> key(String id) {
    return Map.of("namespace", VM, "region", "ap-guangzhou", "instanceId", id);
  }

  @Test
  void everyAppliedChangeIsPublishedInVersionOrderWithItsContent() {
    String id = uniq("chg");
    put(ACME_KEY, id, vm("t1", id, 1));
    put(ACME_KEY, id, vm("t1", id, 2));
    put(ACME_KEY, id, vm("t1", id, 2)); // a retry: nothing new to publish
    put(ACME_KEY, id, vm("t1", id, 1), "onStale=ignore"); // stale: nothing to publish
    send(http, "DELETE", path(id) + "?version=3", ACME_KEY, null);
    String instance = VM + "/ap-guangzhou/" + id;
    List<CmdbChange> changes = TestKafka.awaitMatching("cmdb.changes", r -> instance.equals(r.key()), 3,
            Duration.ofSeconds(30)).stream().map(r -> codec.decode(r.value(), CmdbChange.class)).toList();
    assertThat(changes).extracting(CmdbChange::version).containsExactly(1L, 2L, 3L);
    assertThat(changes).extracting(CmdbChange::op).containsExactly(ChangeOp.UPSERT, ChangeOp.UPSERT, ChangeOp.DELETE);
    CmdbChange first = changes.get(0);
    assertThat(first.attributes()).containsEntry("private_ip", "10.0.3.17");
    assertThat(first.tags()).containsEntry("team", "checkout");
    assertThat(first.tenant()).isEqualTo("t1");
    assertThat(first.source()).isEqualTo("product:acme");
    assertThat(first.instanceId()).isEqualTo(id);
    assertThat(changes.get(2).attributes()).isEmpty();
    // nothing more arrives for this instance (no duplicate of the retry or the stale write)
    assertThat(TestKafka.awaitMatching("cmdb.changes", r -> instance.equals(r.key()), 4, Duration.ofSeconds(3)))
        .hasSize(3);
  }

  @Test
  void badInputIsAProblemNamingTheField() {
    String id = uniq("bad");
    HttpResponse<String> noVersion = put(ACME_KEY, id, Map.of("attributes", Map.of("appid", "t1")));
    assertThat(noVersion.statusCode()).isEqualTo(400);
    assertThat(noVersion.body()).contains("\"version\"");
    HttpResponse<String> badKey = put(ACME_KEY, id, Map.of("version", 1, "attributes", Map.of("appid", "t1",
        "bad key", "x")));
    assertThat(badKey.statusCode()).isEqualTo(400);
    assertThat(badKey.body()).contains("attributes.bad key");
    HttpResponse<String> unknownField = put(ACME_KEY, id, Map.of("version", 1, "atributes", Map.of()));
    assertThat(unknownField.statusCode()).isEqualTo(400);
    assertThat(send(http, "PUT", "/v1/instances/Acme/vm/ap-guangzhou/" + id, ACME_KEY, vm("t1", id, 1))
        .statusCode()).isEqualTo(400);
    assertThat(put(ACME_KEY, id, vm("t1", id, 1), "onStale=maybe").statusCode()).isEqualTo(400);
    // a namespace that does not exist is named (an operator's write: a product gets 403, revealing nothing)
    HttpResponse<String> noNs = send(http, "PUT", "/v1/instances/acme/nope/ap-guangzhou/" + id, PLATFORM_ADMIN_KEY,
        vm("t1", id, 1));
    assertThat(noNs.statusCode()).isEqualTo(422);
  }
}
