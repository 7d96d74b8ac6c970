package io.vigil.notifier.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.control.ChatBot;
import io.vigil.common.model.Channel;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DestinationTest {

  @Test
  void aHookShowsNeitherItsSecretNorHeaderValuesNorItsPath() {
    var hook = new Destination.Hook("whk_1", "https://hooks.example.com/in/TOKEN-IN-PATH?key=QUERYKEY",
        "s3cret-signing-key-1234", Map.of("Authorization", "Bearer header-value-9"));

    assertThat(hook.toString()).contains("whk_1", "hooks.example.com", "Authorization", "<redacted>")
        .doesNotContain("s3cret-signing-key-1234", "header-value-9", "TOKEN-IN-PATH", "QUERYKEY");
  }

  @Test
  void aBotShowsNeitherItsSecretNorItsAccessToken() {
    var bot = new Destination.Bot("bot_1", ChatBot.Style.DINGTALK,
        "https://oapi.dingtalk.com/robot/send?access_token=ACCESS-TOKEN-77", "SECdingtalk-secret-55");

    assertThat(bot.toString()).contains("bot_1", "DINGTALK", "oapi.dingtalk.com")
        .doesNotContain("ACCESS-TOKEN-77", "SECdingtalk-secret-55");
  }

  @Test
  void anOutboundDoesNotShowItsBodyAndItsSecretsStayHidden() {
    var message = new Outbound("ntf-1", "evt-1", "ak-1", "t", Channel.WEBHOOK,
        new Destination.Hook("whk_1", "https://h.example.com/x", "hook-secret-abcdef", Map.of()), "s",
        "{\"private\":\"tenant data\"}");

    assertThat(message.toString()).contains("ntf-1").doesNotContain("tenant data", "hook-secret-abcdef");
  }

  @Test
  void aChannelTakesOnlyItsKindOfDestination() {
    assertThatThrownBy(() -> new Outbound("n", "e", "a", "t", Channel.SMS, new Destination.Email("a@b.example"), null,
        "x")).isInstanceOf(IllegalArgumentException.class);
    assertThat(new Outbound("n", "e", "a", "t", Channel.PHONE, new Destination.Phone("+100"), null, "x").to())
        .isEqualTo(new Destination.Phone("+100"));
  }
}
