package io.vigil.common.kafka;

import java.util.concurrent.CompletionStage;

/**
 * A handler whose work completes later, typically with a publish: the kit waits for the returned
 * stage before the record counts as done, so no offset is committed ahead of the broker's
 * acknowledgement of what the handler sent. A stage that fails is classified like an exception a
 * {@link RecordHandler} throws; one that does not complete within {@code
 * vigil.kafka.handler-timeout} counts as an unavailable dependency.
 */
@FunctionalInterface
public interface AsyncRecordHandler<V> {

  CompletionStage<?> handle(ConsumedRecord<V> record) throws Exception;
}
