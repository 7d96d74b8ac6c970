package io.vigil.aggregator.rollup;

import io.vigil.common.points.PointBatchCodec;
import io.vigil.common.points.PointRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * {@code metrics.raw} records as {@link PointRecord}s: checked whole by common's codec as they are
 * read, then rolled up point by point without a {@code MetricPoint} each. An unreadable record throws
 * {@code InvalidRecordException} naming what is wrong, which the deserialization handler dead-letters.
 * Read only: the aggregator never writes {@code metrics.raw}.
 */
public final class PointRecordSerde implements Serde<PointRecord> {

  @Override
  public Serializer<PointRecord> serializer() {
    return (topic, record) -> {
      throw new UnsupportedOperationException("the aggregator reads metrics.raw, it never writes it");
    };
  }

  @Override
  public Deserializer<PointRecord> deserializer() {
    return (topic, bytes) -> PointBatchCodec.check(bytes);
  }
}
