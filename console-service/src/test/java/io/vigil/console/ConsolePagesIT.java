package io.vigil.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operators' pages over the stand-in peers: the policy editor (the namespace's fields offered,
 * the control plane's errors mapped back to the rows the user filled, stored settings the form does
 * not show carried over, a concurrent change named, the dry run), enable and history; on-call now
 * and next and an override added in the user's zone; the catalog with knowledge search and the cmdb
 * down; inhibition rules created with their errors named.
 */
class ConsolePagesIT extends ConsoleTestSupport {

  static final String NAMESPACE = "{\"id\":\"acme/vm\",\"version\":1,\"spec\":{\"name\":\"acme/vm\",\"description\":"
      + "\"virtual machines\",\"tenantDimension\":\"appid\",\"requiredDimensions\":[\"appid\",\"vm\"],"
      + "\"optionalDimensions\":[\"zone\"],\"metrics\":[{\"name\":\"cpu\",\"unit\":\"%\",\"description\":\"busy\"},"
      + "{\"name\":\"mem\",\"unit\":\"%\"}],\"periods\":[60,300]}}";
  static final String POLICY = "{\"id\":\"p-1\",\"tenant\":\"t1\",\"version\":3,\"updatedBy\":\"ops-bob\",\"spec\":{"
      + "\"name\":\"cpu high\",\"namespace\":\"acme/vm\",\"severity\":\"CRITICAL\",\"combine\":\"ANY\",\"enabled\":true,"
      + "\"conditions\":[{\"metric\":\"cpu\",\"period\":60,\"statistic\":\"MAX\",\"operator\":\"GT\",\"threshold\":90.0,"
      + "\"noDataPeriods\":5}],\"filters\":[{\"Function\":\"In\",\"Field\":\"zone\",\"Args\":[\"a\",\"b\"]}],"
      + "\"eventRules\":[{\"eventTypes\":[\"reboot\"]}],\"receivers\":{\"users\":[\"ana\"]},"
      + "\"notification\":{\"repeatIntervalSec\":3600,\"escalations\":[{\"afterSec\":600,\"receivers\":{\"users\":[\"bo\"]}}]}}}";

  void namespaces() {
    PEERS.on("GET /v1/namespaces", 200, "{\"items\":[" + NAMESPACE + "]}");
    PEERS.on("GET /v1/namespaces/acme/vm", 200, NAMESPACE);
  }

  @Test
  void theEditorOffersTheNamespacesFieldsAndMapsTheControlPlanesErrorsToTheRowsFilled() {
    namespaces();
    browser.signIn(TOKEN);
    HttpResponse<String> form = browser.get("/policies/new?tenant=t1&namespace=acme/vm");
    assertThat(form.statusCode()).isEqualTo(200);
    assertThat(form.body()).contains("<option value=\"cpu\">").contains("<option value=\"zone\">")
        .contains("<option value=\"300\">").contains("NotRegex").contains("Exists");

    // row 0 of conditions left blank, row 1 filled: the control plane numbers it conditions[0]
    PEERS.on("POST /v1/tenants/t1/policies", 400, "{\"code\":\"validation_failed\",\"errors\":["
        + "{\"field\":\"conditions[0].threshold\",\"reason\":\"required for a value comparison\"},"
        + "{\"field\":\"name\",\"reason\":\"1 to 200 characters\"}]}");
    HttpResponse<String> refused = browser.postRaw("/policies/save", "tenant=t1&id=&version=0&name=&namespace=acme/vm"
        + "&severity=WARNING&combine=ANY&enabled=true&_enabled=on"
        + "&conditions[0].metric=&conditions[1].metric=cpu&conditions[1].period=60&conditions[1].statistic=AVG"
        + "&conditions[1].operator=GT&conditions[1].threshold=&filters[0].field=vm&filters[0].function=Equal"
        + "&filters[0].args=vm-7");
    assertThat(refused.statusCode()).isEqualTo(200);
    assertThat(refused.body()).contains("conditions[1].threshold: required for a value comparison")
        .contains("1 to 200 characters").contains("value=\"vm-7\"");
    assertThat(PEERS.calls("/v1/tenants/t1/policies").get(0).body())
        .contains("\"conditions\":[{\"metric\":\"cpu\",\"period\":60")
        .contains("{\"Function\":\"Equal\",\"Field\":\"vm\",\"Args\":\"vm-7\"}");

    HttpResponse<String> notANumber = browser.postRaw("/policies/save", "tenant=t1&name=x&namespace=acme/vm"
        + "&severity=WARNING&combine=ANY&conditions[0].metric=cpu&conditions[0].threshold=ninety");
    assertThat(notANumber.body()).contains("conditions[0].threshold: a number");
    assertThat(PEERS.calls("/v1/tenants/t1/policies")).as("not sent").hasSize(1);

    PEERS.on("POST /v1/tenants/t1/policies", 201, "{\"id\":\"p-9\",\"version\":1}");
    HttpResponse<String> created = browser.postRaw("/policies/save", "tenant=t1&name=cpu&namespace=acme/vm"
        + "&severity=WARNING&combine=ANY&conditions[0].metric=cpu&conditions[0].period=60&conditions[0].threshold=90"
        + "&conditions[0].operator=GT&conditions[0].statistic=AVG&users=ana,%20bo");
    assertThat(created.statusCode()).isEqualTo(302);
    assertThat(created.headers().firstValue("Location").orElseThrow()).contains("/policies/edit?tenant=t1&id=p-9");
    assertThat(PEERS.calls("/v1/tenants/t1/policies").get(1).body()).contains("\"users\":[\"ana\",\"bo\"]")
        .contains("\"threshold\":90.0");
  }

