package io.vigil.notifier.channel.bot;

import io.vigil.common.semantics.OutboundUrlPolicy;
import io.vigil.notifier.channel.ChannelSender;
import io.vigil.notifier.channel.Destination;
import io.vigil.notifier.channel.HttpCall;
import io.vigil.notifier.channel.Outbound;
import io.vigil.notifier.channel.SendException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;

/**
 * Posts a notification to a group chat robot (WeCom, DingTalk, Feishu, Slack) in the robot's own JSON
 * shape ({@link BotFormat}), signed where the robot has a secret, and reads the robot's answer: these
 * robots report most failures with HTTP 200 and an error code in the body. The URL is checked against
 * the outbound policy before each attempt.
 */
public final class BotSender implements ChannelSender {

  private final HttpClient http;
  private final Duration timeout;
  private final OutboundUrlPolicy urls;
  private final Clock clock;

  public BotSender(HttpClient http, Duration timeout, OutboundUrlPolicy urls, Clock clock) {
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
    HttpResponse<String> answer = HttpCall.exchange(http, HttpRequest.newBuilder(request.uri())
        .timeout(timeout)
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofByteArray(BotFormat.JSON.writeValueAsBytes(request.body())))
        .build(), timeout);
    HttpCall.requireSuccess(answer);
    format.check(answer.body());
  }
}
