package io.vigil.bench.flink;

import io.vigil.common.model.InvalidRecordException;
import io.vigil.common.points.PointBatchCodec;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Checks a {@code metrics.raw} record with common's {@link PointBatchCodec#check} and reads it with
 * its cursor, as the aggregator does, so both pay the same. A record that does not decode is skipped
 * and said on stderr (the aggregator dead-letters it; the benchmark's input has none).
 */
final class PointsDeserializer implements KafkaRecordDeserializationSchema<Points> {

  private static final int REPORTED = 10;
  private transient int invalid;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Points> out) {
    try {
      out.collect(Points.of(PointBatchCodec.check(record.value())));
    } catch (InvalidRecordException e) {
      if (++invalid <= REPORTED) {
        System.err.printf("[flink-rollups] skipped %s-%d@%d: %s%n", record.topic(), record.partition(),
            record.offset(), e.getMessage());
      }
    }
  }

  @Override
  public TypeInformation<Points> getProducedType() {
    return TypeInformation.of(Points.class);
  }
}