  @Test
  void editingKeepsWhatTheFormDoesNotShowAndAConcurrentChangeIsNamed() {
    namespaces();
    PEERS.on("GET /v1/tenants/t1/policies/p-1", 200, POLICY);
    browser.signIn(TOKEN);
    HttpResponse<String> form = browser.get("/policies/edit?tenant=t1&id=p-1");
    assertThat(form.statusCode()).isEqualTo(200);
    assertThat(form.body()).contains("value=\"cpu high\"").contains("value=\"a,b\"").contains("value=\"90\"")
        .contains("last changed by ops-bob");

    PEERS.on("PUT /v1/tenants/t1/policies/p-1", 200, "{\"id\":\"p-1\",\"version\":4}");
    HttpResponse<String> saved = browser.postRaw("/policies/save", "tenant=t1&id=p-1&version=3&name=cpu%20higher"
        + "&namespace=acme/vm&severity=CRITICAL&combine=ANY&enabled=true&_enabled=on&conditions[0].metric=cpu"
        + "&conditions[0].period=60&conditions[0].statistic=MAX&conditions[0].operator=GT&conditions[0].threshold=95"
        + "&filters[0].field=zone&filters[0].function=In&filters[0].args=a,b&users=ana&repeatIntervalSec=3600");
    assertThat(saved.statusCode()).isEqualTo(302);
    FakePeers.Call put = PEERS.calls("/v1/tenants/t1/policies/p-1").stream().filter(c -> c.method().equals("PUT"))
        .findFirst().orElseThrow();
    assertThat(put.ifMatch()).isEqualTo("\"3\"");
    assertThat(put.body()).contains("\"name\":\"cpu higher\"").contains("\"threshold\":95.0")
        .as("carried over").contains("\"noDataPeriods\":5").contains("\"eventRules\":[{\"eventTypes\":[\"reboot\"]}]")
        .contains("\"escalations\":[{\"afterSec\":600");

    PEERS.on("PUT /v1/tenants/t1/policies/p-1", 409, "{\"code\":\"conflict\",\"detail\":\"version 4 is current\"}");
    HttpResponse<String> conflict = browser.postRaw("/policies/save", "tenant=t1&id=p-1&version=3&name=mine"
        + "&namespace=acme/vm&severity=CRITICAL&combine=ANY&conditions[0].metric=cpu&conditions[0].threshold=95");
    assertThat(conflict.body()).contains("Someone changed this policy since you opened it").contains("value=\"mine\"");
  }

