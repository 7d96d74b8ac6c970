package io.vigil.bench.flink;

import io.vigil.common.points.SeriesPartitioner;
import io.vigil.common.series.SeriesId;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A rollup as a Kafka record: key the seriesId as the aggregator writes it ({@link SeriesId#key}),
 * value {@link RollupJson}, on the partition {@link SeriesPartitioner} gives (so a series keeps one
 * partition end to end, as with the aggregator).
 */
final class RollupRecords implements KafkaRecordSerializationSchema<Rollup> {

  private final String topic;

  RollupRecords(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(Rollup rollup, KafkaSinkContext context, Long timestamp) {
    int partitions = context.getPartitionsForTopic(topic).length;
    return new ProducerRecord<>(topic, SeriesPartitioner.partition(rollup.seriesId, partitions), null,
        SeriesId.key(rollup.seriesId).getBytes(StandardCharsets.US_ASCII), RollupJson.bytes(rollup));
  }
}
