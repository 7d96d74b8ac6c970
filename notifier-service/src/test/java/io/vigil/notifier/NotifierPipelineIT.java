package io.vigil.notifier;

import static io.vigil.notifier.NotifierFixtures.event;
import static io.vigil.notifier.NotifierFixtures.publish;
import static io.vigil.notifier.NotifierFixtures.put;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ControlJson;
import io.vigil.common.control.FilterSpec;
import io.vigil.common.control.InhibitionRule;
import io.vigil.common.control.Silence;
import io.vigil.common.control.User;
import io.vigil.common.control.Webhook;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.common.model.AlertEvent.Severity;
import io.vigil.common.model.Channel;
import io.vigil.common.model.ControlChange.EntityType;
import io.vigil.common.model.NotificationRecord;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.series.AlertIds;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.VigilTestInitializer;
import io.vigil.notifier.NotifierFixtures.Received;
import io.vigil.notifier.NotifierFixtures.Sink;
import io.vigil.notifier.channel.webhook.WebhookSignature;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Alert events through the whole pipeline against the real Kafka, MySQL and Redis, a real SMTP
 * server (GreenMail) and real local HTTP servers for webhooks and the SMS provider: delivery with
 * signature and idempotency key, duplicates, per-alert order under concurrency, silences,
 * inhibition, channel fallback, the outbound URL policy at send, records and explain.
 */
// its notifier stops with the class: another context of this run would otherwise judge the same events
@org.springframework.test.annotation.DirtiesContext
@VigilServiceTest
class NotifierPipelineIT {

  static final String T1 = "t1";
  static final String SECRET = "hook-secret-0123456789";
  static final Sink SINK;
  static final GreenMail SMTP;
  static final AtomicLong SERIES = new AtomicLong(System.nanoTime() & 0xffffffffL);

