package io.vigil.common.kafka;

import java.util.List;

/**
 * The work done for the valid records of one poll, in partition order (e.g. one bulk request).
 * Returning normally means all of them are done. To say that the first {@code i} are done and the
 * record at {@code i} failed, throw {@link BatchItemException}: the records before it are
 * committed, that record is classified and retried or dead-lettered like a single record, and the
 * ones after it are delivered again. Any other exception counts as a failure of the first record.
 * Invalid records never reach the handler: they are dead-lettered first.
 */
@FunctionalInterface
public interface BatchHandler<V> {

  void handle(List<ConsumedRecord<V>> batch) throws Exception;
}
