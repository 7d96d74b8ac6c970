package io.vigil.common.kafka;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka serde over {@link MessageCodec}, for Kafka Streams topologies and plain clients: reading
 * a record that fails validation throws {@link io.vigil.common.model.InvalidRecordException}
 * naming the field (a Streams deserialization handler dead-letters it).
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
