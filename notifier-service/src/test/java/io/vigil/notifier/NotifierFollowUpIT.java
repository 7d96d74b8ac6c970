package io.vigil.notifier;

import static io.vigil.notifier.NotifierFixtures.event;
import static io.vigil.notifier.NotifierFixtures.publish;
import static io.vigil.notifier.NotifierFixtures.put;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ControlJson;
import io.vigil.common.control.Webhook;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.common.model.AlertEvent.Severity;
import io.vigil.common.model.ControlChange.EntityType;
import io.vigil.common.model.NotificationRecord;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.VigilTestInitializer;
import io.vigil.notifier.NotifierFixtures.Received;
import io.vigil.notifier.NotifierFixtures.Sink;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * What the notifier does while an alert stays open, on a clock the test moves: repeats at the
 * policy's interval, escalation levels, acknowledgement by API and by the link in the message (which
 * stops both), and the frequency stage holding back a FIRING the detector sends again.
 */
// its notifier stops with the class: another context of this run would otherwise judge the same events
@org.springframework.test.annotation.DirtiesContext
@VigilServiceTest
@Import(NotifierFollowUpIT.MovableClock.class)
class NotifierFollowUpIT {

  static final String T1 = "t1";
  static final Sink SINK;
  static final AtomicLong SERIES = new AtomicLong(System.nanoTime() & 0xffffffffL | 0x100000000L);

  static {
    try {
      SINK = new Sink();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A clock the test moves forward; everything the notifier times reads it. */
  @TestConfiguration
  static class MovableClock {
    static final AtomicLong OFFSET = new AtomicLong();

    @Bean
    @Primary
    Clock movableClock() {
      return new Clock() {
        @Override
        public ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return Instant.ofEpochMilli(millis());
        }

        @Override
        public long millis() {
          return System.currentTimeMillis() + OFFSET.get();
        }
      };
    }
  }

  static void advance(Duration d) {
    MovableClock.OFFSET.addAndGet(d.toMillis());
  }

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry r) {
    r.add("vigil.outbound.allow-http", () -> "true");
    r.add("vigil.outbound.allowed-cidrs", () -> "127.0.0.1/32");
    r.add("vigil.notifier.timer-tick", () -> "200ms");
    r.add("vigil.kafka.pattern-refresh", () -> "1s");
    r.add("vigil.notifier.ack-base-url", () -> "http://vigil.example.test/notifier");
    // small caps, so a storm is a few events (no test here sends more than 3 of one policy otherwise)
    r.add("vigil.notifier.policy-cap", () -> "5");
    r.add("vigil.notifier.tenant-cap", () -> "1000");
  }

  @LocalServerPort
  int port;

  @org.springframework.beans.factory.annotation.Autowired
  io.vigil.common.kafka.VigilPublisher publisher;

  @BeforeAll
  static void receivers() {
    for (String hook : List.of("first", "level1", "level2")) {
      put(EntityType.WEBHOOK, "fu-" + hook, T1, new Webhook("fu-" + hook, SINK.url("/" + hook), null, null));
    }
  }

  @AfterAll
  static void stop() {
    SINK.close();
  }

  static String newPolicy(String notification) {
    String id = "pol_F" + Long.toHexString(System.nanoTime()).toUpperCase();
    put(EntityType.POLICY, id, T1, ControlJson.read("""
        {"name": "%s", "namespace": "acme/vm",
         "conditions": [{"metric": "cpu_usage", "period": 60, "operator": "GT", "threshold": 90}],
         "receivers": {"webhooks": ["fu-first"]}, "notification": %s}""".formatted(id, notification),
        AlertPolicy.class).withDefaults());
    return id;
  }

  static List<JsonNode> calls(String path, String alertKey) {
    return SINK.at(path).stream().map(Received::body).filter(b -> b.contains(alertKey)).map(Http.JSON::readTree)
        .toList();
  }

  static List<NotificationRecord> records(String alertKey, java.util.function.Predicate<NotificationRecord> wanted,
      int count) {
    MessageCodec codec = new MessageCodec();
    return TestKafka.awaitMatching("notify.records", r -> {
      NotificationRecord n = codec.decode(r.value(), NotificationRecord.class);
      return n.alertKey().equals(alertKey) && wanted.test(n);
    }, count, Duration.ofSeconds(20)).stream().map(r -> codec.decode(r.value(), NotificationRecord.class)).toList();
  }

