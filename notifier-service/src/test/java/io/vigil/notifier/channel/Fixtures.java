package io.vigil.notifier.channel;

import io.vigil.common.control.ChatBot;
import io.vigil.common.model.Channel;
import io.vigil.common.semantics.OutboundUrlPolicy;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Messages and settings the channel tests share. */
public final class Fixtures {

  /** Loopback and plain http allowed: the test sinks listen on 127.0.0.1. */
  public static final OutboundUrlPolicy LOCAL_SINKS =
      new OutboundUrlPolicy(true, List.of("127.0.0.1/32"), InetAddress::getAllByName);

  private Fixtures() {}

  public static Outbound webhook(String id, String url, String secret, Map<String, String> headers, String body) {
    return new Outbound(id, "evt-1", "ak-1", "tenant-a", Channel.WEBHOOK,
        new Destination.Hook("whk_1", url, secret, headers), "CPU high", body);
  }

  public static Outbound webhook(String url) {
    return webhook("ntf-1", url, null, Map.of(), "{\"alert\":\"cpu high\"}");
  }

  public static Outbound bot(ChatBot.Style style, String url, String secret, String subject, String body) {
    return new Outbound("ntf-bot", "evt-1", "ak-1", "tenant-a", Channel.BOT,
        new Destination.Bot("bot_1", style, url, secret), subject, body);
  }

  /** Quick settings for tests: short pauses, a breaker that judges after 2 calls. */
  public static Resilience quick(int maxAttempts) {
    return new Resilience(maxAttempts, Duration.ofMillis(5), 2.0, Duration.ofMillis(20), 50, 4,
        Duration.ofMinutes(1), 8, Duration.ofMillis(20));
  }
}
