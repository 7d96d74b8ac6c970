package io.vigil.policy;

import static io.vigil.common.testing.ServiceContractSupport.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.ControlChange;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.VigilTestInitializer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The control-plane API against the real MariaDB and Kafka: CRUD with optimistic locking, soft
 * delete and audit, validation naming every bad field, references answered 422, tenancy, and every
 * committed change reaching {@code control.changes}.
 */
@VigilServiceTest
class PolicyApiIT {

  static final String NS = "acme/vm";
  static final String POLICIES = "/v1/tenants/t1/policies";

  @LocalServerPort
  int port;

  PolicyTestClient admin;
  PolicyTestClient t1;
  PolicyTestClient viewer;
  PolicyTestClient t2;
  PolicyTestClient product;
  PolicyTestClient service;

  @BeforeEach
  void clients() {
    Http http = new Http(port);
    admin = new PolicyTestClient(http, VigilTestInitializer.PLATFORM_ADMIN_KEY);
    t1 = new PolicyTestClient(http, VigilTestInitializer.T1_OPERATOR_KEY);
    viewer = new PolicyTestClient(http, VigilTestInitializer.T1_VIEWER_KEY);
    t2 = new PolicyTestClient(http, VigilTestInitializer.T2_OPERATOR_KEY);
    product = new PolicyTestClient(http, VigilTestInitializer.PRODUCT_KEY);
    service = new PolicyTestClient(http, VigilTestInitializer.SERVICE_KEY);
    ensureAccessConfig(admin);
  }

  /** The product and namespace every test's policies watch (created once per run). */
  static void ensureAccessConfig(PolicyTestClient admin) {
    if (admin.get("/v1/namespaces/" + NS).statusCode() == 200) {
      return;
    }
    HttpResponse<String> p = admin.post("/v1/products", "{\"name\": \"acme\", \"description\": \"test product\"}");
    assertThat(p.statusCode()).as(p.body()).isIn(201, 409);
    HttpResponse<String> n = admin.post("/v1/namespaces", """
        {"name": "acme/vm", "requiredDimensions": ["instance"], "optionalDimensions": ["zone"],
         "metrics": [{"name": "cpu", "unit": "percent"}, {"name": "mem", "unit": "bytes"}],
         "eventTypes": ["reboot"], "periods": [60, 300]}""");
    assertThat(n.statusCode()).as(n.body()).isIn(201, 409);
  }

  static String policy(String name, double threshold) {
    return """
        {"name": "%s", "namespace": "acme/vm",
         "conditions": [{"metric": "cpu", "period": 60, "statistic": "AVG", "operator": "GT", "threshold": %s,
                         "forPeriods": 3, "recoverPeriods": 2, "recoveryThreshold": 80}],
         "filters": [{"Function": "Regex", "Field": "instance", "Args": "ins-.*"}],
         "severity": "CRITICAL", "annotations": {"summary": "CPU high", "runbookUrl": "https://runbooks.example.com/cpu"},
         "notification": {"repeatIntervalSec": 3600, "groupBy": ["instance"]}}""".formatted(name, threshold);
  }

  @Test
  void aPolicyIsCreatedReadUpdatedAndSoftDeletedOverItsVersion() {
    JsonNode created = t1.create(POLICIES, policy("cpu high", 90));
    String id = created.path("id").asString();
    assertThat(id).startsWith("pol_");
    assertThat(created.path("version").asLong()).isEqualTo(1);
    assertThat(created.path("tenant").asString()).isEqualTo("t1");
    assertThat(created.path("spec").path("combine").asString()).as("defaults filled").isEqualTo("ANY");
    assertThat(created.path("spec").path("enabled").asBoolean()).isTrue();

    HttpResponse<String> got = t1.get(POLICIES + "/" + id);
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.headers().firstValue("ETag")).contains("\"1\"");
    assertThat(Http.json(got).path("spec").path("conditions").get(0).path("threshold").asDouble()).isEqualTo(90);

    HttpResponse<String> updated = t1.put(POLICIES + "/" + id, "\"1\"", policy("cpu high", 95));
    assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
    assertThat(Http.json(updated).path("version").asLong()).isEqualTo(2);

