package io.vigil.common.kafka;

/**
 * The work done for one consumed record. Returning normally means the work is done and the offset
 * may be committed. Throwing means it is not, and {@link io.vigil.common.error.ErrorClassifier}
 * decides what happens: an {@link io.vigil.common.model.InvalidRecordException} goes to the
 * dead-letter topic at once; a {@link io.vigil.common.error.DependencyUnavailableException} (or a
 * known transient client error) pauses the consumer and retries without limit; anything else is
 * retried a few times, then dead-lettered. A handler whose work ends in a send that completes later
 * (a publish) is an {@link AsyncRecordHandler}.
 */
@FunctionalInterface
public interface RecordHandler<V> {

  void handle(ConsumedRecord<V> record) throws Exception;
}
