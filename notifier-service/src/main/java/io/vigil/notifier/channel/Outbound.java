package io.vigil.notifier.channel;

import io.vigil.common.model.Channel;
import java.util.Objects;

/**
 * One rendered message for one recipient on one channel: what the pipeline hands the {@link Dispatcher}.
 *
 * @param notificationId stable across re-sends of the same notification; receivers get it as the
 *     idempotency key
 * @param subject the title (email subject, DingTalk title); may be null
 * @param body the rendered text: for WEBHOOK a complete JSON document, sent as it is; for BOT markdown
 *     or plain text the sender wraps into the bot's JSON; for EMAIL HTML; for SMS and PHONE plain text
 * @param chartPng a chart of the series' recent windows (PNG) that EMAIL carries inline; null for none,
 *     and ignored by the other channels (their bodies carry the text sparkline)
 */
public record Outbound(String notificationId, String eventId, String alertKey, String tenant, Channel channel,
    Destination to, String subject, String body, byte[] chartPng) {

  /** A message without a chart. */
  public Outbound(String notificationId, String eventId, String alertKey, String tenant, Channel channel,
      Destination to, String subject, String body) {
    this(notificationId, eventId, alertKey, tenant, channel, to, subject, body, null);
  }

  public Outbound {
    Objects.requireNonNull(notificationId, "notificationId");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(body, "body");
    if (!fits(channel, to)) {
      throw new IllegalArgumentException("a " + channel + " message cannot go to a "
          + to.getClass().getSimpleName() + " destination");
    }
  }

  private static boolean fits(Channel channel, Destination to) {
    return switch (channel) {
      case EMAIL -> to instanceof Destination.Email;
      case SMS, PHONE -> to instanceof Destination.Phone;
      case WEBHOOK -> to instanceof Destination.Hook;
      case BOT -> to instanceof Destination.Bot;
    };
  }

  /** Without the body, which may be long and is the tenant's data. */
  @Override
  public String toString() {
    return "Outbound[notificationId=" + notificationId + ", eventId=" + eventId + ", alertKey=" + alertKey
        + ", tenant=" + tenant + ", channel=" + channel + ", to=" + to + ", subject=" + subject + ", body=("
        + body.length() + " chars)" + (chartPng == null ? "" : ", chart=(" + chartPng.length + " bytes)") + "]";
  }
}
