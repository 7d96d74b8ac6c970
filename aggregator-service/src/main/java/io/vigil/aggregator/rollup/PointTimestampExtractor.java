package io.vigil.aggregator.rollup;

import io.vigil.common.model.MetricPoint;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time is the point's own {@code timestampMs}, never the record's CreateTime: a gateway that
 * batches, retries or falls behind must not move a point into another window. A value that is not a
 * point (it never reaches here: unreadable records are dead-lettered before) keeps the partition's
 * time, so it cannot push stream time forward. A batch's event time (what {@code metrics.raw}
 * carries) is its latest point's.
 */
public final class PointTimestampExtractor implements TimestampExtractor {

  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof MetricPoint point) {
      return point.timestampMs();
    }
    if (record.value() instanceof io.vigil.common.points.PointRecord batch) {
      return batch.latestTimestampMs(); // a record has at least one point
    }
    return partitionTime >= 0 ? partitionTime : record.timestamp();
  }
}
