package io.vigil.notifier.channel.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.vigil.common.model.Channel;
import io.vigil.notifier.channel.Destination;
import io.vigil.notifier.channel.Outbound;
import io.vigil.notifier.channel.SendException;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.mail.javamail.JavaMailSenderImpl;

class EmailSenderTest {

  @RegisterExtension
  static GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  static JavaMailSenderImpl mailSender(int port) {
    JavaMailSenderImpl sender = new JavaMailSenderImpl();
    sender.setHost("127.0.0.1");
    sender.setPort(port);
    EmailSender.applyTimeouts(sender, Duration.ofSeconds(2));
    return sender;
  }

  static Outbound email(String id, String to, String subject, String html) {
    return new Outbound(id, "evt-1", "ak-1", "tenant-a", Channel.EMAIL, new Destination.Email(to), subject, html);
  }

  @Test
  void anEmailArrivesWithSubjectHtmlBodyAndTheNotificationId() throws Exception {
    EmailSender sender = new EmailSender(mailSender(smtp.getSmtp().getPort()), "alerts@vigil.example");
    String html = "<h1>CPU high</h1><p>web-1 at <b>97%</b> — 中文也行</p>";

    sender.send(email("ntf-abc123", "oncall@tenant.example", "[FIRING] CPU high on web-1", html));

    MimeMessage[] received = smtp.getReceivedMessages();
    assertThat(received).hasSize(1);
    MimeMessage m = received[0];
    assertThat(m.getSubject()).isEqualTo("[FIRING] CPU high on web-1");
    assertThat(m.getFrom()[0].toString()).isEqualTo("alerts@vigil.example");
    assertThat(m.getAllRecipients()[0].toString()).isEqualTo("oncall@tenant.example");
    assertThat(m.getContentType()).startsWith("text/html");
    assertThat((String) m.getContent()).isEqualTo(html);
    assertThat(m.getHeader("X-Vigil-Notification-Id", null)).isEqualTo("ntf-abc123");
    assertThat(m.getMessageID()).isEqualTo("<ntf-abc123.notification@vigil.example>");
  }

  @Test
  void aChartTravelsInlineAsAPngTheHtmlNames() throws Exception {
    EmailSender sender = new EmailSender(mailSender(smtp.getSmtp().getPort()), "alerts@vigil.example");
    byte[] png = io.vigil.notifier.render.ChartImage.png(java.util.List.of(40.0, 55.0, 91.0, 97.0), 90.0);
    String html = "<html><body><h1>CPU high</h1></body></html>";

    sender.send(new Outbound("ntf-chart", "evt-1", "ak-1", "tenant-a", Channel.EMAIL,
        new Destination.Email("oncall@tenant.example"), "[FIRING] CPU high", html, png));

    MimeMessage m = smtp.getReceivedMessages()[0];
    assertThat(m.getContentType()).startsWith("multipart/");
    jakarta.mail.internet.MimeMultipart outer = (jakarta.mail.internet.MimeMultipart) m.getContent();
    java.util.List<jakarta.mail.BodyPart> parts = new java.util.ArrayList<>();
    collect(outer, parts);
    jakarta.mail.BodyPart text = parts.stream().filter(p -> typeOf(p).startsWith("text/html")).findFirst()
        .orElseThrow();
    jakarta.mail.BodyPart image = parts.stream().filter(p -> typeOf(p).startsWith("image/png")).findFirst()
        .orElseThrow();
    assertThat((String) text.getContent()).as("the image goes before the end of the body")
        .contains("<img src=\"cid:vigil-chart\"").endsWith("</body></html>").contains("<h1>CPU high</h1>");
    assertThat(image.getHeader("Content-ID")[0]).isEqualTo("<vigil-chart>");
    byte[] got = image.getInputStream().readAllBytes();
    assertThat(got).isEqualTo(png);
    assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(got)).getWidth())
        .isEqualTo(io.vigil.notifier.render.ChartImage.WIDTH);
  }

  @Test
  void aTemplateThatPlacesTheChartItselfKeepsItsPlace() {
    String placed = "<p>before</p><img src=\"cid:vigil-chart\"><p>after</p>";
    assertThat(EmailSender.withChart(placed)).isEqualTo(placed);
    assertThat(EmailSender.withChart("<p>no body tag</p>")).startsWith("<p>no body tag</p><p><img");
  }

  private static String typeOf(jakarta.mail.BodyPart p) {
    try {
      return p.getContentType().toLowerCase(java.util.Locale.ROOT);
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void collect(jakarta.mail.Multipart multipart, java.util.List<jakarta.mail.BodyPart> out)
      throws Exception {
    for (int i = 0; i < multipart.getCount(); i++) {
      jakarta.mail.BodyPart part = multipart.getBodyPart(i);
      if (part.getContent() instanceof jakarta.mail.Multipart nested) {
        collect(nested, out);
      } else {
        out.add(part);
      }
    }
  }

  @Test
  void aReSendCarriesTheSameMessageId() throws Exception {
    EmailSender sender = new EmailSender(mailSender(smtp.getSmtp().getPort()), "alerts@vigil.example");

    sender.send(email("ntf-same", "a@tenant.example", "s", "<p>1</p>"));
    sender.send(email("ntf-same", "a@tenant.example", "s", "<p>1</p>"));

    MimeMessage[] received = smtp.getReceivedMessages();
    assertThat(received).hasSize(2);
    assertThat(received[0].getMessageID()).isEqualTo(received[1].getMessageID());
  }

  @Test
  void anUnreachableRelayIsWorthAnotherTry() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    EmailSender sender = new EmailSender(mailSender(closedPort), "alerts@vigil.example");

    assertThatThrownBy(() -> sender.send(email("n", "a@tenant.example", "s", "<p/>")))
        .isInstanceOfSatisfying(SendException.class, e -> {
          assertThat(e.reason()).isEqualTo("smtp_error");
          assertThat(e.retryable()).isTrue();
        });
  }

  @Test
  void anAddressThatDoesNotParseIsPermanent() {
    EmailSender sender = new EmailSender(mailSender(smtp.getSmtp().getPort()), "alerts@vigil.example");

    assertThatThrownBy(() -> sender.send(email("n", "not an address <", "s", "<p/>")))
        .isInstanceOfSatisfying(SendException.class, e -> {
          assertThat(e.reason()).isEqualTo("bad_address");
          assertThat(e.retryable()).isFalse();
        });
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }
}
