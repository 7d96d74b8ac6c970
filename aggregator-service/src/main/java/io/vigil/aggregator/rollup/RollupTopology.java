package io.vigil.aggregator.rollup;

import io.vigil.common.kafka.ConsumerMeters;
import io.vigil.common.kafka.KafkaNaming;
import java.time.Clock;
import io.vigil.common.kafka.Topics;
import io.vigil.common.kafka.MessageCodec;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import io.vigil.common.points.PointRecord;
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
 * TopologyTestDriver}: {@code metrics.raw} is read and measured, each batch is rolled up by {@link
 * RollupProcessor} in the task that owns its partition, and what comes out goes to the shard's
 * rollup topic or to {@code metrics.late}, placed by the series' object id ({@link Emit.Partitioner}).
 */
public final class RollupTopology {

  private RollupTopology() {}

  public static void buildTopology(StreamsBuilder builder, KafkaNaming naming, ConsumerMeters meters, Clock clock,
      RollupSettings settings, RollupMeters rollupMeters, RollupShards shards, PartitionLag lag, MessageCodec codec) {
    // the series store carries the processor's hook: it writes the series changed since the last commit
    builder.addStateStore(
        CommitHookStore.around(store(RollupProcessor.SERIES_STORE, Serdes.Long(), Serdes.ByteArray(), settings)));
    builder.addStateStore(store(RollupProcessor.LONGER_STORE, Serdes.Long(), Serdes.ByteArray(), settings));
    builder.addStateStore(store(RollupProcessor.INFO_STORE, Serdes.Long(), Serdes.ByteArray(), settings));
    builder.addStateStore(store(RollupProcessor.META_STORE, Serdes.String(), Serdes.Long(), settings));
    source(builder, naming, meters, clock)
        .process(() -> new RollupProcessor(settings, rollupMeters, shards, lag, codec, clock), Named.as("rollup"),
            RollupProcessor.SERIES_STORE, RollupProcessor.LONGER_STORE, RollupProcessor.INFO_STORE,
            RollupProcessor.META_STORE)
        .to((key, emit, context) -> naming.prefix() + emit.topicBase(),
            Produced.with(Serdes.String(), Serdes.serdeFrom(new Emit.PayloadSerializer(), (topic, bytes) -> null))
                .withStreamPartitioner(new Emit.Partitioner(shards::rawPartitions)).withName("rollups-out"));
  }

  private static <K, V> StoreBuilder<KeyValueStore<K, V>> store(String name,
      org.apache.kafka.common.serialization.Serde<K> keys, org.apache.kafka.common.serialization.Serde<V> values,
      RollupSettings settings) {
    StoreBuilder<KeyValueStore<K, V>> builder = Stores.keyValueStoreBuilder(
        settings.persistentStore() ? Stores.persistentKeyValueStore(name) : new HashStoreSupplier(name), keys, values);
    return settings.storeCacheBytes() > 0 ? builder.withCachingEnabled() : builder.withCachingDisabled();
  }

  /**
   * The validated, measured stream of batches of {@code metrics.raw}; invalid records never reach it
   * (dead-lettered whole by the deserialization handler).
   */
  static KStream<String, PointRecord> source(StreamsBuilder builder, KafkaNaming naming, ConsumerMeters meters,
      Clock clock) {
    return builder
        .stream(naming.topic(Topics.METRICS_RAW),
            Consumed.with(Serdes.String(), new PointRecordSerde())
                .withTimestampExtractor(new PointTimestampExtractor()).withName("metrics-raw"))
        .processValues(() -> new Measure(meters, clock), Named.as("measure-metrics-raw"));
  }

  /** Records consume delay, counts each batch as it enters the topology, and times its work downstream. */
  private static final class Measure implements FixedKeyProcessor<String, PointRecord, PointRecord> {
    private final ConsumerMeters meters;
    private final Clock clock;
    private FixedKeyProcessorContext<String, PointRecord> context;

    Measure(ConsumerMeters meters, Clock clock) {
      this.meters = meters;
      this.clock = clock;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, PointRecord> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, PointRecord> record) {
      // delay from the moment the gateway accepted the point; the record's time is event time now
      long start = System.nanoTime();
      meters.consumed(record.value().receivedAtMs(), clock.millis());
      context.forward(record); // runs the downstream processors: the point's work in this task
      meters.processed(System.nanoTime() - start);
    }
  }
}
