package io.vigil.aggregator.rollup;

import io.vigil.common.points.PointBatch;
import io.vigil.common.points.PointBatchCodec;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@code metrics.raw} records as {@link PointBatch}es, through common's codec; an unreadable record
 * throws {@code InvalidRecordException} naming what is wrong, which the deserialization handler
 * dead-letters.
 */
public final class PointBatchSerde implements Serde<PointBatch> {

  @Override
  public Serializer<PointBatch> serializer() {
    return (topic, batch) -> batch == null ? null : PointBatchCodec.encode(batch);
  }

  @Override
  public Deserializer<PointBatch> deserializer() {
    return (topic, bytes) -> PointBatchCodec.decode(bytes);
  }
}
