package io.vigil.notifier.channel;

import io.vigil.common.control.ChatBot;
import io.vigil.common.control.Secrets;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Where one message goes. The routing stage resolves a recipient to one of these per channel.
 *
 * <p>{@code toString()} never shows a secret, a header value or a URL's path and query (chat bot URLs
 * carry their access token there): only scheme, host and port.
 */
public sealed interface Destination {

  /** A mailbox (EMAIL). */
  record Email(String address) implements Destination {
    public Email {
      requireText(address, "address");
    }
  }

  /** A phone number (SMS and PHONE), as the provider takes it, e.g. {@code +8613800000000}. */
  record Phone(String number) implements Destination {
    public Phone {
      requireText(number, "number");
    }
  }

  /**
   * A tenant's webhook (WEBHOOK).
   *
   * @param secret signs each request when set (see {@code WebhookSignature}); may be null
   * @param headers extra request headers the tenant configured; never null after construction
   */
  record Hook(String webhookId, String url, String secret, Map<String, String> headers) implements Destination {
    public Hook {
      requireText(url, "url");
      headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    @Override
    public String toString() {
      return "Hook[webhookId=" + webhookId + ", url=" + origin(url) + ", secret=" + shown(secret)
          + ", headers=" + new TreeSet<>(headers.keySet()) + "]";
    }
  }

  /**
   * A group chat robot (BOT).
   *
   * @param secret signs each request for DingTalk and Feishu when set; may be null
   */
  record Bot(String botId, ChatBot.Style style, String url, String secret) implements Destination {
    public Bot {
      Objects.requireNonNull(style, "style");
      requireText(url, "url");
    }

    @Override
    public String toString() {
      return "Bot[botId=" + botId + ", style=" + style + ", url=" + origin(url) + ", secret=" + shown(secret) + "]";
    }
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
  }

  private static String shown(String secret) {
    return secret == null ? "(none)" : Secrets.REDACTED;
  }

  /** Scheme, host and port of a URL, without user info, path or query; a placeholder if it does not parse. */
  static String origin(String url) {
    try {
      URI uri = new URI(url);
      if (uri.getHost() == null) {
        return "(not a URL)";
      }
      return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + "/…";
    } catch (java.net.URISyntaxException e) {
      return "(not a URL)";
    }
  }
}
