package io.vigil.policy;

import static io.vigil.common.testing.ServiceContractSupport.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.VigilTestInitializer;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Each notification object through the API: users and groups, webhooks and bots (URL policy,
 * write-only secrets), silences and inhibition rules, on-call schedules (and who is on call),
 * templates (checked by rendering, and previewed).
 */
@VigilServiceTest
class PolicyObjectsIT {

  static final String T = "/v1/tenants/t1";

  @LocalServerPort
  int port;

  PolicyTestClient t1;

  @BeforeEach
  void clients() {
    t1 = new PolicyTestClient(new Http(port), VigilTestInitializer.T1_OPERATOR_KEY);
  }

  @Test
  void usersAndGroupsCheckContactsAndMembers() {
    JsonNode problem = assertProblem(t1.post(T + "/users", """
        {"name": "bob smith", "contacts": {"EMAIL": "not-an-address", "SMS": "12345", "WEBHOOK": "x"}}"""),
        400, "validation_failed");
    assertThat(fields(problem)).contains("name", "contacts.EMAIL", "contacts.SMS", "contacts.WEBHOOK");
    String bob = t1.create(T + "/users", "{\"name\": \"bob\", \"contacts\": {\"PHONE\": \"+14155550100\"}}")
        .path("id").asString();
    assertProblem(t1.post(T + "/users", "{\"name\": \"bob\"}"), 409, "conflict");

    JsonNode group = t1.create(T + "/user-groups", "{\"name\": \"sre\", \"members\": [\"" + bob + "\"]}");
    assertThat(group.path("spec").path("members").get(0).asString()).isEqualTo(bob);
    JsonNode missing = assertProblem(t1.post(T + "/user-groups", "{\"name\": \"ghosts\", \"members\": [\"usr_nobody\"]}"),
        422, "invalid_reference");
    assertThat(missing.path("field").asString()).isEqualTo("members[0]");
  }

  @Test
  void webhooksPassTheUrlPolicyAndTheirSecretsAreNeverReturned() throws Exception {
    JsonNode refused = assertProblem(t1.post(T + "/webhooks", """
        {"name": "meta", "url": "http://169.254.169.254/latest/meta-data"}"""), 400, "validation_failed");
    assertThat(refused.path("field").asString()).isEqualTo("url");
    HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    try {
      String url = "https://127.0.0.1:" + sink.getAddress().getPort() + "/hook";
      JsonNode hook = t1.create(T + "/webhooks", """
          {"name": "ops", "url": "%s", "secret": "s3cret-s3cret-s3cret", "headers": {"X-Team": "team-token"}}"""
          .formatted(url));
      String id = hook.path("id").asString();
      assertThat(hook.toString()).doesNotContain("s3cret").doesNotContain("team-token");
      assertThat(hook.path("spec").path("secret").asString()).isEqualTo("<redacted>");

      // sending the redacted secret back keeps the stored one; the audit never shows it
      HttpResponse<String> renamed = t1.put(T + "/webhooks/" + id, "\"1\"", """
          {"name": "ops-renamed", "url": "%s", "secret": "<redacted>", "headers": {"X-Team": "<redacted>"}}"""
          .formatted(url));
      assertThat(renamed.statusCode()).as(renamed.body()).isEqualTo(200);
      assertThat(t1.get(T + "/webhooks/" + id + "/audit").body()).doesNotContain("s3cret").doesNotContain("team-token");
    } finally {
      sink.stop(0);
    }
    JsonNode bot = assertProblem(t1.post(T + "/chat-bots", """
        {"name": "ding", "style": "DINGTALK", "url": "https://10.1.2.3/robot/send"}"""), 400, "validation_failed");
    assertThat(bot.path("detail").asString()).contains("private");
  }

  @Test
  void silencesNeedMatchersAndAValidWindow() {
    JsonNode problem = assertProblem(t1.post(T + "/silences", """
        {"matchers": [], "recurring": {"zone": "Mars/Olympus", "weekdays": ["Caturday"], "times": ["25:00-26:00"]}}"""),
        400, "validation_failed");
    assertThat(fields(problem)).contains("matchers", "recurring.zone");
    JsonNode nightly = t1.create(T + "/silences", """
        {"matchers": [{"Function": "Equal", "Field": "zone", "Args": "gz-1"}], "comment": "nightly batch",
         "recurring": {"zone": "Asia/Shanghai", "weekdays": ["MON", "TUE"], "times": ["22:00-06:00"]}}""");
    assertThat(nightly.path("id").asString()).startsWith("sil_");
    JsonNode oneOff = assertProblem(t1.post(T + "/silences", """
        {"matchers": [{"Function": "Exists", "Field": "zone"}], "startsAtMs": 2000, "endsAtMs": 1000}"""),
        400, "validation_failed");
    assertThat(oneOff.path("field").asString()).isEqualTo("endsAtMs");
    JsonNode rule = t1.create(T + "/inhibition-rules", """
        {"name": "host down mutes disks", "sourceMatchers": [{"Function": "Equal", "Field": "alertname", "Args": "HostDown"}],
         "targetMatchers": [{"Function": "Prefix", "Field": "alertname", "Args": "Disk"}], "equal": ["instance"]}""");
    assertThat(rule.path("spec").path("equal").get(0).asString()).isEqualTo("instance");
  }

