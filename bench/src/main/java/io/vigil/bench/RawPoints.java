package io.vigil.bench;

import io.vigil.common.points.PointBatchCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Counts the points in {@code metrics.raw} between two moments, to check a load run: {@code mark
 * <file>} saves the end offsets now; {@code count <file>} counts every point written since then.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.vigil.bench.RawPoints mark /tmp/offsets
 * java -cp bench/target/benchmarks.jar io.vigil.bench.RawPoints count /tmp/offsets
 * </pre>
 */
public final class RawPoints {

  public static void main(String[] args) throws Exception {
    String bootstrap = System.getenv().getOrDefault("VIGIL_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    String topic = System.getenv().getOrDefault("VIGIL_TOPIC_PREFIX", "vigil.") + "metrics.raw";
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = new ArrayList<>();
      c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
      Map<TopicPartition, Long> ends = c.endOffsets(parts);
      Path file = Path.of(args[1]);
      if (args[0].equals("mark")) {
        StringBuilder out = new StringBuilder();
        ends.forEach((tp, off) -> out.append(tp.partition()).append('=').append(off).append('\n'));
        Files.writeString(file, out);
        return;
      }
      Map<Integer, Long> from = new HashMap<>();
      for (String line : Files.readAllLines(file)) {
        String[] kv = line.split("=");
        from.put(Integer.parseInt(kv[0]), Long.parseLong(kv[1]));
      }
      c.assign(parts);
      parts.forEach(tp -> c.seek(tp, from.getOrDefault(tp.partition(), 0L)));
      long points = 0;
      long records = 0;
      while (parts.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        for (var r : c.poll(Duration.ofMillis(500))) {
          points += PointBatchCodec.decode(r.value()).points().size();
          records++;
        }
      }
      System.out.printf("metrics.raw since the mark: %d records, %d points%n", records, points);
    }
  }
}
