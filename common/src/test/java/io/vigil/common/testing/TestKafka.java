package io.vigil.common.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Raw access to this run's topics on the real broker: send bytes, read what landed somewhere. */
public final class TestKafka {

  private TestKafka() {}

  /** This run's full name of a topic given by its base name, e.g. {@code metrics.raw}. */
  public static String topic(String base) {
    return TestRun.topicPrefix() + base;
  }

  public static void send(String base, String key, byte[] value) {
    sendFull(topic(base), key, value);
  }

  /** Sends to a topic by its full name (a test with a prefix of its own). */
  public static void sendFull(String topic, String key, byte[] value) {
    try (KafkaProducer<String, byte[]> producer = producer()) {
      producer.send(new ProducerRecord<>(topic, key, value)).get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot send to " + topic, e);
    }
  }

  /** A producer to the shared broker, acks=all (close it). */
  static KafkaProducer<String, byte[]> producer() {
    return new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.ACKS_CONFIG, "all"));
  }

  /** Sends {@code values} in order to one partition of the run's topic, without keys (e.g. point batches). */
  public static void sendTo(String base, int partition, List<byte[]> values) {
    try (KafkaProducer<String, byte[]> producer = producer()) {
      for (byte[] value : values) {
        producer.send(new ProducerRecord<>(topic(base), partition, null, value));
      }
      producer.flush();
    }
  }

  public static void send(String base, String key, String json) {
    send(base, key, json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads {@code base} from the beginning until a record with {@code key} arrives or the timeout
   * passes; returns null on timeout.
   */
  public static ConsumerRecord<String, byte[]> awaitRecord(String base, String key, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = probe(base)) {
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(250))) {
          if (key.equals(r.key())) {
            return r;
          }
        }
      }
    }
    return null;
  }

  /**
   * Reads {@code base} from the beginning until {@code count} records pass {@code wanted} or the
   * timeout passes; returns those found (fewer on timeout).
   */
  public static List<ConsumerRecord<String, byte[]>> awaitMatching(String base,
      java.util.function.Predicate<ConsumerRecord<String, byte[]>> wanted, int count, Duration timeout) {
    List<ConsumerRecord<String, byte[]>> found = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = probe(base)) {
      while (found.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(250))) {
          if (wanted.test(r)) {
            found.add(r);
          }
        }
      }
    }
    return found;
  }

  /** Whether this run's topic {@code base} exists on the broker. */
  public static boolean topicExists(String base) {
    try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.<String, Object>of(
        org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap()))) {
      return admin.listTopics().names().get(10, java.util.concurrent.TimeUnit.SECONDS).contains(topic(base));
    } catch (Exception e) {
      throw new IllegalStateException("cannot list topics", e);
    }
  }

  /** Every committed record of {@code base} from the beginning, read for {@code duration}. */
  public static List<ConsumerRecord<String, byte[]>> readAll(String base, Duration duration) {
    List<ConsumerRecord<String, byte[]>> all = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + duration.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = probe(base)) {
      while (System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(250)).forEach(all::add);
      }
    }
    return all;
  }

  /** A read-committed consumer of {@code base} from its beginning, in a group of its own. */
  private static KafkaConsumer<String, byte[]> probe(String base) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, TestRun.topicPrefix() + "probe-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config);
    consumer.subscribe(List.of(topic(base)));
    return consumer;
  }

  public static String header(ConsumerRecord<String, byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
