package io.vigil.common.kafka;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A lane handler that takes several records at once, each of a different key (so none of them waits
 * for another): the notifier reads the state of a batch of alerts in one Redis round trip instead of
 * one per alert. It answers one stage per record, in the order given; each is classified like an
 * {@link AsyncRecordHandler}'s.
 *
 * <p>A record whose stage fails (or a batch whose call throws) runs again alone, through the same
 * retries and dead-lettering as any lane record, before its key's next record: a batch never makes a
 * record's fate depend on its neighbours'.
 */
@FunctionalInterface
public interface LaneBatchHandler<V> {

  List<? extends CompletionStage<?>> handle(List<ConsumedRecord<V>> records) throws Exception;
}