    // a writer that read version 1 loses: 409, nothing changes
    assertProblem(t1.put(POLICIES + "/" + id, "\"1\"", policy("cpu high", 99)), 409, "conflict");
    assertThat(Http.json(t1.get(POLICIES + "/" + id)).path("spec").path("conditions").get(0).path("threshold")
        .asDouble()).isEqualTo(95);
    assertProblem(t1.put(POLICIES + "/" + id, null, policy("cpu high", 99)), 428, "precondition_required");
    assertProblem(t1.delete(POLICIES + "/" + id, "\"1\""), 409, "conflict");

    HttpResponse<String> deleted = t1.delete(POLICIES + "/" + id, "\"2\"");
    assertThat(deleted.statusCode()).isEqualTo(204);
    assertProblem(t1.get(POLICIES + "/" + id), 404, "not_found");
    assertProblem(t1.put(POLICIES + "/" + id, "\"3\"", policy("cpu high", 99)), 404, "not_found");

    // the audit trail outlives the object: who, when, before and after
    JsonNode audit = Http.json(t1.get(POLICIES + "/" + id + "/audit"));
    assertThat(audit.size()).isEqualTo(3);
    assertThat(audit.get(0).path("op").asString()).isEqualTo("DELETE");
    assertThat(audit.get(0).path("version").asLong()).isEqualTo(3);
    assertThat(audit.get(0).path("after").isNull() || audit.get(0).path("after").isMissingNode()).isTrue();
    assertThat(audit.get(1).path("before").path("conditions").get(0).path("threshold").asDouble()).isEqualTo(90);
    assertThat(audit.get(1).path("after").path("conditions").get(0).path("threshold").asDouble()).isEqualTo(95);
    assertThat(audit.get(2).path("actor").asString()).isEqualTo("t1-operator");
    assertThat(audit.get(2).path("atMs").asLong()).isPositive();

    // every committed version reached control.changes, keyed by type:id, with tenant, namespace and shard
    List<ControlChange> changes = changesOf("POLICY:" + id, 3);
    assertThat(changes).extracting(ControlChange::version).containsExactly(1L, 2L, 3L);
    assertThat(changes.get(2).op()).isEqualTo(ChangeOp.DELETE);
    assertThat(changes.get(0).tenant()).isEqualTo("t1");
    assertThat(changes.get(0).namespace()).isEqualTo(NS);
    assertThat(changes.get(0).shard()).isEqualTo("default");

