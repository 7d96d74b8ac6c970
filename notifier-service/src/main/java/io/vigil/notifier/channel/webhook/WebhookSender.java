package io.vigil.notifier.channel.webhook;

import io.vigil.common.semantics.OutboundUrlPolicy;
import io.vigil.notifier.channel.ChannelSender;
import io.vigil.notifier.channel.Destination;
import io.vigil.notifier.channel.HttpCall;
import io.vigil.notifier.channel.Outbound;
import io.vigil.notifier.channel.SendException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Posts a notification to a tenant's webhook: the rendered body as it is ({@code application/json}),
 * with {@code Idempotency-Key} and {@code X-Vigil-Notification-Id} (the notificationId, the same on
 * every re-send), {@code X-Vigil-Timestamp}, a {@code X-Vigil-Signature} when the webhook has a secret
 * (see {@link WebhookSignature}), and the webhook's own headers. The tenant's headers cannot replace
 * ours, nor set the ones the HTTP client owns. The URL is checked against the outbound policy before
 * each attempt.
 */
public final class WebhookSender implements ChannelSender {

  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  public static final String NOTIFICATION_ID_HEADER = "X-Vigil-Notification-Id";

  /** Headers the sender sets, or the JDK client refuses to take from a caller. */
  private static final Set<String> NOT_TENANTS = Set.of("content-type", "user-agent", "idempotency-key",
      "x-vigil-notification-id", "x-vigil-timestamp", "x-vigil-signature", "host", "content-length",
      "connection", "expect", "upgrade", "transfer-encoding", "te", "trailer", "keep-alive");

  private final HttpClient http;
  private final Duration timeout;
  private final OutboundUrlPolicy urls;
  private final Clock clock;

  public WebhookSender(HttpClient http, Duration timeout, OutboundUrlPolicy urls, Clock clock) {
    this.http = http;
    this.timeout = timeout;
    this.urls = urls;
    this.clock = clock;
  }

  @Override
  public void send(Outbound message) throws SendException {
    if (!(message.to() instanceof Destination.Hook hook)) {
      throw SendException.permanent("wrong_destination");
    }
    OutboundUrlPolicy.Target target = HttpCall.checkUrl(urls, hook.url());
    byte[] body = message.body().getBytes(StandardCharsets.UTF_8);
    long timestampMs = clock.millis();
    HttpRequest.Builder request = HttpRequest.newBuilder(target.uri())
        .timeout(timeout)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (Map.Entry<String, String> h : hook.headers().entrySet()) {
      if (!NOT_TENANTS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        try {
          request.header(h.getKey(), h.getValue());
        } catch (IllegalArgumentException e) { // a name or value HTTP cannot carry; saved before validation
          throw SendException.permanent("header_refused");
        }
      }
    }
    request.header("Content-Type", "application/json")
        .header("User-Agent", "vigil-notifier")
        .header(IDEMPOTENCY_HEADER, message.notificationId())
        .header(NOTIFICATION_ID_HEADER, message.notificationId())
        .header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestampMs));
    if (hook.secret() != null && !hook.secret().isEmpty()) {
      request.header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(hook.secret(), timestampMs, body));
    }
    HttpCall.requireSuccess(HttpCall.exchange(http, request.build(), timeout));
  }
}