  @Test
  void aTenMinuteBreachWithAFiveMinuteRepeatIntervalGivesOneNotificationAndTwoRepeats() throws Exception {
    String policy = newPolicy("{\"repeatIntervalSec\": 300}");
    long series = SERIES.incrementAndGet();
    Map<String, String> dims = Map.of("appid", T1, "instance", "ins-rep");
    AlertEvent firing = event(policy, T1, series, 1, AlertStatus.FIRING, Severity.WARNING, dims);
    publish(firing);
    Awaits.until("the first notification", () -> calls("/first", firing.alertKey()).size() == 1);
    assertThat(calls("/first", firing.alertKey()).get(0).path("repeat").asString()).isEqualTo("0");

    // the series goes on: the notifier's rollup consumer keeps its recent windows for the repeat
    publisher.declare(io.vigil.common.kafka.Topics.rollup("default"));
    long w = (System.currentTimeMillis() / 60_000) * 60_000;
    for (int i = 0; i < 3; i++) {
      double v = 95 + i;
      publisher.publish(io.vigil.common.kafka.Topics.rollup("default"), new io.vigil.common.model.Rollup(1, series,
          "acme/vm", "ap-guangzhou", "cpu_usage", dims, "default", 60, w + i * 60_000L, v * 2, 2, v - 1, v + 1, v,
          System.currentTimeMillis(), T1)).get();
    }
    advance(Duration.ofMinutes(5));
    Awaits.until("the first repeat", () -> calls("/first", firing.alertKey()).size() == 2);
    advance(Duration.ofMinutes(5));
    Awaits.until("the second repeat", () -> calls("/first", firing.alertKey()).size() == 3);
    assertThat(calls("/first", firing.alertKey())).extracting(b -> b.path("repeat").asString())
        .containsExactly("0", "1", "2");
    JsonNode second = calls("/first", firing.alertKey()).get(2);
    assertThat(second.path("value").asString()).as("the value now, the latest window's avg").isEqualTo("97");
    assertThat(second.path("sparkline").asString()).hasSize(3);

    publish(event(policy, T1, series, 2, AlertStatus.RESOLVED, Severity.WARNING, dims));
    Awaits.until("the resolution", () -> calls("/first", firing.alertKey()).size() == 4);
    advance(Duration.ofMinutes(6));
    Thread.sleep(1500); // several timer ticks: no repeat of a resolved alert
    List<JsonNode> all = calls("/first", firing.alertKey());
    assertThat(all).extracting(b -> b.path("status").asString())
        .containsExactly("FIRING", "FIRING", "FIRING", "RESOLVED");
    assertThat(records(firing.alertKey(), r -> r.status() == NotificationStatus.SENT, 4))
        .extracting(NotificationRecord::repeat).containsExactlyInAnyOrder(0, 1, 2, 0);
  }

  @Test
  void anUnacknowledgedAlertEscalatesAndItsLinkStopsTheNextLevel() throws Exception {
    String policy = newPolicy("""
        {"repeatIntervalSec": 86400, "escalations": [
           {"afterSec": 120, "receivers": {"webhooks": ["fu-level1"]}},
           {"afterSec": 600, "receivers": {"webhooks": ["fu-level2"]}}]}""");
    AlertEvent firing = event(policy, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.CRITICAL,
        Map.of("appid", T1, "instance", "ins-esc"));
    publish(firing);
    Awaits.until("the first notification", () -> calls("/first", firing.alertKey()).size() == 1);
    String ackUrl = calls("/first", firing.alertKey()).get(0).path("ackUrl").asString();
    assertThat(ackUrl).startsWith("http://vigil.example.test/notifier/v1/ack-links/");

    advance(Duration.ofMinutes(2));
    Awaits.until("the first escalation", () -> calls("/level1", firing.alertKey()).size() == 1);
    assertThat(calls("/level1", firing.alertKey()).get(0).path("escalationLevel").asString()).isEqualTo("1");
    assertThat(records(firing.alertKey(), r -> r.escalationLevel() == 1, 1)).singleElement()
        .satisfies(r -> assertThat(r.recipient()).isEqualTo("webhook:fu-level1"));

    // the on-call engineer follows the link: the page asks, the button acknowledges
    String path = ackUrl.substring(ackUrl.indexOf("/v1/ack-links/"));
    Http http = new Http(port);
    HttpResponse<String> page = http.send(http.request(path).GET().build());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<form method=\"post\"");
    assertThat(calls("/level2", firing.alertKey())).as("opening the page acknowledges nothing").isEmpty();
    HttpResponse<String> done = http.send(http.request(path).POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.body()).contains("Acknowledged");
    assertThat(records(firing.alertKey(), r -> r.status() == NotificationStatus.ACKNOWLEDGED, 1)).singleElement()
        .satisfies(r -> assertThat(r.recipient()).isEqualTo("webhook:fu-first"));

