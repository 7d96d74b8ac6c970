package io.vigil.common.kafka;

/**
 * A record as a handler sees it: the decoded, validated message with where it came from.
 *
 * @param topic the base topic name (without the deployment prefix)
 * @param timestampMs the record's timestamp (producer create time)
 */
public record ConsumedRecord<V>(String topic, int partition, long offset, String key, V value, long timestampMs,
    Traceparent traceparent) {}
