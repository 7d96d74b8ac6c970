package io.vigil.aggregator.rollup;

import io.vigil.common.points.SeriesPartitioner;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * One record the rollup processor sends: the encoded message, the topic (base name) it goes to,
 * and how it is placed: by its series' object id (rollups, late points) or, for a progress marker,
 * on the partition of the rollup topic that carries the source partition's series.
 *
 * @param objectId the object id ({@code SeriesId.objectOf}) of a record placed by it
 * @param partitionOf the source partition of a progress marker, or -1 for a record placed by object id
 */
record Emit(String topicBase, long objectId, int partitionOf, byte[] payload) {

  static Emit byObject(String topicBase, long objectId, byte[] payload) {
    return new Emit(topicBase, objectId, -1, payload);
  }

  /** Writes the payload as it is. */
  static final class PayloadSerializer implements Serializer<Emit> {
    @Override
    public byte[] serialize(String topic, Emit emit) {
      return emit == null ? null : emit.payload();
    }
  }

  /**
   * Places a record with {@link SeriesPartitioner} by its object id (the placement the gateway used,
   * so a series, and every metric of its object, keeps one partition end to end). A progress marker of source partition p goes to partition p when
   * the rollup topic has as many partitions as {@code metrics.raw} (every series of p is there), and
   * to every partition otherwise.
   */
  static final class Partitioner implements StreamPartitioner<String, Emit> {
    private final java.util.function.IntSupplier sourcePartitions;

    Partitioner(java.util.function.IntSupplier sourcePartitions) {
      this.sourcePartitions = sourcePartitions;
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, Emit value, int numPartitions) {
      if (value.partitionOf() < 0) {
        return Optional.of(Set.of(SeriesPartitioner.partition(value.objectId(), numPartitions)));
      }
      if (numPartitions == sourcePartitions.getAsInt()) {
        return Optional.of(Set.of(value.partitionOf()));
      }
      Set<Integer> all = new java.util.HashSet<>();
      for (int i = 0; i < numPartitions; i++) {
        all.add(i);
      }
      return Optional.of(all);
    }
  }
}