    advance(Duration.ofMinutes(10));
    Thread.sleep(1500);
    assertThat(calls("/level2", firing.alertKey())).as("no escalation after the acknowledgement").isEmpty();

    // the detector sends FIRING again (the policy was edited): the acknowledged episode stays quiet
    publish(event(policy, T1, firing.seriesId(), 2, AlertStatus.FIRING, Severity.CRITICAL,
        Map.of("appid", T1, "instance", "ins-esc")));
    assertThat(records(firing.alertKey(), r -> r.status() == NotificationStatus.SUPPRESSED_FREQUENCY, 1))
        .singleElement().satisfies(r -> assertThat(r.reason()).isEqualTo("acknowledged"));
    HttpResponse<String> forged = http.send(http.request(path.substring(0, path.length() - 3) + "xyz")
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(forged.statusCode()).isEqualTo(404);
  }

  @Test
  void operatorsAcknowledgeByApiWithinTheirTenantAndRole() {
    String policy = newPolicy("{\"repeatIntervalSec\": 3600}");
    AlertEvent firing = event(policy, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
        Map.of("appid", T1, "instance", "ins-api"));
    publish(firing);
    Awaits.until("the first notification", () -> calls("/first", firing.alertKey()).size() == 1);
    String body = "{\"alertKey\": \"" + firing.alertKey() + "\", \"comment\": \"looking\"}";
    assertThat(ack(VigilTestInitializer.T2_OPERATOR_KEY, body).statusCode()).as("another tenant's").isEqualTo(404);
    assertThat(ack(VigilTestInitializer.T1_VIEWER_KEY, body).statusCode()).as("a viewer").isEqualTo(403);
    HttpResponse<String> ok = ack(VigilTestInitializer.T1_OPERATOR_KEY, body);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(Http.json(ok).path("result").asString()).isEqualTo("ACKNOWLEDGED");
    HttpResponse<String> again = ack(VigilTestInitializer.T1_OPERATOR_KEY, body);
    assertThat(Http.json(again).path("result").asString()).isEqualTo("ALREADY_ACKNOWLEDGED");
    assertThat(Http.json(again).path("ackBy").asString()).isEqualTo("t1-operator");
    HttpResponse<String> bad = ack(VigilTestInitializer.T1_OPERATOR_KEY, "{\"comment\": \"no key\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(Http.json(bad).path("field").asString()).isEqualTo("alertKey");
  }

  @Test
  void pastItsCapAPolicySendsOneSummaryAndHoldsTheRestBackAsLimited() {
    String policy = newPolicy("{\"repeatIntervalSec\": 86400}");
    List<AlertEvent> storm = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      storm.add(event(policy, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
          Map.of("appid", T1, "instance", "ins-storm-" + i)));
    }
    storm.forEach(NotifierFixtures::publish);
    MessageCodec codec = new MessageCodec();
    List<NotificationRecord> recs = TestKafka.awaitMatching("notify.records",
        r -> codec.decode(r.value(), NotificationRecord.class).policyId().equals(policy), 8, Duration.ofSeconds(20))
        .stream().map(r -> codec.decode(r.value(), NotificationRecord.class)).toList();
    assertThat(recs).extracting(NotificationRecord::status).filteredOn(st -> st == NotificationStatus.SENT).hasSize(6);
    assertThat(recs).filteredOn(r -> r.status() == NotificationStatus.LIMITED).hasSize(2)
        .allSatisfy(r -> assertThat(r.reason()).isEqualTo("policy_cap"));
    List<JsonNode> sent = SINK.at("/first").stream().map(Received::body).filter(b -> b.contains(policy))
        .map(Http.JSON::readTree).toList();
    assertThat(sent).hasSize(6);
    assertThat(sent).filteredOn(b -> !b.path("limitNote").asString().isEmpty()).as("one summary").hasSize(1);

    // the end of an alert no one was told of is held back the same way
    NotificationRecord limited = recs.stream().filter(r -> r.status() == NotificationStatus.LIMITED).findFirst()
        .orElseThrow();
    AlertEvent first = storm.stream().filter(e -> e.alertKey().equals(limited.alertKey())).findFirst().orElseThrow();
    publish(event(policy, T1, first.seriesId(), 2, AlertStatus.RESOLVED, Severity.WARNING, first.dimensions()));
    assertThat(records(first.alertKey(), r -> r.alertStatus() == AlertStatus.RESOLVED, 1)).singleElement()
        .satisfies(r -> {
          assertThat(r.status()).isEqualTo(NotificationStatus.LIMITED);
          assertThat(r.reason()).isEqualTo("episode_muted");
        });
  }

