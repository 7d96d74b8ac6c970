package io.vigil.bench;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.NotificationRecord;
import io.vigil.common.model.NotificationStatus;
import io.vigil.common.series.AlertIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What this machine can do at most for {@link NotifierLoad}'s storms, whatever the notifier does:
 * a stand-in that does only the work no notifier can skip, and nothing else. It is run instead of
 * the notifier (which is stopped), with the same load tool, the same broker and the same Redis:
 *
 * <ul>
 *   <li>reads {@code alerts.events} in a consumer group and decodes each event (its contract checked,
 *       as the notifier's consumer does);
 *   <li>writes one Redis hash per event (the alert's last event and sequence, with a TTL), the whole
 *       poll as one pipelined round trip;
 *   <li>publishes one {@code NotificationRecord} per event on {@code notify.records}, with the
 *       notifier's producer settings (idempotent, acks all, lz4, linger 5 ms), and waits for the
 *       broker;
 *   <li>then commits the poll's offsets.
 * </ul>
 *
 * No stage runs, nothing is read back, no webhook goes out, no trail is written: the rate it reaches
 * is a ceiling for the notifier on the same machine, not a competitor. The load tool counts its
 * records as it counts the notifier's (it reports no latency: there is no notifier to scrape).
 *
 * <pre>
 * kill $(cat /var/lib/vigil/run/notifier.pid)
 * java -cp bench/target/benchmarks.jar io.vigil.bench.NotifierFloor [--consumers 2] &amp;
 * java -cp bench/target/benchmarks.jar io.vigil.bench.NotifierLoad --mode events --groups 1000 --per-group 10 --runs 8
 * </pre>
 */
public final class NotifierFloor {

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>(Map.of("kafka", "127.0.0.1:9092", "topic-prefix", "vigil.",
        "redis", "redis://127.0.0.1:6379", "consumers", "2", "max-poll", "1000"));
    for (int i = 0; i + 1 < argv.length; i += 2) {
      a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    String group = "bench-floor-" + Long.toString(System.currentTimeMillis(), 36);
    RedisClient redis = RedisClient.create(a.get("redis"));
    LongAdder handled = new LongAdder();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < Integer.parseInt(a.get("consumers")); c++) {
      Thread t = new Thread(() -> {
        try {
          consume(a, group, redis, handled);
        } catch (Exception e) {
          // a consumer gone would leave the ceiling under-reported without a word: the run ends here
          e.printStackTrace();
          System.exit(1);
        }
      }, "floor-" + c);
      t.start();
      threads.add(t);
    }
    long last = 0;
    while (true) {
      Thread.sleep(5000);
      long now = handled.sum();
      if (now != last) {
        System.out.printf("floor: %d events handled (%d in the last 5 s)%n", now, now - last);
        last = now;
      }
    }
  }

  private static void consume(Map<String, String> a, String group, RedisClient redisClient, LongAdder handled)
      throws Exception {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, a.get("kafka"));
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.parseInt(a.get("max-poll")));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, a.get("kafka"));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    MessageCodec codec = new MessageCodec();
    String records = a.get("topic-prefix") + "notify.records";
    long retentionSec = Duration.ofDays(1).toSeconds();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
            new ByteArrayDeserializer());
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
            new ByteArraySerializer());
        StatefulRedisConnection<String, String> connection = redisClient.connect()) {
      RedisAsyncCommands<String, String> redis = connection.async();
      connection.setAutoFlushCommands(false);
      consumer.subscribe(List.of(a.get("topic-prefix") + "alerts.events"));
      while (!Thread.currentThread().isInterrupted()) {
        ConsumerRecords<String, byte[]> polled = consumer.poll(Duration.ofMillis(100));
        if (polled.isEmpty()) {
          continue;
        }
        List<RedisFuture<?>> writes = new ArrayList<>(polled.count() * 2);
        List<Future<RecordMetadata>> sends = new ArrayList<>(polled.count());
        long now = System.currentTimeMillis();
        for (ConsumerRecord<String, byte[]> r : polled) {
          AlertEvent e = codec.decode(r.value(), AlertEvent.class);
          String key = "vigil:bench:floor:alert:" + e.alertKey();
          writes.add(redis.hset(key, Map.of("event", new String(r.value(), StandardCharsets.UTF_8),
              "seq", Long.toString(e.sequence()))));
          writes.add(redis.expire(key, retentionSec));
          NotificationRecord n = new NotificationRecord(NotificationRecord.SCHEMA_VERSION,
              AlertIds.notificationId(e.eventId(), "", ""), e.eventId(), e.alertKey(), e.tenant(), e.region(),
              e.policyId(), null, null, NotificationStatus.CONVERGED, "convergence", 0, "grouped", now, e.status(),
              e.severity(), e.namespace(), e.objectId() == null ? "metric" : "event", false, 0, null, 0, null);
          // keyed as the notifier keys its records (Topics.NOTIFY_RECORDS: by notification id)
          sends.add(producer.send(new ProducerRecord<>(records, n.notificationId(), codec.encode(n))));
        }
        connection.flushCommands();
        if (!LettuceFutures.awaitAll(10, TimeUnit.SECONDS, writes.toArray(new RedisFuture<?>[0]))) {
          throw new IllegalStateException("Redis did not answer a poll's writes in 10 s");
        }
        for (Future<RecordMetadata> s : sends) {
          s.get(10, TimeUnit.SECONDS);
        }
        consumer.commitSync();
        handled.add(polled.count());
      }
    }
  }
}
