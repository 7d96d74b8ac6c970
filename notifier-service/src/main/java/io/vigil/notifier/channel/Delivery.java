package io.vigil.notifier.channel;

import java.time.Duration;

/**
 * What became of one message on one channel, for the notification record.
 *
 * @param delivered the provider or receiver accepted it
 * @param attempts tries the dispatcher made, including a try the breaker or the bulkhead turned away
 *     before anything was sent (so 1 for a message refused by an open breaker)
 * @param reason a short lower-case word for why it was not delivered ({@code timeout}, {@code http_503},
 *     {@code http_400}, {@code url_refused}, {@code breaker_open}, {@code bulkhead_full},
 *     {@code bot_error_<code>}, {@code smtp_error}, {@code email_not_configured}, ...); null when delivered
 * @param latency from the call of the dispatcher to its answer, retries and their pauses included
 */
public record Delivery(boolean delivered, int attempts, String reason, Duration latency) {

  public static Delivery delivered(int attempts, Duration latency) {
    return new Delivery(true, attempts, null, latency);
  }

  public static Delivery failed(String reason, int attempts, Duration latency) {
    return new Delivery(false, attempts, reason, latency);
  }
}