  static {
    try {
      SINK = new Sink();
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      SMTP = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
      SMTP.start();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @DynamicPropertySource
  static void channels(DynamicPropertyRegistry r) {
    r.add("spring.mail.host", () -> "127.0.0.1");
    r.add("spring.mail.port", () -> SMTP.getSmtp().getPort());
    // the batched lanes (a storm's mode): every pipeline test here runs its events through Pipeline.runAll
    r.add("vigil.notifier.lane-batch", () -> "100");
    r.add("vigil.notifier.channels.email.from", () -> "vigil@example.test");
    r.add("vigil.notifier.channels.sms.endpoint", () -> SINK.url("/sms"));
    r.add("vigil.notifier.channels.sms.api-key", () -> "test-sms-key");
    r.add("vigil.notifier.channels.phone.endpoint", () -> SINK.url("/voice"));
    r.add("vigil.notifier.channels.phone.api-key", () -> "test-voice-key");
    // the local sinks are on loopback over http: allowed explicitly, as a production policy never is
    r.add("vigil.outbound.allow-http", () -> "true");
    r.add("vigil.outbound.allowed-cidrs", () -> "127.0.0.1/32");
    r.add("vigil.notifier.channels.webhook.retry.max-attempts", () -> "2");
    r.add("vigil.notifier.channels.sms.retry.max-attempts", () -> "2");
    // the cmdb's look-up contract, served by the local sink
    r.add("vigil.services.cmdb.base-url", () -> SINK.url(""));
    // and storage's series API, for a FIRING's chart of the last hour
    r.add("vigil.services.storage.base-url", () -> SINK.url(""));
  }

  @LocalServerPort
  int port;

  @BeforeAll
  static void receivers() {
    // the namespace names the dimension that is the cmdb's instance id
    put(EntityType.NAMESPACE, "acme/vm", io.vigil.common.control.ControlTables.GLOBAL, new io.vigil.common.control
        .NamespaceConfig("acme/vm", null, "appid", List.of("appid"), List.of("instance", "host", "cluster"), List.of(),
        null, null, null, List.of(), null, null, null, "instance").withDefaults());
    SINK.bodyByPath.put("/v1/instances/lookup", """
        {"instances": [{"namespace": "acme/vm", "region": "ap-guangzhou", "instanceId": "ins-rich", "tenant": "t1",
          "version": 3, "source": "product:acme", "attributes": {"appid": "t1", "name": "web-01", "ip": "10.0.0.12",
          "owner": "ann"}, "tags": {"team": "shop"}, "createdAtMs": 1, "updatedAtMs": 2}], "missing": []}""");
    put(EntityType.USER, "alice", T1, new User("alice", "Alice", Map.of(Channel.EMAIL, "alice@example.test")));
    put(EntityType.USER, "bob", T1, new User("bob", "Bob", Map.of(Channel.SMS, "+8613800138000",
        Channel.EMAIL, "bob@example.test")));
    put(EntityType.WEBHOOK, "hook", T1, new Webhook("hook", SINK.url("/hook"), SECRET, Map.of("X-Team", "sre")));
    put(EntityType.WEBHOOK, "order", T1, new Webhook("order", SINK.url("/order"), null, null));
    // saved when the name was public; it now points into a private range (the policy is checked at send)
    put(EntityType.WEBHOOK, "internal", T1, new Webhook("internal", "http://10.255.255.1/hook", null, null));
  }

  @AfterAll
  static void stop() {
    SINK.close();
    SMTP.stop();
  }

  static AlertPolicy policy(String name, AlertPolicy.Receivers receivers) {
    return ControlJson.read("""
        {"name": "%s", "namespace": "acme/vm", "combine": "ANY",
         "conditions": [{"metric": "cpu_usage", "period": 60, "statistic": "AVG", "operator": "GT",
                         "threshold": 90}], "severity": "WARNING", "labels": {"team": "compute"},
         "receivers": %s}
        """.formatted(name, ControlJson.write(receivers)), AlertPolicy.class).withDefaults();
  }

  static AlertPolicy.Receivers receivers(List<String> users, List<String> webhooks) {
    return new AlertPolicy.Receivers(users, List.of(), List.of(), webhooks, List.of());
  }

  static String newPolicy(AlertPolicy.Receivers receivers) {
    String id = "pol_N" + Long.toHexString(System.nanoTime()).toUpperCase();
    put(EntityType.POLICY, id, T1, policy("cpu " + id, receivers));
    return id;
  }

  static List<NotificationRecord> records(String alertKey, int count) {
    MessageCodec codec = new MessageCodec();
    return TestKafka.awaitMatching("notify.records",
        r -> codec.decode(r.value(), NotificationRecord.class).alertKey().equals(alertKey), count,
        Duration.ofSeconds(20)).stream().map(r -> codec.decode(r.value(), NotificationRecord.class)).toList();
  }

  JsonNode explain(String key, String param, String value) {
    HttpResponse<String> r = new Http(port).send(new Http(port).request("/v1/notifications/explain?" + param + "="
        + java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8))
        .header("Authorization", "Bearer " + key).GET().build());
    return r.statusCode() == 200 ? Http.json(r) : Http.JSON.createObjectNode().put("status", r.statusCode());
  }

  @org.springframework.beans.factory.annotation.Autowired
  javax.sql.DataSource dataSource;

  /**
   * Steps written one row each, before the trail was kept per run (V1's table), are still explained
   * until they age out, in order, and the limit keeps the newest.
   */
  @Test
  void stepsKeptOneARowBeforeTheTrailWasPerRunAreStillExplained() {
    org.springframework.jdbc.core.JdbcTemplate jdbc = new org.springframework.jdbc.core.JdbcTemplate(dataSource);
    String eventId = "v1-" + SERIES.incrementAndGet();
    long t = System.currentTimeMillis() - 60_000;
    String insert = "INSERT INTO notifier_trail (event_id, alert_key, tenant, policy_id, sequence, alert_status, step,"
        + " stage, status, reason, detail, recipient, channel, notification_id, at_ms)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    jdbc.update(insert, eventId, "k-" + eventId, T1, "pol-v1", 3, "FIRING", 0, "intake", "PASSED", null, null, null,
        null, null, t);
    jdbc.update(insert, eventId, "k-" + eventId, T1, "pol-v1", 3, "FIRING", 1, "dispatch", "SENT", null, null,
        "user:bob", "WEBHOOK", "n-v1", t + 1);
    JsonNode steps = explain(VigilTestInitializer.T1_OPERATOR_KEY, "eventId", eventId).path("steps");
    assertThat(steps).hasSize(2);
    assertThat(steps.get(0).path("stage").asString()).isEqualTo("intake");
    assertThat(steps.get(1).path("recipient").asString()).isEqualTo("user:bob");
    assertThat(steps.get(1).path("channel").asString()).isEqualTo("WEBHOOK");
    HttpResponse<String> newest = new Http(port).send(new Http(port).request("/v1/notifications/explain?eventId="
        + eventId + "&limit=1").header("Authorization", "Bearer " + VigilTestInitializer.T1_OPERATOR_KEY).GET().build());
    assertThat(Http.json(newest).path("steps")).hasSize(1);
    assertThat(Http.json(newest).path("steps").get(0).path("stage").asString()).isEqualTo("dispatch");
  }

