package io.vigil.common.testing.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.kafka.KafkaNaming;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.ControlChange;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A consumer that publishes is SIGKILLed after handling a record and before its publish was
 * acknowledged: nothing was committed for the record, and the next instance handles it again (at
 * least once, never lost). A graceful in-JVM close could not show this: it finishes and commits.
 */
class CrashIT {

  @Test
  void aCrashBetweenHandlingAndAcknowledgementRedeliversTheRecord() throws Exception {
    String prefix = TestRun.topicPrefix() + "crash-" + UUID.randomUUID().toString().substring(0, 6) + ".";
    KafkaNaming naming = new KafkaNaming(prefix, "kit-crash");
    try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestServers.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(naming.topic(CrashTestApplication.IN), 1, (short) 1),
          new NewTopic(naming.topic(CrashTestApplication.IN.deadLetter()), 1, (short) 1),
          new NewTopic(naming.topic(CrashTestApplication.OUT), 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
      io.vigil.common.kafka.TopicReadiness.awaitLeaders(admin, List.of(naming.topic(CrashTestApplication.IN),
          naming.topic(CrashTestApplication.IN.deadLetter()), naming.topic(CrashTestApplication.OUT)),
          java.time.Duration.ofSeconds(20));
      sendRaw(naming.topic(CrashTestApplication.IN), "POLICY:x", "x");

      try (ChildJvm first = child(prefix, 120_000)) {
        Awaits.until("the first instance handles the record", () -> first.output().contains("HANDLING x"));
        Thread.sleep(1000); // well past a commit interval: still nothing may be committed
        first.kill();
      }
      TopicPartition tp = new TopicPartition(naming.topic(CrashTestApplication.IN), 0);
      assertThat(committed(admin, naming.group("crash"), tp)).as("nothing committed before the acknowledgement")
          .isLessThan(1);

      try (ChildJvm second = child(prefix, 0)) {
        Awaits.until("the next instance handles the record again", () -> second.output().contains("HANDLING x"));
        Awaits.until("and commits it", () -> committed(admin, naming.group("crash"), tp) == end(admin, tp));
        second.stop();
      }
    }
  }

  private static ChildJvm child(String prefix, long holdMs) {
    return ChildJvm.startService("kit-crash", CrashTestApplication.class.getName(),
        List.of("--spring.main.web-application-type=none", "--vigil.kafka.topic-prefix=" + prefix,
            "--vigil.kafka.provision-topics=false", "--vigil.kafka.handler-timeout=300s", "--crash.hold-ms=" + holdMs,
            "--spring.kafka.consumer.properties.session.timeout.ms=6000",
            "--logging.structured.format.console=", "--logging.level.root=WARN")).jvm();
  }

  private static void sendRaw(String topic, String key, String id) {
    byte[] value = new MessageCodec().encode(new ControlChange(1, ControlChange.EntityType.POLICY, id, "local", "t", 1,
        ChangeOp.UPSERT, System.currentTimeMillis()));
    TestKafka.sendFull(topic, key, value);
  }

  private static long committed(AdminClient admin, String group, TopicPartition tp) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
      OffsetAndMetadata o = offsets.get(tp);
      return o == null ? -1 : o.offset();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long end(AdminClient admin, TopicPartition tp) {
    try {
      return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(5, TimeUnit.SECONDS).offset();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
