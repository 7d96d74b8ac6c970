package io.vigil.notifier.channel.sms;

import io.vigil.notifier.channel.ChannelSender;
import io.vigil.notifier.channel.Destination;
import io.vigil.notifier.channel.Outbound;
import io.vigil.notifier.channel.SendException;

/**
 * The SMS and PHONE channels: the rendered plain text to the recipient's number through a
 * {@link SmsProvider}, as a text message or as a voice call. The subject is not sent.
 */
public final class SmsSender implements ChannelSender {

  private final SmsProvider provider;
  private final SmsProvider.Kind kind;

  public SmsSender(SmsProvider provider, SmsProvider.Kind kind) {
    this.provider = provider;
    this.kind = kind;
  }

  @Override
  public void send(Outbound message) throws SendException {
    if (!(message.to() instanceof Destination.Phone phone)) {
      throw SendException.permanent("wrong_destination");
    }
    provider.send(kind, phone.number(), message.body(), message.notificationId());
  }
}
