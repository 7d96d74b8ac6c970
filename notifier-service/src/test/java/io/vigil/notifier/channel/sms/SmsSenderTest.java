package io.vigil.notifier.channel.sms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.model.Channel;
import io.vigil.notifier.channel.Destination;
import io.vigil.notifier.channel.HttpCall;
import io.vigil.notifier.channel.Outbound;
import io.vigil.notifier.channel.SendException;
import io.vigil.notifier.channel.TestSink;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SmsSenderTest {

  static final String KEY = "sk_live_provider_key_42";

  TestSink provider;
  HttpSmsProvider http;

  @BeforeEach
  void start() throws Exception {
    provider = new TestSink();
    http = new HttpSmsProvider(HttpCall.client(Duration.ofSeconds(2)), URI.create(provider.url("/v1/messages")), KEY,
        Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() {
    provider.close();
  }

  static Outbound message(Channel channel) {
    return new Outbound("ntf-sms-1", "evt-1", "ak-1", "tenant-a", channel, new Destination.Phone("+8613800000000"),
        "ignored subject", "CPU high on web-1: 97%");
  }

  @Test
  void anSmsReachesTheProviderAsJsonWithTheBearerKey() throws Exception {
    new SmsSender(http, SmsProvider.Kind.SMS).send(message(Channel.SMS));

    TestSink.Received got = provider.last();
    assertThat(got.path()).isEqualTo("/v1/messages");
    assertThat(got.header("Authorization")).isEqualTo("Bearer " + KEY);
    assertThat(got.header("Content-Type")).isEqualTo("application/json");
    JsonNode body = JsonMapper.builder().build().readTree(got.text());
    assertThat(body.path("to").asString()).isEqualTo("+8613800000000");
    assertThat(body.path("channel").asString()).isEqualTo("sms");
    assertThat(body.path("text").asString()).isEqualTo("CPU high on web-1: 97%");
    assertThat(body.path("idempotencyKey").asString()).isEqualTo("ntf-sms-1");
    assertThat(body.properties()).hasSize(4);
  }

  @Test
  void aPhoneCallIsAVoiceRequest() throws Exception {
    new SmsSender(http, SmsProvider.Kind.VOICE).send(message(Channel.PHONE));

    assertThat(JsonMapper.builder().build().readTree(provider.last().text()).path("channel").asString())
        .isEqualTo("voice");
  }

  @Test
  void theProvidersOverloadIsRetryableAndItsRefusalIsNot() {
    provider.answering(n -> TestSink.Answer.of(n == 0 ? 429 : 401));
    SmsSender sender = new SmsSender(http, SmsProvider.Kind.SMS);

    assertThatThrownBy(() -> sender.send(message(Channel.SMS))).isInstanceOfSatisfying(SendException.class, e -> {
      assertThat(e.reason()).isEqualTo("http_429");
      assertThat(e.retryable()).isTrue();
    });
    assertThatThrownBy(() -> sender.send(message(Channel.SMS))).isInstanceOfSatisfying(SendException.class, e -> {
      assertThat(e.reason()).isEqualTo("http_401");
      assertThat(e.retryable()).isFalse();
    });
  }

  @Test
  void theKeyIsNotShown() {
    assertThat(http.toString()).contains("/v1/messages").doesNotContain(KEY);
  }
}
