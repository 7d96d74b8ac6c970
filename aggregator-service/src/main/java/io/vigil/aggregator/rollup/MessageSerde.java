package io.vigil.aggregator.rollup;

import io.vigil.common.kafka.MessageCodec;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka Streams serde over {@link MessageCodec}: reading a record that fails validation throws
 * {@link io.vigil.common.model.InvalidRecordException}, which the deserialization handler
 * dead-letters.
 */
public final class MessageSerde<T> implements Serde<T> {

  private static final MessageCodec CODEC = new MessageCodec();
  private final Class<T> type;

  public MessageSerde(Class<T> type) {
    this.type = type;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> value == null ? null : CODEC.encode(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, bytes) -> CODEC.decode(bytes, type);
  }
}
