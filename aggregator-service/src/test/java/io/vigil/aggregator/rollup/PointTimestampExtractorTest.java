package io.vigil.aggregator.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.model.MetricPoint;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** Event time is the point's own timestamp, never when the record was written. */
class PointTimestampExtractorTest {

  private static final long EVENT = 1_764_000_000_000L;
  private static final long WRITTEN = EVENT + 3_600_000L; // a gateway that caught up an hour later

  @Test
  void thePointsTimestampWinsOverTheRecordsCreateTime() {
    MetricPoint point = new MetricPoint(1, 1L, "ns", "local", "m", null, EVENT, 1.0, null, null, WRITTEN, null, 0, null);
    assertThat(new PointTimestampExtractor().extract(record(point), EVENT - 10)).isEqualTo(EVENT);
  }

  @Test
  void somethingElseKeepsThePartitionTime() {
    assertThat(new PointTimestampExtractor().extract(record("not a point"), EVENT - 10)).isEqualTo(EVENT - 10);
    assertThat(new PointTimestampExtractor().extract(record("not a point"), -1)).isEqualTo(WRITTEN);
  }

  private static ConsumerRecord<Object, Object> record(Object value) {
    return new ConsumerRecord<>("metrics.raw", 0, 0, WRITTEN, TimestampType.CREATE_TIME, 0, 0, "k", value,
        new RecordHeaders(), Optional.empty());
  }
}
