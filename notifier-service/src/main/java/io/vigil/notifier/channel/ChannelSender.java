package io.vigil.notifier.channel;

/**
 * Sends a message on one channel, once. Retries, the circuit breaker and the bulkhead are the
 * {@link Dispatcher}'s; a sender bounds its own attempt in time (its transport's timeout).
 */
@FunctionalInterface
public interface ChannelSender {

  /**
   * One attempt to deliver {@code message}.
   *
   * @throws SendException when it was not delivered, saying whether another attempt can help
   */
  void send(Outbound message) throws SendException;

  /** A sender for a channel this instance cannot use: every message fails, permanently, with {@code reason}. */
  static ChannelSender unavailable(String reason) {
    return message -> {
      throw SendException.permanent(reason);
    };
  }
}
