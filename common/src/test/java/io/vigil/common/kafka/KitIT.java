package io.vigil.common.kafka;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.ControlChange;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilTestInitializer;
import java.time.Duration;
import java.util.ArrayList;
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
import org.junit.jupiter.api.AfterEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.SmartLifecycle;
import org.springframework.test.context.ContextConfiguration;

/**
 * What the kit's integration tests share: one Spring context (the same properties everywhere, so
 * it is cached across the classes), fresh topics per test, and the committed offsets and end offsets
 * of the real broker. Every consumer a test starts is stopped after it.
 */
@SpringBootTest(classes = KitTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {"spring.application.name=kit", "vigil.kafka.retries=2", "vigil.kafka.concurrency=1",
        "vigil.kafka.handler-timeout=5s", "vigil.kafka.drain-timeout=5s",
        "vigil.kafka.pattern-refresh=1s",
        // these tests are about consumers: a send to a fresh topic on a busy machine may take longer
        // than the services' fail-fast 2 s without anything being wrong (fail-fast is PrivateKafkaIT's)
        "spring.kafka.producer.properties.delivery.timeout.ms=15000",
        "spring.kafka.producer.properties.request.timeout.ms=5000"})
@ContextConfiguration(initializers = VigilTestInitializer.class)
abstract class KitIT {

  @Autowired ConsumerKit kit;
  @Autowired VigilPublisher publisher;
  @Autowired KafkaNaming naming;
  @Autowired MeterRegistry registry;
  @Autowired ConsumerStates states;
  @Autowired org.springframework.kafka.core.KafkaTemplate<String, byte[]> template;

  private final List<SmartLifecycle> started = new ArrayList<>();

  @AfterEach
  void stopConsumers() {
    started.forEach(SmartLifecycle::stop);
    started.clear();
  }

  /** Starts a consumer and stops it after the test. */
  <T extends SmartLifecycle> T start(T consumer) {
    started.add(consumer);
    consumer.start();
    return consumer;
  }

  /**
   * A new topic of ControlChange records (and its dead-letter twin) for one test, known with a leader
   * for every partition to the service's producer (whose 2 s delivery timeout would otherwise expire
   * the first sends while a fresh topic's metadata settles).
   */
  Topic<ControlChange> newTopic(String name, int partitions, boolean compacted) {
    Topic<ControlChange> topic = createTopic(name, partitions, compacted);
    io.vigil.common.testing.Awaits.until("producer knows " + topic.base(), () -> {
      var infos = template.partitionsFor(naming.topic(topic));
      return infos.size() == partitions && infos.stream().allMatch(i -> i.leader() != null && i.leader().id() >= 0);
    });
    return topic;
  }

  static Topic<ControlChange> createTopic(String name, int partitions, boolean compacted) {
    String base = "kit." + name + "." + UUID.randomUUID().toString().substring(0, 8);
    Topic<ControlChange> topic = new Topic<>(base, ControlChange.class, "id up to '#'", KitIT::keyOf, partitions,
        Duration.ofHours(1), compacted);
    try (AdminClient admin = admin()) {
      NewTopic main = new NewTopic(TestKafka.topic(base), partitions, (short) 1);
      if (compacted) {
        main.configs(Map.of("cleanup.policy", "compact"));
      }
      admin.createTopics(List.of(main, new NewTopic(TestKafka.topic(base + ".dlt"), partitions, (short) 1)))
          .all().get(20, TimeUnit.SECONDS);
      TopicReadiness.awaitLeaders(admin, List.of(TestKafka.topic(base), TestKafka.topic(base + ".dlt")),
          Duration.ofSeconds(20));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return topic;
  }

  static AdminClient admin() {
    return AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap()));
  }

  static ControlChange change(String id) {
    return change(id, 1);
  }

  static ControlChange change(String id, long version) {
    return new ControlChange(1, ControlChange.EntityType.POLICY, id, "local", "t", version, ChangeOp.UPSERT,
        System.currentTimeMillis());
  }

  /** The key of a test change: its id up to a '#', so {@code k#1} and {@code k#2} share key {@code k}. */
  static String keyOf(ControlChange change) {
    int hash = change.id().indexOf('#');
    return hash < 0 ? change.id() : change.id().substring(0, hash);
  }

  void send(Topic<ControlChange> topic, String id) throws Exception {
    publisher.publish(topic, change(id)).get(10, TimeUnit.SECONDS);
  }

  /** The group's committed position on a partition, or -1. */
  long committed(String purpose, Topic<?> topic, int partition) {
    try (AdminClient admin = admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(naming.group(purpose))
          .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
      OffsetAndMetadata o = offsets.get(new TopicPartition(naming.topic(topic), partition));
      return o == null ? -1 : o.offset();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  long end(Topic<?> topic, int partition) {
    try (AdminClient admin = admin()) {
      TopicPartition tp = new TopicPartition(naming.topic(topic), partition);
      return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get(5, TimeUnit.SECONDS).offset();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  double count(String name, String... tags) {
    var search = registry.find(name).tags(tags);
    return search.counter() == null ? 0 : search.counter().count();
  }

  /** A spring-kafka container as a lifecycle the base class stops. */
  static SmartLifecycle lifecycle(org.springframework.kafka.listener.ConcurrentMessageListenerContainer<?, ?> c) {
    return c;
  }
}
