package io.vigil.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.system.CapturedOutput;

/**
 * The console over a real HTTP server standing in for its peers: sign-in and sign-out, the session
 * cookie's flags, CSRF on every form, pages built from the peers' answers with the user's token,
 * another tenant's alert as not found, a peer that is down shown in its part only, a revoked token
 * ending the session, and the control plane's refusals shown beside the form's fields. The token
 * never appears in a page, a URL or the log.
 */
class ConsoleIT extends ConsoleTestSupport {

  @Test
  void aPageAsksForSignInAndAnHtmxRefreshIsToldWhereToGo() {
    HttpResponse<String> page = browser.get("/");
    assertThat(page.statusCode()).isEqualTo(302);
    assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/sign-in");
    HttpResponse<String> rows = browser.get("/alerts/rows", "HX-Request", "true");
    assertThat(rows.statusCode()).isEqualTo(401);
    assertThat(rows.headers().firstValue("HX-Redirect")).hasValue("/sign-in?expired");
    assertThat(browser.get("/webjars/htmx.org/dist/htmx.min.js").statusCode()).as("assets need no session")
        .isEqualTo(200);
    assertThat(browser.get("/webjars/uplot/dist/uPlot.iife.min.js").statusCode()).isEqualTo(200);
  }

  @Test
  void signInRefusesABadTokenThenKeepsAGoodOneInTheSessionOnly(CapturedOutput output) {
    HttpResponse<String> refused = browser.signIn("not-our-token");
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).contains("not valid");
    assertThat(refused.body()).doesNotContain("not-our-token");
    String before = browser.session().getValue();

