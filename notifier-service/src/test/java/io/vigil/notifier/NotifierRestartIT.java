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
import io.vigil.common.testing.VigilTestInitializer;
import io.vigil.common.testing.fault.ChildJvm;
import io.vigil.notifier.NotifierFixtures.Received;
import io.vigil.notifier.NotifierFixtures.Sink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The notifier SIGKILLed mid-flight and replaced (child JVMs, the same consumer group): nothing
 * accepted is lost, nothing is doubled (every alert reaches its receiver under one notification id;
 * a delivery cut off by the kill may come again under the same id, which the receiver deduplicates),
 * and a convergence group in its group wait still goes out exactly once.
 */
class NotifierRestartIT {

  static final String T1 = "t1";
  static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void aKillMidFlightLosesNothingDoublesNothingAndAGroupInItsWaitGoesOutOnce() throws Exception {
    VigilTestInitializer.migrateControlSchema(VigilTestInitializer.controlDatabase("notifier"));
    try (Sink sink = new Sink()) {
      sink.delayByPath.put("/slow", 150L);
      String suffix = Long.toHexString(System.nanoTime());
      put(EntityType.WEBHOOK, "rs-slow-" + suffix, T1, new Webhook("slow", sink.url("/slow"), null, null));
      put(EntityType.WEBHOOK, "rs-group-" + suffix, T1, new Webhook("group", sink.url("/group"), null, null));
      String plain = policy("plain-" + suffix, "rs-slow-" + suffix, "{}");
      String grouped = policy("grouped-" + suffix, "rs-group-" + suffix,
          "{\"groupBy\": [\"cluster\"], \"groupWaitSec\": 6, \"groupIntervalSec\": 60}");
      List<String> args = List.of("--vigil.outbound.allow-http=true", "--vigil.outbound.allowed-cidrs=127.0.0.1/32",
          "--vigil.notifier.timer-tick=200ms", "--vigil.notifier.timer-lease=3s",
          "--vigil.kafka.group-suffix=-restart-" + suffix,
          "--spring.kafka.consumer.properties.session.timeout.ms=6000",
          "--spring.kafka.consumer.properties.heartbeat.interval.ms=1000");
      ChildJvm.Service a = ChildJvm.startService("notifier", NotifierApplication.class.getName(), args);
      ChildJvm.Service b = null;
      try {
        ready(a);
        long base = System.nanoTime() & 0xffffffL;
        List<AlertEvent> slow = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
          slow.add(event(plain, T1, (base << 20) + i + 1, 1, AlertStatus.FIRING, Severity.WARNING,
              Map.of("appid", T1, "instance", "ins-r" + i)));
        }
        List<AlertEvent> storm = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          storm.add(event(grouped, T1, (base << 20) + 1000 + i, 1, AlertStatus.FIRING, Severity.WARNING,
              Map.of("appid", T1, "cluster", "c1", "instance", "ins-g" + i)));
        }
        storm.forEach(NotifierFixtures::publish);
        slow.forEach(NotifierFixtures::publish);
        MessageCodec codec = new MessageCodec();
        List<?> converged = TestKafka.awaitMatching("notify.records", r -> {
          NotificationRecord n = codec.decode(r.value(), NotificationRecord.class);
          return grouped.equals(n.policyId()) && n.status() == NotificationStatus.CONVERGED;
        }, 20, WAIT);
        assertThat(converged).as("every member durable in its group").hasSize(20);
        Awaits.until("some of the slow deliveries are made", WAIT, () -> sink.at("/slow").size() >= 10);
        assertThat(sink.at("/group")).as("still in its group wait").isEmpty();
        a.jvm().kill();

        b = ChildJvm.startService("notifier", NotifierApplication.class.getName(), args);
        ready(b);
        Awaits.until("every alert delivered", WAIT, () -> keysAt(sink, "/slow").size() == 80);
        Awaits.until("the group's message", WAIT, () -> sink.at("/group").size() >= 1);
        Thread.sleep(3000); // a doubled message would show by now: the lease is 3 s, the tick 200 ms
        List<Received> group = sink.at("/group");
        assertThat(group).as("exactly one grouped notification").hasSize(1);
        assertThat(Http.JSON.readTree(group.get(0).body()).path("alertCount").asString()).isEqualTo("20");

        Map<String, Set<String>> idsByAlert = new HashMap<>();
        for (Received r : sink.at("/slow")) {
          JsonNode body = Http.JSON.readTree(r.body());
          idsByAlert.computeIfAbsent(body.path("alertKey").asString(), k -> new HashSet<>())
              .add(r.header("Idempotency-Key"));
        }
        assertThat(idsByAlert).hasSize(80);
        assertThat(idsByAlert.values()).as("one notification id per alert, recipient and channel")
            .allSatisfy(ids -> assertThat(ids).hasSize(1));
      } finally {
        a.close();
        if (b != null) {
          b.close();
        }
      }
    }
  }

  private static Set<String> keysAt(Sink sink, String path) {
    Set<String> keys = new HashSet<>();
    for (Received r : sink.at(path)) {
      keys.add(Http.JSON.readTree(r.body()).path("alertKey").asString());
    }
    return keys;
  }

  private static String policy(String name, String webhook, String notification) {
    String id = "pol_R" + Long.toHexString(System.nanoTime()).toUpperCase();
    put(EntityType.POLICY, id, T1, ControlJson.read("""
        {"name": "%s", "namespace": "acme/vm",
         "conditions": [{"metric": "cpu_usage", "period": 60, "operator": "GT", "threshold": 90}],
         "receivers": {"webhooks": ["%s"]}, "notification": %s}""".formatted(name, webhook, notification),
        AlertPolicy.class).withDefaults());
    return id;
  }

  private static void ready(ChildJvm.Service s) {
    Awaits.until("the notifier is ready (" + s.jvm().log() + ")", WAIT,
        () -> new Http(s.port()).get("/actuator/health/readiness").statusCode() == 200);
  }
}
