package io.vigil.notifier.channel.bot;

import io.vigil.common.semantics.OutboundUrlPolicy;
import io.vigil.notifier.channel.ChannelSender;
import io.vigil.notifier.channel.Destination;
import io.vigil.notifier.channel.HttpCall;
import io.vigil.notifier.channel.Outbound;
import io.vigil.notifier.channel.SendException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Posts a notification to a group chat robot (WeCom, DingTalk, Feishu, Slack) in the robot's own JSON
 * shape ({@link BotFormat}), signed where the robot has a secret, and reads the robot's answer: these
 * robots report most failures with HTTP 200 and an error code in the body. The URL is checked against
 * the outbound policy before each attempt, and the attempt connects to the addresses checked.
 */
public final class BotSender implements ChannelSender {

  private final HttpCall http;
  private final Duration timeout;
  private final OutboundUrlPolicy urls;
  private final Clock clock;

  public BotSender(HttpCall http, Duration timeout, OutboundUrlPolicy urls, Clock clock) {
    this.http = http;
    this.timeout = timeout;
    this.urls = urls;
    this.clock = clock;
  }

  @Override
  public void send(Outbound message) throws SendException {
    if (!(message.to() instanceof Destination.Bot bot)) {
      throw SendException.permanent("wrong_destination");
    }
    OutboundUrlPolicy.Target target = HttpCall.checkUrl(urls, bot.url());
    BotFormat format = BotFormat.of(bot.style());
    BotFormat.Request request = format.request(bot, message, target.uri(), clock.millis());
    // the robot's URL may carry a signature in its query; its host is the one checked
    HttpCall.Answer answer = http.post(request.uri(), target.addresses(), Map.of(),
        BotFormat.JSON.writeValueAsBytes(request.body()), HttpCall.JSON_UTF8, timeout);
    HttpCall.requireSuccess(answer);
    format.check(answer.body());
  }
}
