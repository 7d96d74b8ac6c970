package io.vigil.common.kafka;

import io.vigil.common.tracing.Traceparent;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A record as a handler sees it: the decoded, validated message with where it came from.
 *
 * @param topic the base topic name (without the deployment prefix)
 * @param value the message; null only for a tombstone on a compacted topic ({@link #tombstone()})
 * @param timestampMs the record's timestamp (producer create time)
 * @param headers the record's headers as they arrived (read only)
 */
public record ConsumedRecord<V>(String topic, int partition, long offset, String key, V value, long timestampMs,
    Traceparent traceparent, Headers headers) {

  /** A null value on a compacted topic: the key was deleted. */
  public boolean tombstone() {
    return value == null;
  }

  /** The last header of that name as UTF-8 text, or null. */
  public String header(String name) {
    Header h = headers == null ? null : headers.lastHeader(name);
    return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