  @Test
  void onCallAnswersWhoIsOnCallAtAnInstant() {
    String ann = t1.create(T + "/users", "{\"name\": \"ann\"}").path("id").asString();
    String ben = t1.create(T + "/users", "{\"name\": \"ben\"}").path("id").asString();
    String schedule = t1.create(T + "/oncall-schedules", """
        {"name": "primary", "zone": "Europe/Berlin",
         "layers": [{"name": "weekly", "start": "2026-03-02T09:00", "rotation": "P7D", "participants": ["%s", "%s"]}],
         "overrides": [{"startMs": %d, "endMs": %d, "participant": "%s"}]}"""
        .formatted(ann, ben, java.time.Instant.parse("2026-03-20T00:00:00Z").toEpochMilli(),
            java.time.Instant.parse("2026-03-21T00:00:00Z").toEpochMilli(), ann)).path("id").asString();
    String at = T + "/oncall-schedules/" + schedule + "/oncall?at=";
    assertThat(Http.json(t1.get(at + "2026-03-02T08:59:00Z")).path("user").asString()).isEqualTo(ann);
    assertThat(Http.json(t1.get(at + "2026-03-09T09:00:00Z")).path("user").asString()).as("second week").isEqualTo(ben);
    assertThat(Http.json(t1.get(at + "2026-03-20T12:00:00Z")).path("user").asString()).as("override").isEqualTo(ann);
    assertThat(Http.json(t1.get(at + "2026-03-01T00:00:00Z")).path("user").isNull()).as("before the start").isTrue();
    assertProblem(t1.get(at + "yesterday"), 400, "invalid_parameter");

    JsonNode bad = assertProblem(t1.post(T + "/oncall-schedules", """
        {"name": "bad", "zone": "Europe/Berlin",
         "layers": [{"start": "next monday", "rotation": "PT30M", "participants": ["usr_nobody"]}]}"""),
        400, "validation_failed");
    assertThat(fields(bad)).contains("layers[0].start", "layers[0].rotation");
    JsonNode ghost = assertProblem(t1.post(T + "/oncall-schedules", """
        {"name": "ghost", "zone": "UTC",
         "layers": [{"start": "2026-01-01T00:00", "rotation": "P1D", "participants": ["usr_nobody"]}]}"""),
        422, "invalid_reference");
    assertThat(ghost.path("field").asString()).isEqualTo("layers[0].participants[0]");
  }

  @Test
  void templatesAreCheckedByRenderingAndPreviewWithAnyAlert() {
    JsonNode problem = assertProblem(t1.post(T + "/templates", """
        {"name": "sms", "channel": "SMS", "body": "{{severity}} {{nosuchfield}}"}"""), 400, "validation_failed");
    assertThat(problem.path("field").asString()).isEqualTo("body");
    assertThat(problem.path("detail").asString()).contains("nosuchfield");
    assertProblem(t1.post(T + "/templates", "{\"name\": \"open\", \"channel\": \"EMAIL\", \"body\": \"{{#dimensions}}\"}"),
        400, "validation_failed");
    JsonNode saved = t1.create(T + "/templates", """
        {"name": "mail", "channel": "EMAIL", "subject": "[{{severity}}] {{policyName}}",
         "body": "<p>{{summary}}</p>{{#dimensions}}{{instance}}{{/dimensions}}"}""");
    assertThat(saved.path("id").asString()).startsWith("tpl_");

    HttpResponse<String> preview = t1.post(T + "/templates/preview", """
        {"template": {"name": "mail", "channel": "EMAIL", "subject": "[{{severity}}] {{policyName}}",
                      "body": "<p>{{summary}}</p>"},
         "alert": {"severity": "CRITICAL", "policyName": "Disk full", "summary": "<b>95%</b> used"}}""");
    assertThat(preview.statusCode()).as(preview.body()).isEqualTo(200);
    JsonNode rendered = Http.json(preview);
    assertThat(rendered.path("subject").asString()).isEqualTo("[CRITICAL] Disk full");
    assertThat(rendered.path("body").asString()).as("HTML-escaped for e-mail").isEqualTo("<p>&lt;b&gt;95%&lt;/b&gt; used</p>");
  }

  static List<String> fields(JsonNode problem) {
    return problem.path("errors").valueStream().map(e -> e.path("field").asString()).toList();
  }
}