  @Test
  void eachReceiverOfAPolicyCanBeSentATestAndItsOutcomeIsSaid() {
    namespaces();
    PEERS.on("GET /v1/tenants/t1/policies/p-1", 200, POLICY.replace("\"receivers\":{\"users\":[\"ana\"]}",
        "\"receivers\":{\"users\":[\"ana\"],\"webhooks\":[\"ops-hook\"]}"));
    browser.signIn(TOKEN);
    HttpResponse<String> form = browser.get("/policies/edit?tenant=t1&id=p-1");
    assertThat(form.body()).contains("Test webhook ops-hook").contains("Test user ana").doesNotContain("Test bot");

    PEERS.on("POST /v1/notifications/test", 200, "{\"alertKey\":\"test-1\",\"status\":\"SENT\",\"deliveries\":["
        + "{\"recipient\":\"ops-hook\",\"channel\":\"WEBHOOK\",\"status\":\"SENT\",\"attempts\":1}]}");
    HttpResponse<String> sent = browser.post("/receivers/test", Map.of("tenant", "t1", "policyId", "p-1",
        "kind", "webhook", "id", "ops-hook"), true);
    assertThat(sent.statusCode()).isEqualTo(302);
    assertThat(sent.headers().firstValue("Location").orElseThrow()).endsWith("/policies/edit?tenant=t1&id=p-1");
    assertThat(PEERS.calls("/v1/notifications/test")).singleElement().satisfies(c -> {
      assertThat(c.body()).contains("\"tenant\":\"t1\"").contains("\"webhook\":\"ops-hook\"");
      assertThat(c.bearer()).isEqualTo(TOKEN);
    });
    assertThat(browser.follow(sent).body()).contains("Test notification to webhook ops-hook sent (WEBHOOK to ops-hook: SENT)");

    PEERS.on("POST /v1/notifications/test", 200, "{\"alertKey\":\"test-2\",\"status\":\"SEND_FAILED\","
        + "\"reason\":\"no_contact\",\"deliveries\":[]}");
    assertThat(browser.follow(browser.post("/receivers/test", Map.of("tenant", "t1", "policyId", "p-1", "kind", "user",
        "id", "ana"), true)).body()).contains("id=\"failure\"").contains("Test notification to user ana: SEND_FAILED, no_contact");
    PEERS.on("POST /v1/notifications/test", 503, "{}");
    assertThat(browser.follow(browser.post("/receivers/test", Map.of("tenant", "t1", "policyId", "p-1", "kind", "bot",
        "id", "b-1"), true)).body()).contains("Test not sent: notifier is not answering");
    PEERS.on("POST /v1/notifications/test", c -> {
      try {
        Thread.sleep(1_500); // past the console's (test) wait of 1 s
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new FakePeers.Answer(200, "{\"status\":\"SENT\",\"deliveries\":[]}");
    });
    assertThat(browser.follow(browser.post("/receivers/test", Map.of("tenant", "t1", "policyId", "p-1",
        "kind", "webhook", "id", "ops-hook"), true)).body())
        .contains("the notifier did not answer within 1 s, so whether it went out is unknown");
    assertThat(browser.get("/alerts/detail?key=k-1").statusCode()).as("the quick calls' breaker untouched").isEqualTo(200);
    int calls = PEERS.calls("/v1/notifications/test").size();
    assertThat(browser.follow(browser.post("/receivers/test", Map.of("tenant", "t1", "policyId", "p-1", "kind", "group",
        "id", "g-1"), true)).body()).contains("Test not sent: no such receiver.");
    assertThat(PEERS.calls("/v1/notifications/test")).hasSize(calls);
  }

  @Test
  void theDryRunShowsWhatWouldHaveFiredAndEnablingNamesTheVersionRead() {
    namespaces();
    browser.signIn(TOKEN);
    browser.get("/policies/new?tenant=t1&namespace=acme/vm");
    long window = 1_700_000_000_000L;
    PEERS.on("POST /v1/backtest", 200, "{\"seriesJudged\":12,\"truncated\":false,\"transitions\":[{\"seriesId\":\"ab\","
        + "\"dimensions\":{\"vm\":\"vm-7\"},\"status\":\"FIRING\",\"windowStartMs\":" + window + ",\"value\":97.0}]}");
    HttpResponse<String> run = browser.get("/policies/new?tenant=t1");
    run = browser.postRaw("/policies/dry-run", "tenant=t1&name=cpu&namespace=acme/vm&severity=WARNING&combine=ANY"
        + "&conditions[0].metric=cpu&conditions[0].period=60&conditions[0].operator=GT&conditions[0].threshold=90");
    assertThat(run.statusCode()).isEqualTo(200);
    assertThat(run.body()).contains("12 series judged, 1 transitions").contains("vm=vm-7").contains("FIRING");
    assertThat(PEERS.calls("/v1/backtest")).singleElement().satisfies(c -> {
      assertThat(c.body()).contains("\"tenant\":\"t1\"").contains("\"minutes\":60").contains("\"metric\":\"cpu\"");
      assertThat(c.bearer()).isEqualTo(TOKEN);
    });

    PEERS.on("POST /v1/backtest", 503, "{}");
    assertThat(browser.postRaw("/policies/dry-run", "tenant=t1&name=cpu&conditions[0].metric=cpu").body())
        .contains("detector is not answering, so the dry run cannot be shown");

    PEERS.on("GET /v1/tenants/t1/policies/p-1", 200, POLICY);
    PEERS.on("PUT /v1/tenants/t1/policies/p-1", 200, "{\"id\":\"p-1\",\"version\":4}");
    PEERS.on("GET /v1/tenants/t1/policies", 200, "{\"items\":[" + POLICY + "]}");
    browser.get("/policies?tenant=t1");
    HttpResponse<String> disabled = browser.post("/policies/enabled", Map.of("tenant", "t1", "id", "p-1",
        "enabled", "false"), true);
    assertThat(disabled.statusCode()).isEqualTo(302);
    assertThat(PEERS.calls("/v1/tenants/t1/policies/p-1").stream().filter(c -> c.method().equals("PUT")))
        .singleElement().satisfies(c -> assertThat(c.body()).contains("\"enabled\":false"));
    assertThat(browser.get("/policies?tenant=t1").body()).contains("cpu high").contains("policy_disabled");

    PEERS.on("GET /v1/tenants/t1/policies/p-1/audit", 200, "[{\"seq\":2,\"version\":4,\"op\":\"UPDATE\",\"actor\":"
        + "\"ops-alice\",\"atMs\":" + window + ",\"before\":{\"spec\":{\"enabled\":true,\"name\":\"cpu high\"}},"
        + "\"after\":{\"spec\":{\"enabled\":false,\"name\":\"cpu high\"}}}]");
    assertThat(browser.get("/policies/audit?tenant=t1&id=p-1").body()).contains("ops-alice").contains("enabled");
  }

  @Test
  void onCallShowsNowAndNextAndAnOverrideIsAddedInTheUsersZone() {
    String schedule = "{\"id\":\"oc-1\",\"version\":2,\"spec\":{\"name\":\"primary\",\"zone\":\"UTC\",\"layers\":[{"
        + "\"name\":\"week\",\"start\":\"2026-01-05T09:00\",\"rotation\":\"PT1H\",\"participants\":[\"ana\",\"bo\"]}],"
        + "\"overrides\":[]}}";
    PEERS.on("GET /v1/tenants/t1/oncall-schedules", 200, "{\"items\":[" + schedule + "]}");
    PEERS.on("GET /v1/tenants/t1/oncall-schedules/oc-1", 200, schedule);
    PEERS.on("PUT /v1/tenants/t1/oncall-schedules/oc-1", 200, "{\"id\":\"oc-1\",\"version\":3}");
    browser.signIn(TOKEN);
    browser.cookies.getCookieStore().add(java.net.URI.create("http://127.0.0.1:" + port),
        cookie("vigil_tz", "Asia%2FShanghai"));
    HttpResponse<String> page = browser.get("/oncall");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("primary (UTC)").contains("Times in Asia/Shanghai");
    String now = Instant.now().atZone(java.time.ZoneOffset.UTC).getHour() % 2 == 1 ? "ana" : "bo";
    assertThat(page.body()).containsPattern("class=\"now\">(ana|bo)<").contains("week: ana → bo every PT1H");
    assertThat(page.body()).containsPattern("class=\"next\">(ana|bo) from 20");

    HttpResponse<String> added = browser.post("/oncall/override", Map.of("tenant", "t1", "id", "oc-1",
        "participant", "cy", "from", "2026-12-24T18:00", "until", "2026-12-25T09:00"), true);
    assertThat(added.statusCode()).isEqualTo(302);
    FakePeers.Call put = PEERS.calls("/v1/tenants/t1/oncall-schedules/oc-1").stream()
        .filter(c -> c.method().equals("PUT")).findFirst().orElseThrow();
    long from = java.time.LocalDateTime.parse("2026-12-24T18:00").atZone(java.time.ZoneId.of("Asia/Shanghai"))
        .toInstant().toEpochMilli();
    assertThat(put.body()).contains("\"startMs\":" + from).contains("\"participant\":\"cy\"");
    assertThat(browser.follow(added).body()).contains("Override added: cy from 2026-12-24 18:00:00");

    HttpResponse<String> backwards = browser.post("/oncall/override", Map.of("tenant", "t1", "id", "oc-1",
        "participant", "cy", "from", "2026-12-25T18:00", "until", "2026-12-25T09:00"), true);
    assertThat(backwards.statusCode()).isEqualTo(302);
    assertThat(browser.follow(backwards).body()).contains("until must be after from");
    assertThat(now).isIn("ana", "bo");
  }

  @Test
  void theCatalogListsNamespacesAndSearchesKnowledgeAndSaysWhenTheCmdbIsDown() {
    namespaces();
    PEERS.on("GET /v1/knowledge/search", 200, "{\"mode\":\"vector\",\"hits\":[{\"kind\":\"policy\",\"id\":\"p-1\","
        + "\"title\":\"cpu high\",\"snippet\":\"max cpu over 90\",\"namespace\":\"acme/vm\",\"tenant\":\"t1\"}]}");
    browser.signIn(TOKEN);
    HttpResponse<String> page = browser.get("/catalog?q=" + Browser.enc("cpu 使用率"));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("virtual machines").contains("vm (required)").contains("busy")
        .contains("ranked by vector").contains("/policies/edit?tenant=t1&amp;id=p-1");
    assertThat(PEERS.calls("/v1/knowledge/search")).singleElement()
        .satisfies(c -> assertThat(java.net.URLDecoder.decode(c.query(), java.nio.charset.StandardCharsets.UTF_8))
            .contains("q=cpu 使用率"));
    PEERS.on("GET /v1/knowledge/search", 503, "{}");
    assertThat(browser.get("/catalog?q=cpu").body()).contains("cmdb is not answering").contains("virtual machines");
  }

  @Test
  void anInhibitionRuleIsCreatedWithItsErrorsNamedAndDeletedWithItsVersion() {
    PEERS.on("GET /v1/tenants/t1/inhibition-rules", 200, "{\"items\":[{\"id\":\"ir-1\",\"version\":7,\"spec\":{"
        + "\"name\":\"zone down mutes vms\",\"sourceMatchers\":[{\"Function\":\"Equal\",\"Field\":\"alertname\","
        + "\"Args\":\"zone-down\"}],\"targetMatchers\":[{\"Function\":\"Exists\",\"Field\":\"vm\"}],\"equal\":[\"zone\"]}}]}");
    browser.signIn(TOKEN);
    assertThat(browser.get("/inhibitions").body()).contains("zone down mutes vms").contains("vm Exists");
    PEERS.on("POST /v1/tenants/t1/inhibition-rules", 400, "{\"code\":\"validation_failed\",\"errors\":[{\"field\":"
        + "\"targetMatchers\",\"reason\":\"one or more matchers\"}]}");
    HttpResponse<String> refused = browser.postRaw("/inhibitions", "tenant=t1&name=r&sourceField=severity"
        + "&sourceFunction=Equal&sourceValue=CRITICAL&targetField=&targetFunction=Equal&targetValue=&equal=zone");
    assertThat(refused.body()).contains("targetMatchers: one or more matchers").contains("value=\"CRITICAL\"");
    PEERS.on("DELETE /v1/tenants/t1/inhibition-rules/ir-1", 204, "");
    assertThat(browser.post("/inhibitions/delete", Map.of("tenant", "t1", "id", "ir-1", "version", "7"), true)
        .statusCode()).isEqualTo(302);
    assertThat(PEERS.calls("/v1/tenants/t1/inhibition-rules/ir-1")).singleElement()
        .satisfies(c -> {
          assertThat(c.method()).isEqualTo("DELETE");
          assertThat(c.ifMatch()).isEqualTo("\"7\"");
        });
  }

  private static java.net.HttpCookie cookie(String name, String value) {
    java.net.HttpCookie c = new java.net.HttpCookie(name, value);
    c.setPath("/");
    c.setVersion(0);
    return c;
  }
}
