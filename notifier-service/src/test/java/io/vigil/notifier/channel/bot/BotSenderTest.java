package io.vigil.notifier.channel.bot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.control.ChatBot.Style;
import io.vigil.notifier.channel.Fixtures;
import io.vigil.notifier.channel.HttpCall;
import io.vigil.notifier.channel.SendException;
import io.vigil.notifier.channel.TestSink;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class BotSenderTest {

  static final long NOW_MS = 1_700_000_123_456L;
  static final String BODY = "**CPU high** on `web-1`: 97%\n> \"quoted\" & <tags>";
  static final JsonMapper JSON = JsonMapper.builder().build();

  TestSink sink;
  BotSender sender;

  @BeforeEach
  void start() throws Exception {
    sink = new TestSink();
    sender = new BotSender(HttpCall.client(Duration.ofSeconds(2)), Duration.ofSeconds(2), Fixtures.LOCAL_SINKS,
        Clock.fixed(Instant.ofEpochMilli(NOW_MS), ZoneOffset.UTC));
  }

  @AfterEach
  void stop() {
    sink.close();
  }

  JsonNode sent() {
    return JSON.readTree(sink.last().text());
  }

  static byte[] hmac(String key, String data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  static Map<String, String> query(String raw) {
    Map<String, String> q = new LinkedHashMap<>();
    for (String pair : raw.split("&")) {
      String[] kv = pair.split("=", 2);
      q.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
    }
    return q;
  }

  @Test
  void wecomGetsMarkdown() throws Exception {
    sink.answering(n -> TestSink.Answer.of(200, "{\"errcode\":0,\"errmsg\":\"ok\"}"));

    sender.send(Fixtures.bot(Style.WECOM, sink.url("/cgi-bin/webhook/send?key=k1"), null, "CPU high", BODY));

    JsonNode sent = sent();
    assertThat(sent.path("msgtype").asString()).isEqualTo("markdown");
    assertThat(sent.path("markdown").path("content").asString()).isEqualTo(BODY);
    assertThat(sink.last().query()).isEqualTo("key=k1");
    assertThat(sink.last().header("Content-Type")).startsWith("application/json");
  }

  @Test
  void wecomsErrorCodeIsAFailure() {
    sink.answering(n -> TestSink.Answer.of(200, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}"));

    assertThatThrownBy(() -> sender.send(Fixtures.bot(Style.WECOM, sink.url("/w"), null, null, BODY)))
        .isInstanceOfSatisfying(SendException.class, e -> {
          assertThat(e.reason()).isEqualTo("bot_error_93000");
          assertThat(e.retryable()).isFalse();
        });
  }

  @Test
  void wecomsRateLimitIsWorthAnotherTry() {
    sink.answering(n -> TestSink.Answer.of(200, "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}"));

    assertThatThrownBy(() -> sender.send(Fixtures.bot(Style.WECOM, sink.url("/w"), null, null, BODY)))
        .isInstanceOfSatisfying(SendException.class, e -> {
          assertThat(e.reason()).isEqualTo("bot_error_45009");
          assertThat(e.retryable()).isTrue();
        });
  }

  @Test
  void dingtalkGetsMarkdownWithATitleAndASignedUrl() throws Exception {
    sink.answering(n -> TestSink.Answer.of(200, "{\"errcode\":0,\"errmsg\":\"ok\"}"));
    String secret = "SEC0123456789abcdef";

    sender.send(Fixtures.bot(Style.DINGTALK, sink.url("/robot/send?access_token=tok-1"), secret, "CPU high", BODY));

    JsonNode sent = sent();
    assertThat(sent.path("msgtype").asString()).isEqualTo("markdown");
    assertThat(sent.path("markdown").path("title").asString()).isEqualTo("CPU high");
    assertThat(sent.path("markdown").path("text").asString()).isEqualTo(BODY);
    Map<String, String> q = query(sink.last().query());
    assertThat(q).containsEntry("access_token", "tok-1").containsEntry("timestamp", Long.toString(NOW_MS));
    String expected = Base64.getEncoder().encodeToString(hmac(secret, NOW_MS + "\n" + secret));
    assertThat(q.get("sign")).isEqualTo(expected);
    // the raw query carries the signature URL-encoded (Base64's + / = are not left bare)
    assertThat(sink.last().query()).endsWith("&sign=" + URLEncoder.encode(expected, StandardCharsets.UTF_8));
  }

  @Test
  void dingtalkWithoutASecretIsNotSignedAndItsErrorCodeIsAFailure() {
    sink.answering(n -> TestSink.Answer.of(200, "{\"errcode\":310000,\"errmsg\":\"keywords not in content\"}"));

    assertThatThrownBy(() -> sender.send(Fixtures.bot(Style.DINGTALK, sink.url("/robot/send?access_token=t"), null,
        null, BODY))).isInstanceOfSatisfying(SendException.class,
            e -> assertThat(e.reason()).isEqualTo("bot_error_310000"));
    assertThat(sink.last().query()).isEqualTo("access_token=t");
    assertThat(sent().path("markdown").path("title").asString()).isEqualTo("Vigil");
  }

  @Test
  void feishuGetsTextWithTimestampAndSignature() throws Exception {
    sink.answering(n -> TestSink.Answer.of(200, "{\"code\":0,\"msg\":\"success\",\"data\":{}}"));
    String secret = "feishu-secret-xyz";

    sender.send(Fixtures.bot(Style.FEISHU, sink.url("/open-apis/bot/v2/hook/abc"), secret, "CPU high", BODY));

    JsonNode sent = sent();
    long seconds = NOW_MS / 1000;
    assertThat(sent.path("msg_type").asString()).isEqualTo("text");
    assertThat(sent.path("content").path("text").asString()).isEqualTo(BODY);
    assertThat(sent.path("timestamp").asString()).isEqualTo(Long.toString(seconds));
    assertThat(sent.path("sign").asString())
        .isEqualTo(Base64.getEncoder().encodeToString(hmac(seconds + "\n" + secret, "")));
  }

  @Test
  void feishusErrorCodeIsAFailure() {
    sink.answering(n -> TestSink.Answer.of(200, "{\"code\":19021,\"msg\":\"sign match fail\",\"data\":{}}"));

    assertThatThrownBy(() -> sender.send(Fixtures.bot(Style.FEISHU, sink.url("/hook"), "s", null, BODY)))
        .isInstanceOfSatisfying(SendException.class, e -> {
          assertThat(e.reason()).isEqualTo("bot_error_19021");
          assertThat(e.retryable()).isFalse();
        });
  }

  @Test
  void feishuWithoutASecretSendsNoSignature() throws Exception {
    sink.answering(n -> TestSink.Answer.of(200, "{\"StatusCode\":0,\"StatusMessage\":\"success\"}"));

    sender.send(Fixtures.bot(Style.FEISHU, sink.url("/hook"), null, null, BODY));

    assertThat(sent().has("sign")).isFalse();
    assertThat(sent().has("timestamp")).isFalse();
  }

  @Test
  void slackGetsTextAndAcceptsOk() throws Exception {
    sink.answering(n -> TestSink.Answer.of(200, "ok"));

    sender.send(Fixtures.bot(Style.SLACK, sink.url("/services/T0/B0/x"), null, "CPU high", BODY));

    JsonNode sent = sent();
    assertThat(sent.path("text").asString()).isEqualTo(BODY);
    assertThat(sent.properties()).hasSize(1);
  }

  @Test
  void slacksRefusalIsAFailure() {
    sink.answering(n -> TestSink.Answer.of(404, "no_service"));

    assertThatThrownBy(() -> sender.send(Fixtures.bot(Style.SLACK, sink.url("/services/x"), null, null, BODY)))
        .isInstanceOfSatisfying(SendException.class, e -> {
          assertThat(e.reason()).isEqualTo("http_404");
          assertThat(e.retryable()).isFalse();
        });
  }

  @Test
  void anAnswerThatIsNotJsonIsAFailure() {
    sink.answering(n -> TestSink.Answer.of(200, "<html>proxy</html>"));

    assertThatThrownBy(() -> sender.send(Fixtures.bot(Style.WECOM, sink.url("/w"), null, null, BODY)))
        .isInstanceOfSatisfying(SendException.class, e -> assertThat(e.reason()).isEqualTo("bot_error_unreadable"));
  }
}
