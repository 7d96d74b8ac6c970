package io.vigil.notifier.channel.webhook;

import io.vigil.common.semantics.OutboundUrlPolicy;
import io.vigil.notifier.channel.ChannelSender;
import io.vigil.notifier.channel.Destination;
import io.vigil.notifier.channel.HttpCall;
import io.vigil.notifier.channel.Outbound;
import io.vigil.notifier.channel.SendException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Posts a notification to a tenant's webhook: the rendered body as it is ({@code application/json}),
 * with {@code Idempotency-Key} and {@code X-Vigil-Notification-Id} (the notificationId, the same on
 * every re-send), {@code X-Vigil-Timestamp}, a {@code X-Vigil-Signature} when the webhook has a secret
 * (see {@link WebhookSignature}), and the webhook's own headers. The tenant's headers cannot replace
 * ours, nor set the ones the HTTP client owns, nor carry a line break. The URL is checked against the
 * outbound policy before each attempt, and the attempt connects to the addresses checked.
 */
public final class WebhookSender implements ChannelSender {

  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  public static final String NOTIFICATION_ID_HEADER = "X-Vigil-Notification-Id";

  /** Headers the sender sets, or the HTTP connection's own. */
  private static final Set<String> NOT_TENANTS = Set.of("content-type", "user-agent", "idempotency-key",
      "x-vigil-notification-id", "x-vigil-timestamp", "x-vigil-signature", "host", "content-length",
      "connection", "expect", "upgrade", "transfer-encoding", "te", "trailer", "keep-alive");

  private final HttpCall http;
  private final Duration timeout;
  private final OutboundUrlPolicy urls;
  private final Clock clock;

  public WebhookSender(HttpCall http, Duration timeout, OutboundUrlPolicy urls, Clock clock) {
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
    Map<String, String> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> h : hook.headers().entrySet()) {
      if (!NOT_TENANTS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        if (!HttpCall.validHeader(h.getKey(), h.getValue())) { // a name or value HTTP cannot carry
          throw SendException.permanent("header_refused");
        }
        headers.put(h.getKey(), h.getValue());
      }
    }
    headers.put(IDEMPOTENCY_HEADER, message.notificationId());
    headers.put(NOTIFICATION_ID_HEADER, message.notificationId());
    headers.put(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestampMs));
    if (hook.secret() != null && !hook.secret().isEmpty()) {
      headers.put(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(hook.secret(), timestampMs, body));
    }
    HttpCall.requireSuccess(http.post(target.uri(), target.addresses(), headers, body, HttpCall.JSON,
        timeout));
  }
}