  @Test
  void aStormOfOnePolicyConvergesIntoAMessagePerGroupAndThenOnlyWhatChanged() throws Exception {
    String policy = newPolicy("""
        {"repeatIntervalSec": 86400, "groupBy": ["cluster"], "groupWaitSec": 30, "groupIntervalSec": 60}""");
    List<AlertEvent> c1 = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      c1.add(event(policy, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
          Map.of("appid", T1, "cluster", "c1", "instance", "ins-c1-" + i)));
    }
    List<AlertEvent> c2 = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      c2.add(event(policy, T1, SERIES.incrementAndGet(), 1, AlertStatus.FIRING, Severity.WARNING,
          Map.of("appid", T1, "cluster", "c2", "instance", "ins-c2-" + i)));
    }
    c1.forEach(NotifierFixtures::publish);
    c2.forEach(NotifierFixtures::publish);
    MessageCodec codec = new MessageCodec();
    List<NotificationRecord> converged = TestKafka.awaitMatching("notify.records", r -> {
      NotificationRecord n = codec.decode(r.value(), NotificationRecord.class);
      return n.policyId().equals(policy) && n.status() == NotificationStatus.CONVERGED;
    }, 50, Duration.ofSeconds(20)).stream().map(r -> codec.decode(r.value(), NotificationRecord.class)).toList();
    assertThat(converged).hasSize(50);
    assertThat(converged).extracting(NotificationRecord::groupKey).doesNotContainNull().hasSize(50);
    assertThat(converged.stream().map(NotificationRecord::groupKey).distinct()).hasSize(2);
    assertThat(groupMessages(policy)).as("the group wait holds them").isEmpty();

    advance(Duration.ofSeconds(31));
    Awaits.until("a message per group", () -> groupMessages(policy).size() == 2);
    JsonNode big = groupMessages(policy).stream().filter(b -> b.path("groupText").asString().equals("cluster=c1"))
        .findFirst().orElseThrow();
    assertThat(big.path("alertCount").asString()).isEqualTo("40");
    assertThat(big.path("alerts").size()).as("examples").isEqualTo(10);
    assertThat(big.path("moreAlerts").asString()).isEqualTo("30");
    assertThat(big.path("summary").asString()).contains("40 alerts").contains("40 firing");

    for (int i = 0; i < 5; i++) {
      AlertEvent e = c1.get(i);
      publish(event(policy, T1, e.seriesId(), 2, AlertStatus.RESOLVED, Severity.WARNING, e.dimensions()));
    }
    TestKafka.awaitMatching("notify.records", r -> {
      NotificationRecord n = codec.decode(r.value(), NotificationRecord.class);
      return n.policyId().equals(policy) && n.alertStatus() == AlertStatus.RESOLVED;
    }, 5, Duration.ofSeconds(20));
    advance(Duration.ofSeconds(61));
    Awaits.until("the group interval's message with what changed", () -> groupMessages(policy).size() == 3);
    JsonNode change = groupMessages(policy).get(2);
    assertThat(change.path("groupText").asString()).isEqualTo("cluster=c1");
    assertThat(change.path("alertCount").asString()).isEqualTo("5");
    assertThat(change.path("resolvedCount").asString()).isEqualTo("5");
    assertThat(change.path("firingCount").asString()).isEqualTo("35");
    advance(Duration.ofSeconds(61));
    Thread.sleep(1500); // several timer ticks
    assertThat(groupMessages(policy)).as("no further message while nothing changes").hasSize(3);
  }

  static List<JsonNode> groupMessages(String policy) {
    return SINK.at("/first").stream().map(Received::body).filter(b -> b.contains(policy))
        .map(Http.JSON::readTree).filter(b -> b.path("grouped").asBoolean()).toList();
  }

  HttpResponse<String> ack(String key, String body) {
    Http http = new Http(port);
    return http.send(http.request("/v1/alerts/ack").header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }
}