  @Test
  void aFiringAlertReachesItsWebhookAndItsUserAndIsRecordedAndExplained() throws Exception {
    String policy = newPolicy(receivers(List.of("alice"), List.of("hook")));
    AlertEvent e = event(policy, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
        Map.of("appid", T1, "instance", "ins-1"));
    publish(e);
    Awaits.until("the webhook is called", () -> !hooks(e.alertKey()).isEmpty());
    Received hook = hooks(e.alertKey()).get(0);
    String hookId = AlertIds.notificationId(e.eventId(), "webhook:hook", "WEBHOOK");
    assertThat(hook.header("Idempotency-Key")).isEqualTo(hookId);
    assertThat(hook.header("X-Team")).isEqualTo("sre");
    byte[] raw = hook.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(WebhookSignature.verify(SECRET, hook.header("X-Vigil-Timestamp"), raw,
        hook.header("X-Vigil-Signature"))).isTrue();
    assertThat(WebhookSignature.verify("another-secret-0123456", hook.header("X-Vigil-Timestamp"), raw,
        hook.header("X-Vigil-Signature"))).isFalse();
    JsonNode body = Http.JSON.readTree(hook.body());
    assertThat(body.path("status").asString()).isEqualTo("FIRING");
    assertThat(body.path("dimensions").path("instance").asString()).isEqualTo("ins-1");
    assertThat(body.path("policyName").asString()).isEqualTo("cpu " + policy);

    String mailId = AlertIds.notificationId(e.eventId(), "user:alice", "EMAIL");
    Awaits.until("the e-mail arrives", () -> mailsTo("alice@example.test", mailId).size() == 1);
    MimeMessage mail = mailsTo("alice@example.test", mailId).get(0);
    assertThat(mail.getSubject()).contains("[FIRING]").contains("cpu " + policy);

    List<NotificationRecord> recs = records(e.alertKey(), 2);
    assertThat(recs).extracting(NotificationRecord::status).containsOnly(NotificationStatus.SENT);
    assertThat(recs).extracting(NotificationRecord::channel).containsExactlyInAnyOrder(Channel.WEBHOOK, Channel.EMAIL);
    assertThat(recs).extracting(NotificationRecord::notificationId).contains(hookId);

    Awaits.until("the trail is written", () -> explain(VigilTestInitializer.T1_OPERATOR_KEY, "eventId", e.eventId())
        .path("steps").size() >= 11);
    JsonNode steps = explain(VigilTestInitializer.T1_OPERATOR_KEY, "eventId", e.eventId()).path("steps");
    List<String> stages = new ArrayList<>();
    steps.forEach(s -> stages.add(s.path("stage").asString() + ":" + s.path("status").asString()));
    assertThat(stages).startsWith("intake:PASSED", "silence:PASSED", "frequency:PASSED", "convergence:PASSED",
        "limit:PASSED", "enrichment:PASSED", "routing:PASSED", "render:PASSED")
        .contains("dispatch:SENT");
    assertThat(explain(VigilTestInitializer.T2_OPERATOR_KEY, "eventId", e.eventId()).path("status").asInt())
        .as("another tenant's alert is not there").isEqualTo(404);

    // the same event again (a redelivery): nothing is sent twice
    publish(e);
    Awaits.until("the duplicate is on the trail", () -> explain(VigilTestInitializer.T1_OPERATOR_KEY, "eventId",
        e.eventId()).path("steps").toString().contains("DUPLICATE"));
    assertThat(hooks(e.alertKey())).hasSize(1);
    assertThat(mailsTo("alice@example.test", mailId)).hasSize(1);
  }

