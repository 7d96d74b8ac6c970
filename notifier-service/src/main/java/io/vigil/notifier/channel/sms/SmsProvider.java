package io.vigil.notifier.channel.sms;

import io.vigil.notifier.channel.SendException;

/**
 * A company that delivers text messages and voice calls to phone numbers. One implementation per
 * provider's API; {@link HttpSmsProvider} is a generic JSON one.
 */
@FunctionalInterface
public interface SmsProvider {

  /** What the provider is asked to do with the text. */
  enum Kind {
    /** A text message (channel SMS). */
    SMS("sms"),
    /** A call that reads the text out (channel PHONE). */
    VOICE("voice");

    private final String word;

    Kind(String word) {
      this.word = word;
    }

    /** How the kind is named in a provider request. */
    public String word() {
      return word;
    }
  }

  /**
   * One attempt to hand one text to the provider.
   *
   * @param idempotencyKey the notificationId: the same on every re-send, so the provider can drop one
   * @throws SendException when the provider did not take it
   */
  void send(Kind kind, String to, String text, String idempotencyKey) throws SendException;
}
