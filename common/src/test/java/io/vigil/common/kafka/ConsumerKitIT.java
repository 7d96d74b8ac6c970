package io.vigil.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.ControlChange;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilTestInitializer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.test.context.ContextConfiguration;

/**
 * The consumer kit against the real broker: retries then success, poison records dead-lettered
 * without blocking their partition, the trace carried from publisher to handler, offsets committed
 * once the work is done.
 */
@SpringBootTest(classes = KitTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"spring.application.name=kit", "vigil.kafka.retries=2", "vigil.kafka.concurrency=1"})
@ContextConfiguration(initializers = VigilTestInitializer.class)
class ConsumerKitIT {

  static final Topic<ControlChange> TOPIC =
      new Topic<>("kit.test", ControlChange.class, "type:id", 1, Duration.ofHours(1), false);

  @Autowired ConsumerKit kit;
  @Autowired VigilPublisher publisher;
  @Autowired KafkaNaming naming;
  @Autowired MeterRegistry registry;

  static final Map<String, Integer> attempts = new ConcurrentHashMap<>();
  static final List<String> handled = new CopyOnWriteArrayList<>();
  static final Map<String, String> traces = new ConcurrentHashMap<>();
  static ConcurrentMessageListenerContainer<String, byte[]> container;

  @BeforeAll
  static void createTopics() throws Exception {
    try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestServers.kafkaBootstrap()))) {
      admin.createTopics(List.of(new NewTopic(TestKafka.topic("kit.test"), 1, (short) 1),
          new NewTopic(TestKafka.topic("kit.test.dlt"), 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    if (container != null) {
      container.stop();
    }
  }

  private void start() {
    if (container == null) {
      container = kit.container(TOPIC, "kit", record -> {
        String id = record.value().id();
        int n = attempts.merge(id, 1, Integer::sum);
        traces.put(id, record.traceparent() == null ? "none" : record.traceparent().traceId());
        if (id.startsWith("flaky") && n <= 2) {
          throw new IllegalStateException("transient failure " + n);
        }
        if (id.startsWith("poison")) {
          throw new IllegalStateException("always fails");
        }
        handled.add(id);
      });
      container.start();
    }
  }

  private static ControlChange change(String id) {
    return new ControlChange(1, ControlChange.EntityType.POLICY, id, "local", "t", 1, ChangeOp.UPSERT, System.currentTimeMillis());
  }

  @Test
  void aFlakyRecordIsRetriedThenHandledAndAPoisonOneDeadLetteredWithoutBlocking() throws Exception {
    start();
    publisher.publish(TOPIC, "k1", change("flaky-1")).get(10, TimeUnit.SECONDS);
    publisher.publish(TOPIC, "poison-key", change("poison-1")).get(10, TimeUnit.SECONDS);
    publisher.publish(TOPIC, "k3", change("after-poison")).get(10, TimeUnit.SECONDS);

    Awaits.until("records behind the poison one handled", () -> handled.contains("after-poison"));
    assertThat(handled).containsSubsequence("flaky-1", "after-poison").doesNotContain("poison-1");
    assertThat(attempts.get("flaky-1")).isEqualTo(3);
    assertThat(attempts.get("poison-1")).isEqualTo(3); // first delivery + 2 retries

    ConsumerRecord<String, byte[]> dead = TestKafka.awaitRecord("kit.test.dlt", "poison-key", Duration.ofSeconds(30));
    assertThat(dead).isNotNull();
    assertThat(TestKafka.header(dead, DeadLetterHeaders.REASON)).isEqualTo(DeadLetterHeaders.REASON_FAILED);
    assertThat(TestKafka.header(dead, DeadLetterHeaders.DETAIL)).contains("always fails");
    assertThat(TestKafka.header(dead, DeadLetterHeaders.GROUP)).isEqualTo(naming.group("kit"));
    assertThat(registry.get("vigil.kafka.dead.lettered").tag("topic", "kit.test").tag("reason", "processing_failed")
        .counter().count()).isEqualTo(1.0);
    assertThat(registry.get("vigil.kafka.failed").tag("topic", "kit.test").counter().count()).isGreaterThanOrEqualTo(5.0);
  }

  @Test
  void anInvalidRecordIsDeadLetteredAtOnceWithItsField() {
    start();
    TestKafka.send("kit.test", "bad-key", "{\"schemaVersion\":1,\"type\":\"POLICY\",\"region\":\"local\",\"version\":1,\"op\":\"UPSERT\",\"timestampMs\":5}");
    ConsumerRecord<String, byte[]> dead = TestKafka.awaitRecord("kit.test.dlt", "bad-key", Duration.ofSeconds(30));
    assertThat(dead).isNotNull();
    assertThat(TestKafka.header(dead, DeadLetterHeaders.REASON)).isEqualTo(DeadLetterHeaders.REASON_INVALID);
    assertThat(TestKafka.header(dead, DeadLetterHeaders.FIELD)).isEqualTo("id");
    assertThat(TestKafka.header(dead, "kafka_dlt-original-topic")).isEqualTo(TestKafka.topic("kit.test"));
  }

  @Test
  void theLabelGuardIsActiveOnTheApplicationsRegistry() {
    for (int i = 0; i < 250; i++) {
      io.micrometer.core.instrument.Counter.builder("vigil.kit.guarded").tag("user", "u" + i).register(registry)
          .increment();
    }
    assertThat(registry.find("vigil.kit.guarded").counters()).hasSize(200);
    assertThat(registry.get("vigil.metrics.label.refused").tag("meter", "vigil.kit.guarded").counter().count())
        .isEqualTo(50.0);
  }

  @Test
  void theTraceTravelsFromPublisherToHandlerAndOffsetsAreCommittedAfterTheWork() throws Exception {
    start();
    Traceparent root = Traceparent.newRoot();
    try (TraceContext.Scope scope = TraceContext.bind(root)) {
      publisher.publish(TOPIC, "traced", change("traced-1")).get(10, TimeUnit.SECONDS);
    }
    Awaits.until("traced record handled", () -> handled.contains("traced-1"));
    assertThat(traces.get("traced-1")).isEqualTo(root.traceId());

    try (AdminClient admin = AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        TestServers.kafkaBootstrap()))) {
      TopicPartition tp = new TopicPartition(naming.topic(TOPIC), 0);
      Awaits.until("offset committed past the handled record", () -> {
        try {
          Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(naming.group("kit"))
              .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
          long end = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
              .partitionResult(tp).get(5, TimeUnit.SECONDS).offset();
          return offsets.get(tp) != null && offsets.get(tp).offset() == end;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
    }
    assertThat(Set.copyOf(handled)).contains("traced-1");
  }
}