  @Test
  void aFiringEmailCarriesItsSeriesLastHourFromStorageAsAnInlineChart() throws Exception {
    String policy = newPolicy(receivers(List.of("alice"), List.of()));
    long series = SERIES.incrementAndGet();
    AlertEvent e = event(policy, T1, series, 1, AlertStatus.FIRING, Severity.WARNING,
        Map.of("appid", T1, "instance", "ins-chart"));
    StringBuilder points = new StringBuilder();
    for (int k = 0; k < 10; k++) {
      points.append(k == 0 ? "" : ",").append("{\"t\":").append(e.windowStartMs() - (9 - k) * 60_000L)
          .append(",\"v\":").append(50 + 5 * k).append("}");
    }
    SINK.bodyByPath.put("/v1/series/query", """
        {"period": 60, "statistic": "avg", "stepMs": 60000, "fromMs": 0, "toMs": 0, "truncated": false,
         "series": [{"seriesId": "%s", "namespace": "acme/vm", "metric": "cpu_usage", "region": "ap-guangzhou",
                     "dimensions": {"appid": "%s", "instance": "ins-chart"}, "points": [%s]}]}"""
        .formatted(io.vigil.common.series.SeriesId.hex(series), T1, points));
    publish(e);

    String mailId = AlertIds.notificationId(e.eventId(), "user:alice", "EMAIL");
    Awaits.until("the e-mail arrives", () -> mailsTo("alice@example.test", mailId).size() == 1);
    MimeMessage mail = mailsTo("alice@example.test", mailId).get(0);
    assertThat(mail.getContentType()).startsWith("multipart/");
    List<jakarta.mail.BodyPart> parts = new ArrayList<>();
    java.util.Deque<jakarta.mail.Multipart> open = new java.util.ArrayDeque<>();
    open.push((jakarta.mail.Multipart) mail.getContent());
    while (!open.isEmpty()) {
      jakarta.mail.Multipart m = open.pop();
      for (int i = 0; i < m.getCount(); i++) {
        if (m.getBodyPart(i).getContent() instanceof jakarta.mail.Multipart nested) {
          open.push(nested);
        } else {
          parts.add(m.getBodyPart(i));
        }
      }
    }
    jakarta.mail.BodyPart image = parts.stream().filter(p -> {
      try {
        return p.getContentType().startsWith("image/png");
      } catch (jakarta.mail.MessagingException ex) {
        return false;
      }
    }).findFirst().orElseThrow();
    assertThat(image.getHeader("Content-ID")[0]).isEqualTo("<vigil-chart>");
    assertThat(javax.imageio.ImageIO.read(image.getInputStream()).getWidth())
        .isEqualTo(io.vigil.notifier.render.ChartImage.WIDTH);
    assertThat(parts.stream().anyMatch(p -> {
      try {
        return p.getContentType().startsWith("text/html") && p.getContent().toString().contains("cid:vigil-chart");
      } catch (Exception ex) {
        return false;
      }
    })).as("the HTML names the image").isTrue();

    // one query for the alert's own series: its metric, the condition's statistic, its dimensions exactly
    List<Received> asked = SINK.at("/v1/series/query").stream()
        .filter(r -> r.body().contains("ins-chart")).toList();
    assertThat(asked).hasSize(1);
    JsonNode q = Http.JSON.readTree(asked.get(0).body());
    assertThat(q.path("metric").asString()).isEqualTo("cpu_usage");
    assertThat(q.path("statistic").asString()).isEqualTo("avg");
    assertThat(q.path("period").asInt()).isEqualTo(60);
    assertThat(q.path("toMs").asLong()).isEqualTo(e.windowStartMs() + 60_000);
    assertThat(q.path("filters").toString()).contains("\"Field\":\"instance\"").contains("\"Args\":\"ins-chart\"");
  }

  @Test
  void eventsOfOneAlertArriveInOrderWhileManyAlertsRunInParallel() {
    String policy = newPolicy(receivers(List.of(), List.of("order")));
    int alerts = 150;
    List<AlertEvent> firing = new ArrayList<>();
    List<AlertEvent> resolved = new ArrayList<>();
    for (int i = 0; i < alerts; i++) {
      long series = SERIES.incrementAndGet();
      Map<String, String> dims = Map.of("appid", T1, "instance", "ins-o" + i);
      firing.add(event(policy, T1, series, 1, AlertStatus.FIRING, Severity.WARNING, dims));
      resolved.add(event(policy, T1, series, 2, AlertStatus.RESOLVED, Severity.WARNING, dims));
    }
    // interleaved: each alert's RESOLVED follows its FIRING closely, with other alerts between
    for (int i = 0; i < alerts; i++) {
      publish(firing.get(i));
      if (i >= 3) {
        publish(resolved.get(i - 3));
      }
    }
    for (int i = alerts - 3; i < alerts; i++) {
      publish(resolved.get(i));
    }
    Awaits.until("every event is delivered", () -> SINK.at("/order").stream()
        .filter(r -> r.body().contains(policy)).count() >= 2L * alerts);
    Map<String, List<String>> byAlert = new HashMap<>();
    for (Received r : SINK.at("/order")) {
      JsonNode b = Http.JSON.readTree(r.body());
      if (b.path("policyId").asString().equals(policy)) {
        byAlert.computeIfAbsent(b.path("alertKey").asString(), k -> new ArrayList<>()).add(b.path("status").asString());
      }
    }
    assertThat(byAlert).hasSize(alerts);
    byAlert.forEach((key, statuses) -> assertThat(statuses).as(key).containsExactly("FIRING", "RESOLVED"));
  }