    HttpResponse<String> in = browser.signIn(TOKEN);
    assertThat(in.statusCode()).isEqualTo(302);
    assertThat(in.headers().firstValue("Location").orElseThrow()).endsWith("/");
    assertThat(browser.session().getValue()).as("a new session at sign-in").isNotEqualTo(before);
    String cookie = in.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("VIGIL_CONSOLE="))
        .findFirst().orElseThrow();
    assertThat(cookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict");

    HttpResponse<String> firing = browser.get("/");
    assertThat(firing.statusCode()).isEqualTo(200);
    assertThat(firing.body()).contains("cpu above 90 on vm-7").contains("ops-alice").contains("vm=vm-7");
    assertThat(firing.body()).doesNotContain("muted by silence");
    long now = System.currentTimeMillis();
    PEERS.on("GET /v1/tenants/t1/silences", 200, "{\"items\":[{\"id\":\"s-other\",\"version\":1,\"spec\":{\"matchers\":"
        + "[{\"Function\":\"Equal\",\"Field\":\"vm\",\"Args\":\"vm-8\"}],\"startsAtMs\":" + (now - 1000) + ",\"endsAtMs\":"
        + (now + 60_000) + "}},{\"id\":\"s-7\",\"version\":1,\"spec\":{\"matchers\":[{\"Function\":\"Regex\",\"Field\":"
        + "\"vm\",\"Args\":\"vm-[0-9]\"},{\"Function\":\"Equal\",\"Field\":\"severity\",\"Args\":\"CRITICAL\"}],"
        + "\"startsAtMs\":" + (now - 1000) + ",\"endsAtMs\":" + (now + 60_000) + "}}]}");
    assertThat(browser.get("/").body()).as("judged as the notifier judges it").contains("muted by silence s-7");
    assertThat(firing.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'");
    assertThat(PEERS.calls("/v1/alerts/open")).allSatisfy(c -> {
      assertThat(c.bearer()).isEqualTo(TOKEN);
      assertThat(c.query()).contains("limit=200");
    });
    assertThat(firing.body()).contains("name=\"alertKey\" value=\"k-1\"");
    assertThat(firing.body()).doesNotContain(TOKEN);
    assertThat(firing.headers().map().toString()).doesNotContain(TOKEN);
    assertThat(output.getAll()).doesNotContain(TOKEN).contains("console sign-in user=ops-alice");
  }

  @Test
  void aSilenceOnAPolicysOwnLabelMutesItsAlertsAndAnUnreadablePolicyIsSaid() {
    browser.signIn(TOKEN);
    long now = System.currentTimeMillis();
    PEERS.on("GET /v1/tenants/t1/silences", 200, "{\"items\":[{\"id\":\"s-team\",\"version\":1,\"spec\":{\"matchers\":"
        + "[{\"Function\":\"Equal\",\"Field\":\"team\",\"Args\":\"db\"}],\"startsAtMs\":" + (now - 1000)
        + ",\"endsAtMs\":" + (now + 60_000) + "}}]}");
    PEERS.on("GET /v1/tenants/t1/policies/p-1", 200, "{\"id\":\"p-1\",\"version\":3,\"spec\":{\"name\":\"cpu\","
        + "\"labels\":{\"team\":\"web\"}}}");
    assertThat(browser.get("/").body()).doesNotContain("muted by silence");

    PEERS.on("GET /v1/tenants/t1/policies/p-1", 200, "{\"id\":\"p-1\",\"version\":4,\"spec\":{\"name\":\"cpu\","
        + "\"labels\":{\"team\":\"db\"}}}");
    assertThat(browser.get("/").body()).as("the policy's label, as the notifier sees it").contains("muted by silence s-team");
    assertThat(PEERS.calls("/v1/tenants/t1/policies/p-1")).allSatisfy(c -> assertThat(c.bearer()).isEqualTo(TOKEN));

    PEERS.on("GET /v1/tenants/t1/policies/p-1", 503, "{}");
    assertThat(browser.get("/").body()).doesNotContain("muted by silence")
        .contains("Whether a silence mutes the alerts of t1 is unknown");

    PEERS.on("GET /v1/tenants/t1/silences", 200, "{\"items\":[{\"id\":\"s-vm\",\"version\":1,\"spec\":{\"matchers\":"
        + "[{\"Function\":\"Equal\",\"Field\":\"severity\",\"Args\":\"CRITICAL\"}],\"startsAtMs\":" + (now - 1000)
        + ",\"endsAtMs\":" + (now + 60_000) + "}}]}");
    int before = PEERS.calls("/v1/tenants/t1/policies/p-1").size();
    assertThat(browser.get("/").body()).contains("muted by silence s-vm");
    assertThat(PEERS.calls("/v1/tenants/t1/policies/p-1")).as("built-in labels need no policy").hasSize(before);
  }

  @org.springframework.beans.factory.annotation.Autowired
  @org.springframework.beans.factory.annotation.Qualifier("requestMappingHandlerMapping")
  org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping mappings;

  @Test
  void everyFormRefusesAMissingCsrfToken() {
    browser.signIn(TOKEN);
    browser.get("/");
    // every POST route the console has, found in its handler mappings (a new form cannot be forgotten)
    java.util.Set<String> posts = new java.util.TreeSet<>();
    mappings.getHandlerMethods().keySet().forEach(info -> {
      if (info.getMethodsCondition().getMethods().contains(org.springframework.web.bind.annotation.RequestMethod.POST)) {
        posts.addAll(info.getPatternValues());
      }
    });
    assertThat(posts).contains("/alerts/ack", "/silences", "/policies/save", "/policies/dry-run", "/oncall/override",
        "/inhibitions/delete", "/sign-in");
    PEERS.calls.clear();
    for (String path : posts) {
      assertThat(browser.post(path, Map.of("tenant", "t1", "id", "x", "alertKey", "k-1", "token", TOKEN), false)
          .statusCode()).as(path).isEqualTo(403);
    }
    assertThat(browser.post("/sign-out", Map.of(), false).statusCode()).isEqualTo(403);
    assertThat(PEERS.calls).as("nothing reached a peer").isEmpty();
    assertThat(new Browser(port).post("/sign-in", Map.of("token", TOKEN), false).statusCode()).isEqualTo(403);

    PEERS.on("POST /v1/alerts/ack", 200, "{\"result\":\"ACKNOWLEDGED\",\"alertKey\":\"k-1\",\"ackBy\":\"ops-alice\","
        + "\"ackAtMs\":1}");
    HttpResponse<String> ack = browser.post("/alerts/ack", Map.of("alertKey", "k-1", "back", "https://evil.example/"),
        true);
    assertThat(ack.statusCode()).isEqualTo(302);
    assertThat(ack.headers().firstValue("Location").orElseThrow()).as("back only to this console").endsWith("/");
    assertThat(PEERS.calls("/v1/alerts/ack")).singleElement().satisfies(c -> {
      assertThat(c.bearer()).isEqualTo(TOKEN);
      assertThat(c.body()).contains("\"alertKey\":\"k-1\"");
    });
    assertThat(browser.get("/").body()).contains("Acknowledged by ops-alice");

    browser.get("/");
    HttpResponse<String> out = browser.post("/sign-out", Map.of(), true);
    assertThat(out.headers().firstValue("Location").orElseThrow()).endsWith("/sign-in?signed-out");
    assertThat(browser.get("/").statusCode()).as("signed out").isEqualTo(302);
  }

  @Test
  void anotherTenantsAlertIsNotFoundAndABadFilterIsNamed() {
    browser.signIn(TOKEN);
    PEERS.on("GET /v1/alerts/events", 200, "{\"total\":0,\"items\":[]}");
    HttpResponse<String> other = browser.get("/alerts/detail?key=other");
    assertThat(other.statusCode()).isEqualTo(404);
    assertThat(other.body()).contains("does not exist, or it belongs to a tenant you do not work on");

    PEERS.calls.clear();
    HttpResponse<String> bad = browser.get("/?severity=LOUD&tenant=a%20b");
    assertThat(bad.statusCode()).isEqualTo(200);
    assertThat(bad.body()).contains("severity: one of").contains("tenant: 1 to 200");
    assertThat(browser.get("/?rows=5000").body()).contains("rows: 1 to 1000");
    assertThat(PEERS.calls("/v1/alerts/open")).as("refused before storage is asked").isEmpty();
  }

  @Test
  void theDetailShowsEachPartAndAPeerThatIsDownOnlyInItsOwnPart() {
    browser.signIn(TOKEN);
    PEERS.on("GET /v1/alerts/events", 200, "{\"total\":2,\"items\":[" + ALERT + "," + ALERT.replace("FIRING", "RESOLVED")
        + "]}");
    PEERS.on("GET /v1/notifications", 200, "{\"total\":1,\"items\":[{\"timestampMs\":1700000070000,"
        + "\"recipient\":\"alice\",\"channel\":\"EMAIL\",\"status\":\"SENT\"}]}");
    PEERS.on("GET /v1/notifications/explain", 503, "{\"code\":\"unavailable\"}");
    PEERS.on("GET /v1/explain", 200, "{\"policyId\":\"p-1\",\"matches\":true,\"checks\":[{\"check\":\"tenant\","
        + "\"passed\":true,\"detail\":\"appid=t1\"},{\"check\":\"filters\",\"passed\":true,\"detail\":\"vm Regex vm-.*\"}]}");
    PEERS.on("GET /v1/tenants/t1/policies/p-1", 200, "{\"id\":\"p-1\",\"version\":3,\"spec\":{\"name\":\"cpu\","
        + "\"namespace\":\"acme/vm\",\"conditions\":[{\"metric\":\"cpu\",\"period\":60,\"statistic\":\"MAX\","
        + "\"operator\":\"GT\",\"threshold\":90}]}}");
    PEERS.on("POST /v1/series/query", c -> new FakePeers.Answer(200, "{\"series\":[{\"seriesId\":\""
        + io.vigil.common.series.SeriesId.hex(42) + "\",\"points\":[{\"t\":" + (System.currentTimeMillis() / 60_000 * 60_000)
        + ",\"v\":97.5}]}]}"));

    HttpResponse<String> page = browser.get("/alerts/detail?key=k-1");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("cpu above 90 on vm-7").contains("RESOLVED").contains("alice").contains("SENT");
    assertThat(page.body()).contains("notifier is not answering, so the explain trail cannot be shown");
    assertThat(page.body()).contains("id=\"chart\"").contains("max per 60 s, 1 windows with data");
    assertThat(page.body()).contains("vm Regex vm-.*");
    assertThat(PEERS.calls("/v1/explain")).singleElement().satisfies(c -> assertThat(c.query())
        .isEqualTo("policyId=p-1&seriesId=" + io.vigil.common.series.SeriesId.hex(42)));
    assertThat(PEERS.calls("/v1/series/query")).singleElement().satisfies(c -> {
      assertThat(c.body()).contains("\"statistic\":\"max\"").contains("\"Field\":\"vm\"").contains("\"Args\":\"vm-7\"");
      assertThat(c.bearer()).isEqualTo(TOKEN);
    });

    PEERS.on("POST /v1/series/query", 503, "{}");
    PEERS.on("GET /v1/notifications/explain", 200, "{\"alertKey\":\"k-1\",\"steps\":[{\"atMs\":1700000065000,\"sequence\":1,"
        + "\"alertStatus\":\"FIRING\",\"stage\":\"silence\",\"status\":\"SILENCED\",\"reason\":\"silence\","
        + "\"detail\":\"s-9\"}]}");
    PEERS.on("GET /v1/explain", 503, "{}");
    HttpResponse<String> again = browser.get("/alerts/detail?key=k-1");
    assertThat(again.body()).contains("SILENCED").contains("s-9")
        .contains("detector is not answering, so the detector&#39;s checks cannot be shown")
        .contains("storage is not answering, so the series cannot be shown");
  }

  @Test
  void theChecksAndTheDryRunAskTheDetectorOfTheAlertsAndTheNamespacesShard() {
    browser.signIn(TOKEN);
    String bigAlert = ALERT.replace("\"alertKey\":\"k-1\"", "\"alertKey\":\"k-big\",\"shard\":\"big\"");
    PEERS.on("GET /v1/alerts/open", 200, "{\"total\":1,\"items\":[" + bigAlert + "]}");
    PEERS.on("GET /v1/alerts/events", 200, "{\"total\":0,\"items\":[]}");
    PEERS.on("GET /v1/notifications", 200, "{\"total\":0,\"items\":[]}");
    PEERS.on("GET /shard-big/v1/explain", 200, "{\"checks\":[{\"check\":\"tenant\",\"passed\":true,"
        + "\"detail\":\"judged on shard big\"}]}");
    assertThat(browser.get("/alerts/detail?key=k-big").body()).contains("judged on shard big");
    assertThat(PEERS.calls("/shard-big/v1/explain")).singleElement()
        .satisfies(c -> assertThat(c.bearer()).isEqualTo(TOKEN));
    assertThat(PEERS.calls("/v1/explain")).as("not the default detector").isEmpty();

    PEERS.on("GET /v1/alerts/open", 200, "{\"total\":1,\"items\":[" + ALERT + "]}");
    PEERS.on("GET /v1/explain", 200, "{\"checks\":[{\"check\":\"tenant\",\"passed\":true,"
        + "\"detail\":\"judged on the default shard\"}]}");
    assertThat(browser.get("/alerts/detail?key=k-1").body()).contains("judged on the default shard");

    PEERS.on("GET /v1/namespaces/acme/big", 200, "{\"id\":\"acme/big\",\"spec\":{\"name\":\"acme/big\","
        + "\"shard\":\"big\"}}");
    PEERS.on("POST /shard-big/v1/backtest", 200, "{\"seriesJudged\":3,\"truncated\":false,\"transitions\":[]}");
    browser.get("/policies/new?tenant=t1");
    String run = browser.postRaw("/policies/dry-run", "tenant=t1&name=cpu&namespace=acme/big&severity=WARNING"
        + "&combine=ANY&conditions[0].metric=cpu&conditions[0].period=60&conditions[0].operator=GT"
        + "&conditions[0].threshold=90").body();
    assertThat(run).contains("3 series judged");
    assertThat(PEERS.calls("/shard-big/v1/backtest")).hasSize(1);
    assertThat(PEERS.calls("/v1/backtest")).isEmpty();
  }

  @Test
  void theDetailShowsTheCmdbsRecordOfTheInstanceTheAlertIsAbout() {
    browser.signIn(TOKEN);
    PEERS.on("GET /v1/alerts/events", 200, "{\"total\":0,\"items\":[]}");
    PEERS.on("GET /v1/notifications", 200, "{\"total\":0,\"items\":[]}");
    PEERS.on("GET /v1/namespaces/acme/vm", 200, "{\"id\":\"acme/vm\",\"spec\":{\"name\":\"acme/vm\","
        + "\"requiredDimensions\":[\"appid\",\"vm\"],\"instanceDimension\":\"vm\"}}");
    PEERS.on("GET /v1/instances/acme/vm/r1/vm-7", 200, "{\"namespace\":\"acme/vm\",\"region\":\"r1\","
        + "\"instanceId\":\"vm-7\",\"tenant\":\"t1\",\"version\":12,\"source\":\"cloud-sync\","
        + "\"attributes\":{\"owner\":\"team-db\",\"ip\":\"10.0.0.7\"},\"tags\":{\"env\":\"prod\"},"
        + "\"updatedAtMs\":1700000000000}");
    String page = browser.get("/alerts/detail?key=k-1").body();
    assertThat(page).contains("The instance (cmdb)").contains("team-db").contains("10.0.0.7").contains("tag env")
        .contains("cloud-sync");
    assertThat(PEERS.calls("/v1/instances/acme/vm/r1/vm-7")).singleElement()
        .satisfies(c -> assertThat(c.bearer()).isEqualTo(TOKEN));

    PEERS.on("GET /v1/instances/acme/vm/r1/vm-7", 404, "{\"code\":\"not_found\"}");
    assertThat(browser.get("/alerts/detail?key=k-1").body()).contains("The cmdb has no record of instance vm-7.");
    PEERS.on("GET /v1/instances/acme/vm/r1/vm-7", 503, "{}");
    assertThat(browser.get("/alerts/detail?key=k-1").body())
        .contains("cmdb is not answering, so the instance&#39;s record cannot be shown").contains("cpu above 90 on vm-7");
    PEERS.on("GET /v1/namespaces/acme/vm", 503, "{}");
    assertThat(browser.get("/alerts/detail?key=k-1").body()).as("named for the service that is down")
        .contains("policy is not answering, so the instance&#39;s record cannot be shown");
    PEERS.on("GET /v1/namespaces/acme/vm", 200, "{\"id\":\"acme/vm\",\"spec\":{\"name\":\"acme/vm\"}}");
    assertThat(browser.get("/alerts/detail?key=k-1").body()).as("no instance dimension: nothing to show")
        .doesNotContain("The instance (cmdb)");
  }

  @Test
  void healthAndMetricsAreServedLikeEveryServicesAndADegradedPartIsCounted() throws java.io.IOException {
    assertThat(browser.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
    assertThat(browser.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
    assertThat(browser.get("/actuator/env").statusCode()).as("asks for sign-in first").isEqualTo(302);
    browser.signIn(TOKEN);
    assertThat(browser.get("/actuator/env").statusCode()).as("not exposed").isEqualTo(404);
    PEERS.on("GET /v1/alerts/open", 503, "{}");
    assertThat(browser.get("/").body()).contains("storage is not answering, so the open alerts cannot be shown");
    String metrics = browser.get("/actuator/prometheus").body();
    for (String family : java.util.List.of("vigil_executor_queue_remaining", "vigil_dependency_failures_total",
        "http_server_requests_seconds_bucket")) {
      assertThat(metrics).as(family).containsPattern("(?m)^" + family + "[{ ]");
    }
    assertThat(metrics).containsPattern("vigil_degraded_total\\{[^}]*component=\"console\"[^}]*reason=\"storage_unavailable\"");
    assertThat(metrics).doesNotContain(TOKEN);
    // what the deploy module's dashboard check reads (as every service's contract test leaves it)
    java.nio.file.Path out = java.nio.file.Path.of("target", "served-metrics.txt");
    java.nio.file.Files.createDirectories(out.getParent());
    java.nio.file.Files.write(out, io.vigil.common.testing.Http.seriesNames(metrics));
  }

  @Test
  void aRevokedTokenEndsTheSession() {
    browser.signIn(TOKEN);
    // revoked: every service refuses it, the control plane first
    PEERS.on("GET /v1/me", 401, "{\"code\":\"unauthenticated\"}");
    PEERS.on("GET /v1/alerts/open", 401, "{\"code\":\"unauthenticated\"}");
    HttpResponse<String> page = browser.get("/");
    assertThat(page.statusCode()).isEqualTo(302);
    assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/sign-in?expired");
    PEERS.on("GET /v1/alerts/open", 200, "{\"total\":0,\"items\":[]}");
    assertThat(browser.get("/").statusCode()).as("the session is gone").isEqualTo(302);
  }

  @Test
  void aServiceThatRefusesATokenTheControlPlaneAcceptsBlanksItsPartOnly() {
    browser.signIn(TOKEN);
    PEERS.on("GET /v1/alerts/events", 200, "{\"total\":1,\"items\":[" + ALERT + "]}");
    PEERS.on("GET /v1/notifications", 200, "{\"total\":0,\"items\":[]}");
    PEERS.on("GET /v1/notifications/explain", 200, "{\"steps\":[]}");
    PEERS.on("GET /v1/explain", 401, "{\"code\":\"unauthenticated\"}");
    HttpResponse<String> page = browser.get("/alerts/detail?key=k-1");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("detector does not accept your token although the control plane does")
        .contains("cpu above 90 on vm-7");
    assertThat(browser.get("/").statusCode()).as("still signed in").isEqualTo(200);
  }

  @Test
  void aSilenceIsPrefilledFromItsAlertAndTheControlPlanesRefusalIsShownBesideItsField() {
    browser.signIn(TOKEN);
    HttpResponse<String> form = browser.get("/silences/new?alertKey=k-1");
    assertThat(form.statusCode()).isEqualTo(200);
    assertThat(form.body()).contains("value=\"policyId\"").contains("value=\"p-1\"").contains("value=\"vm-7\"");

    PEERS.on("POST /v1/tenants/t1/silences", 400, "{\"code\":\"validation_failed\",\"errors\":[{\"field\":"
        + "\"matchers[1].Args\",\"reason\":\"not a valid regular expression\"}]}");
    HttpResponse<String> refused = browser.postRaw("/silences", "tenant=t1&field=policyId&function=Equal&value=p-1"
        + "&field=vm&function=Regex&value=" + Browser.enc("(") + "&duration=1h&comment=maintenance");
    assertThat(refused.statusCode()).isEqualTo(200);
    assertThat(refused.body()).contains("not a valid regular expression").contains("value=\"maintenance\"");

    PEERS.on("POST /v1/tenants/t1/silences", 201, "{\"id\":\"s-1\",\"version\":1}");
    HttpResponse<String> created = browser.postRaw("/silences", "tenant=t1&field=policyId&function=Equal&value=p-1"
        + "&field=vm&function=In&value=" + Browser.enc("vm-7, vm-8") + "&field=&function=Equal&value=&duration=4h");
    assertThat(created.statusCode()).isEqualTo(302);
    assertThat(created.headers().firstValue("Location").orElseThrow()).endsWith("/silences?tenant=t1");
    assertThat(PEERS.calls("/v1/tenants/t1/silences").get(1).body())
        .contains("{\"Function\":\"Equal\",\"Field\":\"policyId\",\"Args\":\"p-1\"}")
        .contains("{\"Function\":\"In\",\"Field\":\"vm\",\"Args\":[\"vm-7\",\"vm-8\"]}")
        .contains("\"endsAtMs\"");

    long now = System.currentTimeMillis();
    PEERS.on("GET /v1/tenants/t1/silences", 200, "{\"items\":[{\"id\":\"s-1\",\"version\":4,\"updatedBy\":\"ops-alice\","
        + "\"spec\":{\"matchers\":[{\"Function\":\"Equal\",\"Field\":\"policyId\",\"Args\":\"p-1\"}],\"startsAtMs\":"
        + (now - 1000) + ",\"endsAtMs\":" + (now + 3_600_000) + "}},{\"id\":\"s-2\",\"version\":1,\"spec\":{\"matchers\":"
        + "[{\"Function\":\"Equal\",\"Field\":\"vm\",\"Args\":\"vm-9\"}],\"recurring\":{\"zone\":\"Asia/Shanghai\","
        + "\"weekdays\":[],\"times\":[\"02:00-04:00\"]}}}]}");
    HttpResponse<String> list = browser.get("/silences");
    assertThat(list.body()).contains("policyId Equal p-1").contains("active").contains("Expire");
    // nightly 02:00-04:00 Beijing time is 18:00-20:00 in the user's zone (UTC until the browser says);
    // from now when the test runs inside it
    assertThat(list.body()).containsPattern("next in force: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d – \\d{4}-\\d\\d-\\d\\d 20:00:00");
    PEERS.on("GET /v1/tenants/t1/silences/s-1", 200, "{\"id\":\"s-1\",\"version\":4,\"spec\":{\"matchers\":"
        + "[{\"Function\":\"Equal\",\"Field\":\"policyId\",\"Args\":\"p-1\"}],\"startsAtMs\":" + (now - 1000)
        + ",\"endsAtMs\":" + (now + 3_600_000) + "}}");
    PEERS.on("PUT /v1/tenants/t1/silences/s-1", 200, "{\"id\":\"s-1\",\"version\":5}");
    HttpResponse<String> expired = browser.post("/silences/expire", Map.of("tenant", "t1", "id", "s-1"), true);
    assertThat(expired.statusCode()).isEqualTo(302);
    assertThat(PEERS.calls("/v1/tenants/t1/silences/s-1").stream().filter(c -> c.method().equals("PUT")))
        .singleElement().satisfies(c -> {
          assertThat(c.body()).contains("\"endsAtMs\":");
          assertThat(c.ifMatch()).isEqualTo("\"4\"");
        });
  }
}
