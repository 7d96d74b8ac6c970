package io.vigil.common.kafka;

import java.time.Duration;

/**
 * A topic's declaration: its base name (without the deployment prefix), the message type its values
 * carry, what its key is, and how it is created. The deployment prefix ({@code vigil.} by default)
 * is applied by {@link KafkaNaming}.
 *
 * @param valueType the message record; {@code byte[]} for dead-letter topics, which keep the
 *     original bytes
 * @param key what the record key is, for the docs and for producers
 */
public record Topic<V>(
    String base, Class<V> valueType, String key, int partitions, Duration retention, boolean compacted) {

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
    return new Topic<>(base + Topics.DLT_SUFFIX, byte[].class, key, partitions, Topics.DLT_RETENTION, false);
  }
}