  @Test
  void aSilencedAlertIsRecordedWithTheSilenceThatMutedIt() {
    String policy = newPolicy(receivers(List.of(), List.of("hook")));
    String silence = "sil_" + Long.toHexString(System.nanoTime());
    long now = System.currentTimeMillis();
    put(EntityType.SILENCE, silence, T1, new Silence(List.of(new FilterSpec("Equal", "instance", "ins-quiet")),
        now - 60_000, now + 3_600_000, null, "maintenance"));
    AlertEvent muted = event(policy, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
        Map.of("appid", T1, "instance", "ins-quiet"));
    AlertEvent loud = event(policy, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
        Map.of("appid", T1, "instance", "ins-loud"));
    // the silence reaches the notifier through control.changes: retry until it is in force
    Awaits.until("the silence mutes", () -> {
      AlertEvent probe = event(policy, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
          Map.of("appid", T1, "instance", "ins-quiet"));
      publish(probe);
      List<NotificationRecord> r = records(probe.alertKey(), 1);
      return !r.isEmpty() && r.get(0).status() == NotificationStatus.SILENCED;
    });
    publish(muted);
    publish(loud);
    List<NotificationRecord> m = records(muted.alertKey(), 1);
    assertThat(m).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(NotificationStatus.SILENCED);
      assertThat(r.stage()).isEqualTo("silence");
      assertThat(r.recipient()).isNull();
    });
    Awaits.until("the loud alert is sent", () -> !hooks(loud.alertKey()).isEmpty());
    assertThat(hooks(muted.alertKey())).isEmpty();
    Awaits.until("the trail names the silence", () -> explain(VigilTestInitializer.T1_OPERATOR_KEY, "alertKey",
        muted.alertKey()).path("steps").toString().contains(silence));
  }

  @Test
  void anAlertIsInhibitedWhileItsSourceFiresOnTheSameHost() {
    String host = newPolicy(receivers(List.of(), List.of("hook")));
    String disk = newPolicy(receivers(List.of(), List.of("hook")));
    String rule = "inh_" + Long.toHexString(System.nanoTime());
    put(EntityType.INHIBITION_RULE, rule, T1, new InhibitionRule("host down mutes its disks",
        List.of(new FilterSpec("Equal", "policyId", host)), List.of(new FilterSpec("Equal", "policyId", disk)),
        List.of("host")));
    AlertEvent hostDown = event(host, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.CRITICAL,
        Map.of("appid", T1, "host", "h1"));
    publish(hostDown);
    Awaits.until("the host alert is sent", () -> !hooks(hostDown.alertKey()).isEmpty());
    Awaits.until("the disk alert of the same host is inhibited", () -> {
      AlertEvent probe = event(disk, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
          Map.of("appid", T1, "host", "h1"));
      publish(probe);
      List<NotificationRecord> r = records(probe.alertKey(), 1);
      return !r.isEmpty() && r.get(0).status() == NotificationStatus.INHIBITED;
    });
    AlertEvent otherHost = event(disk, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
        Map.of("appid", T1, "host", "h2"));
    publish(otherHost);
    Awaits.until("another host's disk alert is sent", () -> !hooks(otherHost.alertKey()).isEmpty());
  }

  @Test
  void aFailingChannelFallsBackToThePersonsNextOne() {
    SINK.statusByPath.put("/sms", 503);
    String policy = newPolicy(receivers(List.of("bob"), List.of()));
    AlertEvent e = event(policy, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
        Map.of("appid", T1, "instance", "ins-fb"));
    publish(e);
    List<NotificationRecord> recs = records(e.alertKey(), 1);
    assertThat(recs).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(NotificationStatus.SENT);
      assertThat(r.channel()).isEqualTo(Channel.EMAIL);
      assertThat(r.fellBackFrom()).isEqualTo(Channel.SMS);
      assertThat(r.recipient()).isEqualTo("user:bob");
    });
    String smsId = AlertIds.notificationId(e.eventId(), "user:bob", "SMS");
    List<Received> sms = SINK.at("/sms").stream().filter(r -> r.body().contains(smsId)).toList();
    assertThat(sms).as("the SMS was tried, and retried once (max-attempts 2)").hasSize(2);
    assertThat(sms.get(0).header("Authorization")).isEqualTo("Bearer test-sms-key");
    String mailId = AlertIds.notificationId(e.eventId(), "user:bob", "EMAIL");
    Awaits.until("the e-mail arrives", () -> mailsTo("bob@example.test", mailId).size() == 1);
  }

  @Test
  void aWebhookResolvingToAPrivateAddressIsRefusedAtSendAndNoOneIsAPolicyWithoutReceivers() {
    String policy = newPolicy(receivers(List.of(), List.of("internal")));
    AlertEvent e = event(policy, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
        Map.of("appid", T1, "instance", "ins-ssrf"));
    publish(e);
    assertThat(records(e.alertKey(), 1)).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(NotificationStatus.SEND_FAILED);
      assertThat(r.reason()).isEqualTo("url_refused");
      assertThat(r.attempts()).isLessThanOrEqualTo(1);
    });

    String nobody = newPolicy(receivers(List.of("no-such-user"), List.of()));
    AlertEvent lonely = event(nobody, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
        Map.of("appid", T1));
    publish(lonely);
    assertThat(records(lonely.alertKey(), 1)).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(NotificationStatus.NO_RECEIVER);
      assertThat(r.stage()).isEqualTo("routing");
    });
  }

  @Test
  void aTestNotificationGoesThroughTheRealRenderAndDispatch() {
    HttpResponse<String> hook = testSend(VigilTestInitializer.T1_OPERATOR_KEY,
        "{\"tenant\": \"t1\", \"webhook\": \"hook\"}");
    assertThat(hook.statusCode()).isEqualTo(200);
    JsonNode answer = Http.json(hook);
    assertThat(answer.path("status").asString()).isEqualTo("SENT");
    String key = answer.path("alertKey").asString();
    assertThat(hooks(key)).singleElement().satisfies(r -> assertThat(r.body()).contains("test notification"));

    JsonNode mail = Http.json(testSend(VigilTestInitializer.T1_OPERATOR_KEY,
        "{\"tenant\": \"t1\", \"user\": \"bob\", \"channel\": \"EMAIL\"}"));
    assertThat(mail.path("status").asString()).isEqualTo("SENT");
    String mailId = mail.path("deliveries").get(0).path("notificationId").asString();
    Awaits.until("the test e-mail arrives", () -> mailsTo("bob@example.test", mailId).size() == 1);

    JsonNode refused = Http.json(testSend(VigilTestInitializer.T1_OPERATOR_KEY,
        "{\"tenant\": \"t1\", \"webhook\": \"internal\"}"));
    assertThat(refused.path("status").asString()).isEqualTo("SEND_FAILED");
    assertThat(refused.path("reason").asString()).isEqualTo("url_refused");

    assertThat(testSend(VigilTestInitializer.T2_OPERATOR_KEY, "{\"tenant\": \"t1\", \"webhook\": \"hook\"}")
        .statusCode()).isEqualTo(404);
    assertThat(testSend(VigilTestInitializer.T1_VIEWER_KEY, "{\"tenant\": \"t1\", \"webhook\": \"hook\"}")
        .statusCode()).isEqualTo(403);
    HttpResponse<String> two = testSend(VigilTestInitializer.T1_OPERATOR_KEY,
        "{\"tenant\": \"t1\", \"webhook\": \"hook\", \"user\": \"bob\"}");
    assertThat(two.statusCode()).isEqualTo(400);
    assertThat(testSend(VigilTestInitializer.T1_OPERATOR_KEY, "{\"tenant\": \"t1\", \"webhook\": \"nope\"}")
        .statusCode()).isEqualTo(404);
  }

  HttpResponse<String> testSend(String key, String body) {
    Http http = new Http(port);
    return http.send(http.request("/v1/notifications/test").header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  @Test
  void messagesCarryTheCmdbsInstanceAndGoOutFlaggedWithoutItWhenTheCmdbFails() throws Exception {
    String policy = newPolicy(receivers(List.of(), List.of("hook")));
    AlertEvent rich = event(policy, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
        Map.of("appid", T1, "instance", "ins-rich"));
    publish(rich);
    Awaits.until("the enriched message", () -> !hooks(rich.alertKey()).isEmpty());
    JsonNode body = Http.JSON.readTree(hooks(rich.alertKey()).get(0).body());
    assertThat(body.path("instance").path("name").asString()).isEqualTo("web-01");
    assertThat(body.path("instance").path("owner").asString()).isEqualTo("ann");
    assertThat(body.path("instance").path("tags").path("team").asString()).isEqualTo("shop");
    assertThat(body.path("enrichmentDegraded").asBoolean()).isFalse();
    assertThat(SINK.at("/v1/instances/lookup")).isNotEmpty();

    SINK.statusByPath.put("/v1/instances/lookup", 503);
    try {
      AlertEvent poor = event(policy, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
          Map.of("appid", T1, "instance", "ins-unknown-now"));
      publish(poor);
      assertThat(records(poor.alertKey(), 1)).singleElement().satisfies(r -> {
        assertThat(r.status()).isEqualTo(NotificationStatus.SENT);
        assertThat(r.enrichmentDegraded()).isTrue();
      });
      JsonNode sent = Http.JSON.readTree(hooks(poor.alertKey()).get(0).body());
      assertThat(sent.path("enrichmentDegraded").asBoolean()).isTrue();
      assertThat(sent.path("instance").path("id").asString()).isEqualTo("ins-unknown-now");
    } finally {
      SINK.statusByPath.remove("/v1/instances/lookup");
    }
  }

  /**
   * A real Prometheus (the OS package) fires a rule at the notifier's Alertmanager v2 API every
   * second: one FIRING notification however often it is re-sent; Prometheus stopped, the alert's
   * endsAt passes without a refresh and it resolves, once.
   */
  @Test
  void aRealPrometheusFiresAtTheAlertmanagerApiAndItsStopResolvesOnce() throws Exception {
    java.nio.file.Path binary = java.nio.file.Path.of("/usr/bin/prometheus");
    assertThat(binary).as("the OS package prometheus (bin/test installs it)").isExecutable();
    String policy = newPolicy(receivers(List.of(), List.of("hook")));
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("vigil-prometheus");
    java.nio.file.Files.writeString(dir.resolve("rules.yml"), """
        groups:
        - name: vigil
          interval: 1s
          rules:
          - alert: CheckoutOnFire
            expr: vector(1)
            labels: {severity: critical, vigil_policy: %s, service: checkout}
            annotations: {summary: "checkout is on fire"}
        """.formatted(policy));
    java.nio.file.Files.writeString(dir.resolve("prometheus.yml"), """
        global:
          evaluation_interval: 1s
        rule_files: [rules.yml]
        alerting:
          alertmanagers:
          - api_version: v2
            static_configs: [{targets: ["127.0.0.1:%d"]}]
            authorization: {credentials: "%s"}
        """.formatted(port, VigilTestInitializer.T1_OPERATOR_KEY));
    Process prometheus = new ProcessBuilder(binary.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:0",
        "--rules.alert.resend-delay=1s").redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile())
        .start();
    try {
      Awaits.until("the FIRING notification", () -> byPolicy(policy, "FIRING") == 1);
      JsonNode fired = Http.JSON.readTree(SINK.at("/hook").stream().filter(r -> r.body().contains(policy))
          .findFirst().orElseThrow().body());
      assertThat(fired.path("tenant").asString()).isEqualTo(T1);
      assertThat(fired.path("severity").asString()).isEqualTo("CRITICAL");
      assertThat(fired.path("metric").asString()).isEqualTo("CheckoutOnFire");
      assertThat(fired.path("summary").asString()).isEqualTo("checkout is on fire");
      assertThat(fired.path("dimensions").path("service").asString()).isEqualTo("checkout");
      Thread.sleep(3000); // three more evaluations, each re-sent
      assertThat(byPolicy(policy, "FIRING")).as("a refresh stays one alert").isEqualTo(1);
    } finally {
      prometheus.destroy();
      prometheus.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    Awaits.until("the RESOLVED notification after endsAt passed", () -> byPolicy(policy, "RESOLVED") == 1);
    Thread.sleep(1500);
    assertThat(byPolicy(policy, "RESOLVED")).isEqualTo(1);
    assertThat(byPolicy(policy, "FIRING")).isEqualTo(1);
  }

  static long byPolicy(String policy, String status) {
    return SINK.at("/hook").stream().map(r -> Http.JSON.readTree(r.body()))
        .filter(b -> b.path("policyId").asString().equals(policy) && b.path("status").asString().equals(status))
        .count();
  }

  @Test
  void explainNeedsExactlyOneKey() {
    HttpResponse<String> r = new Http(port).send(new Http(port).request("/v1/notifications/explain")
        .header("Authorization", "Bearer " + VigilTestInitializer.T1_OPERATOR_KEY).GET().build());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct)
        .contains("problem+json"));
  }

  /**
   * Every route of /v3/api-docs is documented with its problem responses (and a request schema where
   * it takes a JSON body) and driven from the document with bad input: always a 4xx, never a 5xx; a
   * problem+json everywhere but the acknowledgement-link pages, which answer people in HTML.
   */
  @Test
  void everyRouteIsDocumentedAndNoBadInputMakesA5xx() {
    Http http = new Http(port);
    JsonNode paths = Http.json(http.get("/v3/api-docs")).path("paths");
    List<String> documented = new ArrayList<>(paths.propertyNames());
    assertThat(documented).contains("/v1/notifications/explain", "/v1/alerts/ack", "/v1/ack-links/{token}",
        "/v1/notifications/test", "/api/v2/alerts");
    List<String> failures = new ArrayList<>();
    String[] junk = {"x", "-1", "99999999999999999999", "1e400", "[]", "a=b=c", "%E4%B8%AD", "a.b", "..."};
    String[] bodies = {"", "{}", "[]", "null", "{\"alertKey\":7}", "{\"alertKey\":\"\"}", "{\"tenant\":\"t1\"}",
        "{\"tenant\":\"t1\",\"user\":\"bob\",\"channel\":\"FAX\"}", "{\"tenant\":[],\"bot\":\"x\"}",
        "{\"alertKey\":\"p:s:0000000000000001\",\"comment\":[]}", "{\"alertKey\":\"no:such:alert\"}"};
    for (String template : documented) {
      if (!template.startsWith("/v1/") && !template.startsWith("/api/")) {
        continue;
      }
      boolean html = template.startsWith("/v1/ack-links/");
      for (String method : paths.path(template).propertyNames()) {
        JsonNode op = paths.path(template).path(method);
        assertThat(op.path("responses").has("400")).as("problem responses of %s %s", method, template).isTrue();
        List<String> concrete = new ArrayList<>();
        if (template.contains("{")) {
          for (String j : junk) {
            concrete.add(template.replaceAll("\\{[a-zA-Z]+}", j));
          }
        } else {
          concrete.add(template);
        }
        for (String path : concrete) {
          if (method.equals("post") && !html) {
            assertThat(op.path("requestBody").path("content").path("application/json").path("schema").isMissingNode())
                .as("request schema of %s %s", method, template).isFalse();
            for (String body : bodies) {
              check(failures, method + " " + path, body, fuzz(http, method, path, body), html);
            }
          } else {
            for (JsonNode p : op.path("parameters")) {
              if (p.path("in").asString().equals("path")) {
                continue;
              }
              for (String v : junk) {
                String q = path + "?" + p.path("name").asString() + "="
                    + java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8);
                check(failures, method + " " + q, "", fuzz(http, method, q, null), html);
              }
            }
            check(failures, method + " " + path, "", fuzz(http, method, path, null), html);
          }
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  private static HttpResponse<String> fuzz(Http http, String method, String path, String body) {
    HttpRequest.Builder b;
    try {
      b = http.request(path);
    } catch (IllegalArgumentException e) {
      return null; // not even a URI: nothing a client could send
    }
    b.header("Authorization", "Bearer " + VigilTestInitializer.T1_OPERATOR_KEY);
    if (body == null) {
      b.method(method.toUpperCase(), HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method.toUpperCase(),
          HttpRequest.BodyPublishers.ofString(body));
    }
    return http.send(b.build());
  }

  private static void check(List<String> failures, String what, String body, HttpResponse<String> r, boolean html) {
    if (r == null) {
      return;
    }
    if (r.statusCode() >= 500 || r.statusCode() < 400) {
      failures.add(what + " " + body + " -> " + r.statusCode() + " " + r.body());
    } else if (!html && !r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
      failures.add(what + " " + body + " -> " + r.statusCode() + " not problem+json");
    }
  }

  static List<Received> hooks(String alertKey) {
    return SINK.at("/hook").stream().filter(r -> r.body().contains(alertKey)).toList();
  }

  /** E-mails to an address carrying a notification id (the header the e-mail sender sets). */
  static List<MimeMessage> mailsTo(String address, String notificationId) {
    List<MimeMessage> out = new ArrayList<>();
    for (MimeMessage m : SMTP.getReceivedMessages()) {
      try {
        String[] ids = m.getHeader("X-Vigil-Notification-Id");
        if (m.getAllRecipients()[0].toString().equals(address) && ids != null && ids[0].equals(notificationId)) {
          out.add(m);
        }
      } catch (jakarta.mail.MessagingException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }
}
