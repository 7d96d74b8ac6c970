package io.vigil.notifier.channel.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.semantics.OutboundUrlPolicy;
import io.vigil.notifier.channel.Fixtures;
import io.vigil.notifier.channel.HttpCall;
import io.vigil.notifier.channel.SendException;
import io.vigil.notifier.channel.TestSink;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookSenderTest {

  static final String SECRET = "whsec-test-0123456789";
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);

  TestSink sink;
  WebhookSender sender;

  @BeforeEach
  void start() throws Exception {
    sink = new TestSink();
    sender = new WebhookSender(HttpCall.client(Duration.ofSeconds(2)), Duration.ofSeconds(2), Fixtures.LOCAL_SINKS,
        CLOCK);
  }

  @AfterEach
  void stop() {
    sink.close();
  }

  @Test
  void signsTheTimestampAndTheBodySoTheSecretVerifiesAndAnotherDoesNot() throws Exception {
    String body = "{\"alert\":\"cpu high\",\"value\":97.5}";
    sender.send(Fixtures.webhook("ntf-42", sink.url("/hook"), SECRET, Map.of(), body));

    TestSink.Received got = sink.last();
    assertThat(got.text()).isEqualTo(body);
    assertThat(got.header("X-Vigil-Timestamp")).isEqualTo("1700000000000");
    String signature = got.header("X-Vigil-Signature");
    assertThat(signature).matches("v1=[0-9a-f]{64}");
    assertThat(WebhookSignature.verify(SECRET, got.header("X-Vigil-Timestamp"), got.body(), signature)).isTrue();
    assertThat(WebhookSignature.verify("whsec-another-secret-9876", got.header("X-Vigil-Timestamp"), got.body(),
        signature)).isFalse();
    // the signature covers the timestamp and the body
    assertThat(WebhookSignature.verify(SECRET, "1700000000001", got.body(), signature)).isFalse();
    assertThat(WebhookSignature.verify(SECRET, got.header("X-Vigil-Timestamp"),
        (body + " ").getBytes(StandardCharsets.UTF_8), signature)).isFalse();
  }

  @Test
  void theDocumentedExampleHolds() {
    byte[] body = "{\"alert\":\"cpu high\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(WebhookSignature.sign(SECRET, 1_700_000_000_000L, body))
        .isEqualTo("v1=c16d248fb65d61c65d23277d7150dcc3ad1b9895e7c6db59c3a75bd79495d90a");
    // several entries: any v1 entry that matches is enough, unknown schemes are ignored
    assertThat(WebhookSignature.verify(SECRET, "1700000000000", body,
        "v2=abc, v1=00, v1=c16d248fb65d61c65d23277d7150dcc3ad1b9895e7c6db59c3a75bd79495d90a")).isTrue();
    assertThat(WebhookSignature.verify(SECRET, "1700000000000", body,
        "v2=c16d248fb65d61c65d23277d7150dcc3ad1b9895e7c6db59c3a75bd79495d90a")).isFalse();
  }

  @Test
  void aVerifierWithAClockRefusesAnOldTimestamp() {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    String signature = WebhookSignature.sign(SECRET, 1_700_000_000_000L, body);
    Clock sixMinutesLater = Clock.offset(CLOCK, Duration.ofMinutes(6));
    assertThat(WebhookSignature.verify(SECRET, "1700000000000", body, signature, CLOCK, Duration.ofMinutes(5)))
        .isTrue();
    assertThat(WebhookSignature.verify(SECRET, "1700000000000", body, signature, sixMinutesLater,
        Duration.ofMinutes(5))).isFalse();
  }

  @Test
  void sendsTheIdempotencyKeyTheNotificationIdAndJson() throws Exception {
    sender.send(Fixtures.webhook("ntf-idem-7", sink.url("/hook"), null, Map.of(), "{\"a\":1}"));

    TestSink.Received got = sink.last();
    assertThat(got.method()).isEqualTo("POST");
    assertThat(got.path()).isEqualTo("/hook");
    assertThat(got.header("Idempotency-Key")).isEqualTo("ntf-idem-7");
    assertThat(got.header("X-Vigil-Notification-Id")).isEqualTo("ntf-idem-7");
    assertThat(got.header("Content-Type")).isEqualTo("application/json");
    assertThat(got.header("X-Vigil-Signature")).as("no secret, no signature").isNull();
  }

  @Test
  void sendsTheWebhooksOwnHeadersButNeverLetsThemReplaceOurs() throws Exception {
    sender.send(Fixtures.webhook("ntf-8", sink.url("/hook"), SECRET,
        Map.of("X-Team", "payments", "Authorization", "Token abc", "Idempotency-Key", "forged",
            "X-Vigil-Signature", "v1=forged"), "{}"));

    TestSink.Received got = sink.last();
    assertThat(got.header("X-Team")).isEqualTo("payments");
    assertThat(got.header("Authorization")).isEqualTo("Token abc");
    assertThat(got.header("Idempotency-Key")).isEqualTo("ntf-8");
    assertThat(WebhookSignature.verify(SECRET, got.header("X-Vigil-Timestamp"), got.body(),
        got.header("X-Vigil-Signature"))).isTrue();
  }

  @Test
  void aNameThatResolvesToAPrivateAddressIsRefusedWithoutARequest() throws Exception {
    WebhookSender strict = resolvingOnly("hooks.tenant.example", "10.0.0.5");

    assertThatThrownBy(() -> strict.send(Fixtures.webhook("http://hooks.tenant.example:" + sink.port() + "/hook")))
        .isInstanceOfSatisfying(SendException.class, e -> {
          assertThat(e.reason()).isEqualTo("url_refused");
          assertThat(e.retryable()).isFalse();
        });
    assertThat(sink.count()).isZero();
  }

  @Test
  void theSendConnectsToTheAddressThePolicyCheckedNotToASecondLookUp() throws Exception {
    // the JVM's resolver does not know this name: only the policy's answer (the loopback sink, allowed
    // here) can take the request there, and it keeps the name in its Host header
    WebhookSender pinned = resolvingOnly("hooks.pinned.invalid", "127.0.0.1");

    pinned.send(Fixtures.webhook("http://hooks.pinned.invalid:" + sink.port() + "/hook"));

    assertThat(sink.count()).isEqualTo(1);
    assertThat(sink.last().header("Host")).isEqualTo("hooks.pinned.invalid:" + sink.port());
  }

  @Test
  void aHeaderWithALineBreakIsRefusedWithoutARequest() {
    assertThatThrownBy(() -> sender.send(Fixtures.webhook("ntf-9", sink.url("/hook"), SECRET,
        Map.of("X-Team", "payments\r\nX-Injected: yes"), "{}")))
        .isInstanceOfSatisfying(SendException.class, e -> {
          assertThat(e.reason()).isEqualTo("header_refused");
          assertThat(e.retryable()).isFalse();
        });
    assertThat(sink.count()).isZero();
  }

  @Test
  void aLongAnswerIsCutAndTheNextSendStillGoesThrough() throws Exception {
    sink.answering(n -> n == 0 ? TestSink.Answer.of(503, "x".repeat(200_000)) : TestSink.Answer.of(200));

    assertThatThrownBy(() -> sender.send(Fixtures.webhook(sink.url("/hook"))))
        .isInstanceOfSatisfying(SendException.class, e -> assertThat(e.reason()).isEqualTo("http_503"));
    sender.send(Fixtures.webhook(sink.url("/hook")));

    assertThat(sink.count()).isEqualTo(2);
  }

  @Test
  void aStrictPolicyRefusesTheLoopbackSink() {
    WebhookSender strict = new WebhookSender(HttpCall.client(Duration.ofSeconds(1)), Duration.ofSeconds(1),
        OutboundUrlPolicy.strict(), CLOCK);

    assertThatThrownBy(() -> strict.send(Fixtures.webhook(sink.url("/hook"))))
        .isInstanceOfSatisfying(SendException.class, e -> assertThat(e.reason()).isEqualTo("url_refused"));
    assertThat(sink.count()).isZero();
  }

  @Test
  void aRedirectIsNotFollowed() {
    sink.answering(n -> TestSink.Answer.of(302));

    assertThatThrownBy(() -> sender.send(Fixtures.webhook(sink.url("/hook"))))
        .isInstanceOfSatisfying(SendException.class, e -> {
          assertThat(e.reason()).isEqualTo("http_302");
          assertThat(e.retryable()).isFalse();
        });
    assertThat(sink.count()).isEqualTo(1);
  }

  /** A sender whose URL policy (loopback allowed) knows one name, answering one address. */
  static WebhookSender resolvingOnly(String name, String address) {
    OutboundUrlPolicy.Resolver table = host -> {
      if (host.equals(name)) {
        return new InetAddress[] {InetAddress.getByName(address)};
      }
      throw new UnknownHostException(host);
    };
    return new WebhookSender(HttpCall.client(Duration.ofSeconds(1)), Duration.ofSeconds(1),
        new OutboundUrlPolicy(true, List.of("127.0.0.1/32"), table), CLOCK);
  }
}