    // the relay published all of it without a failed round, and says the outbox is empty
    io.vigil.common.testing.Awaits.until("the outbox gauge at zero", () -> Http.sample(new Http(port)
        .get("/actuator/prometheus").body(), "vigil_outbox_pending", "") == 0);
    String metrics = new Http(port).get("/actuator/prometheus").body();
    assertThat(Http.sample(metrics, "vigil_outbox_publish_failures_total", "")).isZero();
    assertThat(Http.sample(metrics, "vigil_outbox_published_total", "")).isGreaterThanOrEqualTo(3);
  }

  @Test
  void everyBadFieldIsNamedAndNothingIsStored() {
    String bad = """
        {"name": " ", "namespace": "acme/vm",
         "conditions": [{"metric": "disk", "period": 900, "operator": "GT", "threshold": 1,
                         "recoveryThreshold": 5},
                        {"metric": "cpu", "period": 60, "operator": "LT", "threshold": 10, "forPeriods": 0}],
         "filters": [{"Function": "Regex", "Field": "instance", "Args": "ins-("},
                     {"Function": "Equal", "Field": "hostname", "Args": "a"},
                     {"Function": "Sometimes", "Field": "zone", "Args": "a"}],
         "annotations": {"runbookUrl": "javascript:alert(1)"},
         "notification": {"groupBy": ["color"], "repeatIntervalSec": 5}}""";
    JsonNode problem = assertProblem(t1.post(POLICIES, bad), 400, "validation_failed");
    List<String> fields = problem.path("errors").valueStream().map(e -> e.path("field").asString()).toList();
    assertThat(fields).contains("name", "conditions[0].metric", "conditions[0].period",
        "conditions[0].recoveryThreshold", "conditions[1].forPeriods", "filters[0].Args", "filters[1].Field",
        "filters[2].Function", "annotations.runbookUrl", "notification.groupBy[0]", "notification.repeatIntervalSec");
    assertThat(problem.path("field").asString()).isEqualTo(fields.get(0));

    // a field the model does not have is refused too, never silently dropped
    JsonNode typo = assertProblem(t1.post(POLICIES, policy("x", 1).replace("\"forPeriods\"", "\"forPeriod\"")), 400,
        "malformed_body");
    assertThat(typo.path("detail").asString()).contains("forPeriod");
    assertProblem(t1.post(POLICIES, policy("x", 1).replace("acme/vm", "acme/none")), 422, "invalid_reference");
  }

  @Test
  void referencesToMissingObjectsAre422NamingThem() {
    String withReceivers = policy("routed", 90).replace("\"severity\"",
        "\"receivers\": {\"users\": [\"usr_missing\"], \"webhooks\": [\"whk_missing\"]}, \"severity\"");
    JsonNode problem = assertProblem(t1.post(POLICIES, withReceivers), 422, "invalid_reference");
    List<String> fields = problem.path("errors").valueStream().map(e -> e.path("field").asString()).toList();
    assertThat(fields).containsExactly("receivers.users[0]", "receivers.webhooks[0]");

    JsonNode user = t1.create("/v1/tenants/t1/users", """
        {"name": "alice", "displayName": "Alice", "contacts": {"EMAIL": "alice@example.com", "SMS": "+8613800138000"}}""");
    String ok = policy("routed", 90).replace("\"severity\"",
        "\"receivers\": {\"users\": [\"" + user.path("id").asString() + "\"]}, \"severity\"");
    assertThat(t1.post(POLICIES, ok).statusCode()).isEqualTo(201);
    // another tenant's user is no reference for t2
    assertProblem(t2.post("/v1/tenants/t2/policies", ok), 422, "invalid_reference");
  }

  @Test
  void tenantsSeeOnlyTheirOwnAndRolesLimitWrites() {
    String id = t1.create(POLICIES, policy("tenancy", 90)).path("id").asString();
    assertProblem(t2.get(POLICIES + "/" + id), 404, "not_found");
    assertProblem(t2.get("/v1/tenants/t2/policies/" + id), 404, "not_found");
    assertProblem(t2.put(POLICIES + "/" + id, "\"1\"", policy("stolen", 1)), 404, "not_found");
    assertProblem(t2.delete("/v1/tenants/t2/policies/" + id, "\"1\""), 404, "not_found");
    assertThat(Http.json(t2.get("/v1/tenants/t2/policies")).path("items").valueStream()
        .noneMatch(i -> i.path("id").asString().equals(id))).isTrue();

    assertThat(viewer.get(POLICIES + "/" + id).statusCode()).isEqualTo(200);
    assertProblem(viewer.put(POLICIES + "/" + id, "\"1\"", policy("viewer", 1)), 403, "forbidden");
    assertProblem(product.get(POLICIES), 403, "forbidden");
    assertThat(service.get(POLICIES + "/" + id).statusCode()).as("services read across tenants").isEqualTo(200);
    assertProblem(service.post(POLICIES, policy("svc", 1)), 403, "forbidden");
    assertThat(admin.get(POLICIES + "/" + id).statusCode()).isEqualTo(200);

    // access config: everyone reads, only platform admins write
    assertThat(t1.get("/v1/namespaces/" + NS).statusCode()).isEqualTo(200);
    assertProblem(t1.post("/v1/products", "{\"name\": \"rogue\"}"), 403, "forbidden");
  }

  @Test
  void meNamesTheCallerItsRolesAndTenantsAndNeverTheKey() {
    HttpResponse<String> me = viewer.get("/v1/me");
    assertThat(me.statusCode()).isEqualTo(200);
    JsonNode body = Http.json(me);
    assertThat(body.path("kind").asString()).isEqualTo("OPERATOR");
    assertThat(body.path("roles").valueStream().map(JsonNode::asString).toList()).containsExactly("VIEWER");
    assertThat(body.path("tenants").valueStream().map(JsonNode::asString).toList()).containsExactly("t1");
    assertThat(me.body()).doesNotContain(VigilTestInitializer.T1_VIEWER_KEY);
    assertThat(Http.json(admin.get("/v1/me")).path("tenants").get(0).asString()).isEqualTo("*");
    assertProblem(product.get("/v1/me"), 403, "forbidden");
    assertProblem(new PolicyTestClient(new Http(port), "not-a-key-of-ours").get("/v1/me"), 401, "unauthenticated");
  }

  @Test
  void listsFilterAndPageWithACursor() {
    for (int i = 0; i < 5; i++) {
      t1.create(POLICIES, policy("page-" + i, 90));
    }
    JsonNode first = Http.json(t1.get(POLICIES + "?name=page-&limit=3&namespace=acme/vm"));
    assertThat(first.path("items").size()).isEqualTo(3);
    String cursor = first.path("nextCursor").asString();
    assertThat(cursor).isNotBlank();
    JsonNode second = Http.json(t1.get(POLICIES + "?name=page-&limit=3&namespace=acme/vm&cursor=" + cursor));
    assertThat(second.path("items").size()).isEqualTo(2);
    assertThat(second.path("nextCursor").isNull() || second.path("nextCursor").isMissingNode()).isTrue();
    assertProblem(t1.get(POLICIES + "?limit=0"), 400, "invalid_parameter");
    assertProblem(t1.get(POLICIES + "?cursor=%25%25"), 400, "invalid_parameter");
  }

  @Test
  void aNamespaceChangeMayAddOnlyOptionalDimensionsAndANewShardGetsItsTopics() {
    admin.post("/v1/products", "{\"name\": \"shardy\"}");
    JsonNode ns = admin.create("/v1/namespaces", """
        {"name": "shardy/db", "requiredDimensions": ["instance"], "metrics": [{"name": "qps"}]}""");
    assertThat(ns.path("spec").path("tenantDimension").asString()).isEqualTo("appid");
    assertThat(ns.path("spec").path("shard").asString()).isEqualTo("default");
    HttpResponse<String> required = admin.put("/v1/namespaces/shardy/db", "\"1\"", """
        {"name": "shardy/db", "requiredDimensions": ["instance", "cluster"], "metrics": [{"name": "qps"}]}""");
    assertThat(assertProblem(required, 400, "validation_failed").path("field").asString())
        .isEqualTo("requiredDimensions");
    HttpResponse<String> moved = admin.put("/v1/namespaces/shardy/db", "\"1\"", """
        {"name": "shardy/db", "requiredDimensions": ["instance"], "optionalDimensions": ["cluster"],
         "metrics": [{"name": "qps"}], "shard": "big-db"}""");
    assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
    // the shard's topics exist once the change is committed
    assertThat(TestKafka.topicExists("metrics.rollup.big-db")).isTrue();
    assertThat(TestKafka.topicExists("metrics.rollup.big-db.dlt")).isTrue();
    // a namespace with policies is not deleted from under them
    JsonNode p = t1.create(POLICIES, policy("on shardy", 90).replace("acme/vm", "shardy/db")
        .replace("\"metric\": \"cpu\"", "\"metric\": \"qps\"").replace("\"period\": 60", "\"period\": 300")
        .replace("\"Field\": \"instance\"", "\"Field\": \"instance\""));
    assertProblem(admin.delete("/v1/namespaces/shardy/db", "\"2\""), 409, "conflict");
    assertThat(t1.delete(POLICIES + "/" + p.path("id").asString(), "\"1\"").statusCode()).isEqualTo(204);
    assertThat(admin.delete("/v1/namespaces/shardy/db", "\"2\"").statusCode()).isEqualTo(204);
    assertProblem(admin.get("/v1/namespaces/shardy/db"), 404, "not_found");
    List<ControlChange> changes = changesOf("NAMESPACE:shardy/db", 2);
    assertThat(changes.get(1).shard()).isEqualTo("big-db");
    assertThat(changes.get(1).tenant()).isNull();
  }

  @Test
  void aBatchOfAThousandPoliciesIsAllOrNothingWithEveryBadItemNamed() {
    StringBuilder good = new StringBuilder("{\"items\": [");
    for (int i = 0; i < 1000; i++) {
      good.append(i == 0 ? "" : ",").append("{\"object\": ").append(realistic(i)).append('}');
    }
    good.append("]}");
    assertThat(good.length()).as("a realistic batch is over the default body limit").isGreaterThan(1_000_000);

    // two bad items among 1,000: both named, nothing stored
    String bad = good.toString().replaceFirst("\"forPeriods\": 3", "\"forPeriods\": 0")
        .replace("\"name\": \"migrated 500\"", "\"name\": \"\"");
    long before = Http.json(t1.get(POLICIES + "?name=migrated&limit=1000")).path("items").size();
    JsonNode problem = assertProblem(t1.post(POLICIES + "/batch", bad), 400, "validation_failed");
    assertThat(problem.path("errors").valueStream().map(e -> e.path("field").asString()).toList())
        .containsExactly("items[0].conditions[0].forPeriods", "items[500].name");
    assertThat(Http.json(t1.get(POLICIES + "?name=migrated&limit=1000")).path("items").size()).isEqualTo(before);

    HttpResponse<String> ok = t1.post(POLICIES + "/batch", good.toString());
    assertThat(ok.statusCode()).as(ok.body().substring(0, Math.min(500, ok.body().length()))).isEqualTo(200);
    JsonNode items = Http.json(ok).path("items");
    assertThat(items.size()).isEqualTo(1000);
    assertThat(items.get(999).path("spec").path("name").asString()).isEqualTo("migrated 999");

    // updates in a batch go over their versions like single writes
    String id = items.get(0).path("id").asString();
    String stale = "{\"items\": [{\"id\": \"" + id + "\", \"version\": 7, \"object\": " + realistic(0) + "}]}";
    assertThat(assertProblem(t1.post(POLICIES + "/batch", stale), 409, "conflict").path("field").asString())
        .startsWith("items[0]");
    String fresh = "{\"items\": [{\"id\": \"" + id + "\", \"version\": 1, \"object\": " + realistic(0) + "}]}";
    assertThat(Http.json(t1.post(POLICIES + "/batch", fresh)).path("items").get(0).path("version").asLong()).isEqualTo(2);

    assertProblem(t1.post(POLICIES + "/batch", "{\"items\": []}"), 400, "validation_failed");
    String huge = "{\"items\": [{\"object\": {\"name\": \"" + "x".repeat(9 * 1024 * 1024) + "\"}}]}";
    assertProblem(t1.post(POLICIES + "/batch", huge), 413, "payload_too_large");
    assertProblem(viewer.post(POLICIES + "/batch", fresh), 403, "forbidden");
  }

  /** A policy as a migration from another tool brings it: several conditions, filters, labels, routing. */
  static String realistic(int i) {
    return """
        {"name": "migrated %d", "namespace": "acme/vm", "combine": "ALL",
         "conditions": [{"metric": "cpu", "period": 60, "statistic": "AVG", "operator": "GT", "threshold": 90.5,
                         "forPeriods": 3, "recoverPeriods": 2, "recoveryThreshold": 85, "noDataPeriods": 10},
                        {"metric": "mem", "period": 300, "statistic": "MAX", "compare": "DAY_AGO", "operator": "GT",
                         "threshold": 50, "changeUnit": "PERCENT"}],
         "filters": [{"Function": "In", "Field": "zone", "Args": ["gz-1", "gz-2", "sh-1", "bj-%d"]},
                     {"Function": "Regex", "Field": "instance", "Args": "ins-[a-z0-9]{8}"},
                     {"Function": "NotEqual", "Field": "instance", "Args": "ins-canary%d"}],
         "eventRules": [{"eventTypes": ["reboot"], "filters": [{"Function": "Exists", "Field": "zone"}]}],
         "severity": "WARNING", "labels": {"team": "compute", "service": "vm-%d", "tier": "gold"},
         "annotations": {"summary": "CPU of {{instance}} above 90%% for 3 minutes while memory grew",
                         "description": "Migrated from the previous monitoring system, rule %d.",
                         "runbookUrl": "https://runbooks.example.com/vm/cpu-%d"},
         "notification": {"repeatIntervalSec": 3600, "groupBy": ["instance", "zone"], "groupWaitSec": 30,
                          "groupIntervalSec": 300}}""".formatted(i, i, i, i, i, i);
  }

  static List<ControlChange> changesOf(String key, int count) {
    MessageCodec codec = new MessageCodec();
    return TestKafka.awaitMatching("control.changes", r -> key.equals(r.key()), count, Duration.ofSeconds(20)).stream()
        .map(r -> codec.decode(r.value(), ControlChange.class)).toList();
  }
}
