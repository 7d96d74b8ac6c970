package io.vigil.common.kafka;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A topic's declaration: its base name (without the deployment prefix), the message type its values
 * carry, what its key is, and how it is created. The deployment prefix ({@code vigil.} by default)
 * is applied by {@link KafkaNaming}.
 *
 * @param valueType the message record; {@code byte[]} for dead-letter topics, which keep the
 *     original bytes
 * @param key what the record key is, in words, for the docs
 * @param keyOf the key of a message on this topic: the publisher derives every key with it, so no
 *     record is ever mis-keyed (null for dead-letter topics, which keep the original key)
 * @param placeBy where a message goes when not by its key: a uniform 64-bit id whose unsigned
 *     remainder ({@code SeriesPartitioner}) is its partition, e.g. a rollup's object id; null to let
 *     the producer place it by its key
 */
public record Topic<V>(String base, Class<V> valueType, String key, Function<V, String> keyOf, int partitions,
    Duration retention, boolean compacted, ToLongFunction<V> placeBy) {

  /** A topic whose records are placed by their key. */
  public Topic(String base, Class<V> valueType, String key, Function<V, String> keyOf, int partitions,
      Duration retention, boolean compacted) {
    this(base, valueType, key, keyOf, partitions, retention, compacted, null);
  }

  public Topic {
    if (base == null || !base.matches("[a-z0-9][a-z0-9._-]*")) {
      throw new IllegalArgumentException("bad topic name: " + base);
    }
    if (partitions < 1) {
      throw new IllegalArgumentException(base + ": partitions must be >= 1");
    }
  }

  /** The dead-letter topic of this one: same partitions, original bytes, reason in headers. */
  public Topic<byte[]> deadLetter() {
    return new Topic<>(base + Topics.DLT_SUFFIX, byte[].class, key, null, partitions, Topics.DLT_RETENTION, false);
  }

  /** The record key of {@code message} on this topic. */
  public String keyFor(V message) {
    if (keyOf == null) {
      throw new IllegalStateException(base + " has no key function: nothing is published to it directly");
    }
    String k = keyOf.apply(message);
    if (k == null || k.isEmpty()) {
      throw new IllegalArgumentException(base + ": the message has no key");
    }
    return k;
  }
}
