package io.vigil.notifier.channel.email;

import io.vigil.notifier.channel.ChannelSender;
import io.vigil.notifier.channel.Destination;
import io.vigil.notifier.channel.Outbound;
import io.vigil.notifier.channel.SendException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.MimeMessage;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Properties;
import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailException;
import org.springframework.mail.MailParseException;
import org.springframework.mail.MailPreparationException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;

/**
 * Sends a notification as an HTML email through the configured SMTP relay ({@code spring.mail.*}).
 * The message carries {@code X-Vigil-Notification-Id} and a {@code Message-ID} made from the
 * notificationId, so a re-send of the same notification is recognisable as such by mail clients and
 * by whoever reads the relay's logs.
 */
public final class EmailSender implements ChannelSender {

  public static final String NOTIFICATION_ID_HEADER = "X-Vigil-Notification-Id";

  private final JavaMailSender mail;
  private final String from;
  private final String messageIdDomain;

  public EmailSender(JavaMailSender mail, String from) {
    this.mail = mail;
    this.from = from;
    int at = from.lastIndexOf('@');
    String domain = at < 0 ? "" : from.substring(at + 1).replaceAll("[^A-Za-z0-9.-]", "");
    this.messageIdDomain = domain.isEmpty() ? "vigil.local" : domain;
  }

  /**
   * Bounds each SMTP exchange (connect, each read, each write) by {@code timeout}, unless
   * {@code spring.mail.properties} set a bound already: without one, a relay that accepts the
   * connection and then says nothing holds the sender for ever.
   */
  public static void applyTimeouts(JavaMailSenderImpl sender, Duration timeout) {
    Properties props = sender.getJavaMailProperties();
    String ms = Long.toString(timeout.toMillis());
    for (String key : new String[] {"mail.smtp.connectiontimeout", "mail.smtp.timeout", "mail.smtp.writetimeout"}) {
      props.putIfAbsent(key, ms);
      props.putIfAbsent(key.replace("mail.smtp.", "mail.smtps."), ms);
    }
    sender.setJavaMailProperties(props);
  }

  @Override
  public void send(Outbound message) throws SendException {
    if (!(message.to() instanceof Destination.Email to)) {
      throw SendException.permanent("wrong_destination");
    }
    MimeMessage mime = mail.createMimeMessage();
    try {
      byte[] chart = message.chartPng();
      MimeMessageHelper helper = new MimeMessageHelper(mime, chart != null, "UTF-8");
      helper.setFrom(from);
      helper.setTo(to.address());
      if (message.subject() != null) {
        helper.setSubject(message.subject());
      }
      if (chart == null) {
        helper.setText(message.body(), true);
      } else {
        // the text first, then the image it names (multipart/related)
        helper.setText(withChart(message.body()), true);
        helper.addInline(io.vigil.notifier.render.ChartImage.CONTENT_ID,
            new org.springframework.core.io.ByteArrayResource(chart), "image/png");
      }
      String id = safe(message.notificationId());
      mime.setHeader(NOTIFICATION_ID_HEADER, id);
      // Spring's sender keeps a Message-ID set before sending (the JavaMail default makes a random one)
      mime.setHeader("Message-ID", "<" + id + ".notification@" + messageIdDomain + ">");
    } catch (MessagingException e) {
      throw SendException.permanent("bad_address", e);
    }
    try {
      mail.send(mime);
    } catch (MailException e) {
      throw classify(e);
    }
  }

  /**
   * The HTML with the chart in it: where the template put {@code cid:vigil-chart} already, as it is;
   * else the image goes at the end of the body.
   */
  static String withChart(String html) {
    String cid = "cid:" + io.vigil.notifier.render.ChartImage.CONTENT_ID;
    if (html.contains(cid)) {
      return html;
    }
    String img = "<p><img src=\"" + cid + "\" alt=\"the series' recent windows\" width=\""
        + io.vigil.notifier.render.ChartImage.WIDTH + "\" height=\"" + io.vigil.notifier.render.ChartImage.HEIGHT
        + "\"></p>";
    int end = html.toLowerCase(java.util.Locale.ROOT).lastIndexOf("</body>");
    return end < 0 ? html + img : html.substring(0, end) + img + html.substring(end);
  }

  /** Which SMTP failures another attempt can get past. */
  static SendException classify(MailException e) {
    if (e instanceof MailAuthenticationException) {
      return SendException.permanent("smtp_auth", e);
    }
    if (e instanceof MailParseException || e instanceof MailPreparationException) {
      return SendException.permanent("smtp_bad_message", e);
    }
    if (causedBy(e, SocketTimeoutException.class)) {
      return SendException.retryable(SendException.TIMEOUT, e);
    }
    if (e instanceof MailSendException send) {
      for (Exception failure : send.getFailedMessages().values()) {
        if (failure instanceof SendFailedException rejected && rejected.getInvalidAddresses() != null
            && rejected.getInvalidAddresses().length > 0) {
          return SendException.permanent("smtp_rejected", e); // the relay refused the recipient
        }
      }
    }
    return SendException.retryable("smtp_error", e);
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
      if (t instanceof MessagingException m && m.getNextException() != null && type.isInstance(m.getNextException())) {
        return true;
      }
    }
    if (e instanceof MailSendException send) {
      for (Exception failure : send.getFailedMessages().values()) {
        if (causedBy(failure, type)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The notificationId as it may stand in a header and a Message-ID (our ids are already like this). */
  static String safe(String id) {
    return id.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
