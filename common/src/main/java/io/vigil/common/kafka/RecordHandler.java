package io.vigil.common.kafka;

/**
 * The work done for one consumed record. Returning normally means the work is done and the offset
 * may be committed; throwing means it is not: the kit retries a few times, then dead-letters the
 * record with the reason. Throw {@link io.vigil.common.model.InvalidRecordException} for a record
 * that can never be processed; it goes to the dead-letter topic without retries.
 */
@FunctionalInterface
public interface RecordHandler<V> {

  void handle(ConsumedRecord<V> record) throws Exception;
}
