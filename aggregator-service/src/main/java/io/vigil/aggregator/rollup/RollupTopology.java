package io.vigil.aggregator.rollup;

import io.vigil.common.kafka.KafkaNaming;
import io.vigil.common.kafka.Topics;
import io.vigil.common.model.MetricPoint;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
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

  public static void buildTopology(StreamsBuilder builder, KafkaNaming naming, StreamMeters meters) {
    source(builder, naming, meters);
  }

  /** The validated, measured stream of raw points; invalid records never reach it (dead-lettered). */
  static KStream<String, MetricPoint> source(StreamsBuilder builder, KafkaNaming naming, StreamMeters meters) {
    return builder
        .stream(naming.topic(Topics.METRICS_RAW),
            Consumed.with(Serdes.String(), new MessageSerde<>(MetricPoint.class)).withName("metrics-raw"))
        .processValues(() -> new Measure(meters), meters.processorName());
  }

  /** Records consume delay and counts each point as it enters the topology. */
  private static final class Measure implements FixedKeyProcessor<String, MetricPoint, MetricPoint> {
    private final StreamMeters meters;
    private FixedKeyProcessorContext<String, MetricPoint> context;

    Measure(StreamMeters meters) {
      this.meters = meters;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, MetricPoint> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, MetricPoint> record) {
      meters.consumed(record.timestamp());
      context.forward(record);
    }
  }
}
