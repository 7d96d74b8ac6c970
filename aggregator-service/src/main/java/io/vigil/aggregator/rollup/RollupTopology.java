package io.vigil.aggregator.rollup;

import io.vigil.common.kafka.ConsumerMeters;
import io.vigil.common.kafka.KafkaNaming;
import java.time.Clock;
import io.vigil.common.kafka.Topics;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.points.PointBatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The aggregator's topology, built apart from its configuration so it can be driven by {@code
 * TopologyTestDriver}. Today it reads and measures {@code metrics.raw}; the windowed rollups per
 * period come with the rollup feature and hang off the stream returned by {@link #source}.
 */
public final class RollupTopology {

  private RollupTopology() {}

  public static void buildTopology(StreamsBuilder builder, KafkaNaming naming, ConsumerMeters meters, Clock clock) {
    source(builder, naming, meters, clock);
  }

  /**
   * The validated, measured stream of raw points, unpacked from the batches of {@code metrics.raw}
   * inside the task that owns their partition (every point of a series is on one partition, so no
   * repartition); invalid records never reach it (dead-lettered whole by the deserialization
   * handler).
   */
  static KStream<String, MetricPoint> source(StreamsBuilder builder, KafkaNaming naming, ConsumerMeters meters,
      Clock clock) {
    return builder
        .stream(naming.topic(Topics.METRICS_RAW),
            Consumed.with(Serdes.String(), new PointBatchSerde())
                .withTimestampExtractor(new PointTimestampExtractor()).withName("metrics-raw"))
        .processValues(() -> new Measure(meters, clock), Named.as("measure-metrics-raw"))
        .flatMapValues(PointBatch::points, Named.as("unpack-points"));
  }

  /** Records consume delay, counts each batch as it enters the topology, and times its work downstream. */
  private static final class Measure implements FixedKeyProcessor<String, PointBatch, PointBatch> {
    private final ConsumerMeters meters;
    private final Clock clock;
    private FixedKeyProcessorContext<String, PointBatch> context;

    Measure(ConsumerMeters meters, Clock clock) {
      this.meters = meters;
      this.clock = clock;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, PointBatch> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, PointBatch> record) {
      // delay from the moment the gateway accepted the point; the record's time is event time now
      long start = System.nanoTime();
      meters.consumed(record.value().receivedAtMs(), clock.millis());
      context.forward(record); // runs the downstream processors: the point's work in this task
      meters.processed(System.nanoTime() - start);
    }
  }
}
