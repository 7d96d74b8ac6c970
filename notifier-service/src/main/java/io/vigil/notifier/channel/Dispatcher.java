package io.vigil.notifier.channel;

/**
 * The dispatch stage's back end: delivers one rendered message to one recipient on one channel, with
 * the channel's retries, circuit breaker, bulkhead and timeout, and answers what became of it.
 */
@FunctionalInterface
public interface Dispatcher {

  /**
   * Delivers {@code message} (not null); never throws. Blocks the calling thread for the attempts and the pauses
   * between them: at most about {@code max-attempts × (timeout + max-backoff)} of the channel.
   */
  Delivery deliver(Outbound message);
}
