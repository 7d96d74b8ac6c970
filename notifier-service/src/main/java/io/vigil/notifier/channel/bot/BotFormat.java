package io.vigil.notifier.channel.bot;

import io.vigil.common.control.ChatBot;
import io.vigil.notifier.channel.Destination;
import io.vigil.notifier.channel.Outbound;
import io.vigil.notifier.channel.SendException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What each kind of chat robot takes and answers. The rendered body is the message text; the subject
 * is used only where the robot's message needs a title (DingTalk). An answer with an error code is a
 * failure {@code bot_error_<code>}: permanent (a refused payload, a bad signature, a deleted robot)
 * except the codes the robot uses for "too many messages", which are retryable.
 */
enum BotFormat {

  /** WeCom (企业微信) group robot: markdown; the answer's {@code errcode} is 0 on success. */
  WECOM(Set.of(45009L)) {
    @Override
    Request request(Destination.Bot bot, Outbound message, URI uri, long nowMs) {
      ObjectNode root = JSON.createObjectNode();
      root.put("msgtype", "markdown");
      root.putObject("markdown").put("content", message.body());
      return new Request(uri, root);
    }

    @Override
    void check(String answer) throws SendException {
      checkCode(read(answer).path("errcode"));
    }
  },

  /**
   * DingTalk (钉钉) group robot: markdown with a title. With a secret, the URL gets {@code timestamp}
   * (ms) and {@code sign}: URL-encoded Base64 of HMAC-SHA256 keyed with the secret over
   * {@code timestamp + "\n" + secret}. The answer's {@code errcode} is 0 on success.
   */
  DINGTALK(Set.of(130101L)) {
    @Override
    Request request(Destination.Bot bot, Outbound message, URI uri, long nowMs) {
      ObjectNode root = JSON.createObjectNode();
      root.put("msgtype", "markdown");
      String title = message.subject() == null || message.subject().isBlank() ? "Vigil" : message.subject();
      root.putObject("markdown").put("title", title).put("text", message.body());
      if (!hasSecret(bot)) {
        return new Request(uri, root);
      }
      String sign = base64(hmac(bot.secret(), nowMs + "\n" + bot.secret()));
      return new Request(withQuery(uri, "timestamp=" + nowMs + "&sign=" + URLEncoder.encode(sign,
          StandardCharsets.UTF_8)), root);
    }

    @Override
    void check(String answer) throws SendException {
      checkCode(read(answer).path("errcode"));
    }
  },

  /**
   * Feishu (飞书) group robot: a text message. With a secret, the body gets {@code timestamp}
   * (seconds, as a string) and {@code sign}: Base64 of HMAC-SHA256 keyed with
   * {@code timestamp + "\n" + secret} over no data. The answer's {@code code} (older robots:
   * {@code StatusCode}) is 0 on success.
   */
  FEISHU(Set.of(99991400L)) {
    @Override
    Request request(Destination.Bot bot, Outbound message, URI uri, long nowMs) {
      ObjectNode root = JSON.createObjectNode();
      if (hasSecret(bot)) {
        long seconds = nowMs / 1000;
        root.put("timestamp", Long.toString(seconds));
        root.put("sign", base64(hmac(seconds + "\n" + bot.secret(), "")));
      }
      root.put("msg_type", "text");
      root.putObject("content").put("text", message.body());
      return new Request(uri, root);
    }

    @Override
    void check(String answer) throws SendException {
      JsonNode root = read(answer);
      checkCode(root.has("code") ? root.path("code") : root.path("StatusCode"));
    }
  },

  /** Slack incoming webhook: {@code {"text": ...}}; the answer is the plain text {@code ok}. */
  SLACK(Set.of()) {
    @Override
    Request request(Destination.Bot bot, Outbound message, URI uri, long nowMs) {
      ObjectNode root = JSON.createObjectNode();
      root.put("text", message.body());
      return new Request(uri, root);
    }

    @Override
    void check(String answer) throws SendException {
      if (!"ok".equals(answer.trim())) {
        throw SendException.permanent("bot_error_unexpected_answer");
      }
    }
  };

  static final JsonMapper JSON = JsonMapper.builder().build();

  /** The request to send: where (the bot's URL, with signing parameters for DingTalk) and what. */
  record Request(URI uri, ObjectNode body) {}

  private final Set<Long> rateLimitCodes;

  BotFormat(Set<Long> rateLimitCodes) {
    this.rateLimitCodes = rateLimitCodes;
  }

  static BotFormat of(ChatBot.Style style) {
    return valueOf(style.name());
  }

  /** The request for a message to {@code bot} at {@code uri} (the checked URL), signed at {@code nowMs}. */
  abstract Request request(Destination.Bot bot, Outbound message, URI uri, long nowMs);

  /** Throws the failure a 2xx answer stands for, if it reports one. */
  abstract void check(String answer) throws SendException;

  void checkCode(JsonNode code) throws SendException {
    if (!code.isIntegralNumber()) {
      throw SendException.permanent("bot_error_unreadable");
    }
    long value = code.longValue();
    if (value != 0) {
      String reason = "bot_error_" + value;
      throw rateLimitCodes.contains(value) ? SendException.retryable(reason) : SendException.permanent(reason);
    }
  }

  static JsonNode read(String answer) throws SendException {
    try {
      return JSON.readTree(answer);
    } catch (JacksonException e) {
      throw SendException.permanent("bot_error_unreadable");
    }
  }

  static boolean hasSecret(Destination.Bot bot) {
    return bot.secret() != null && !bot.secret().isEmpty();
  }

  static URI withQuery(URI uri, String extra) {
    String query = uri.getRawQuery() == null ? extra : uri.getRawQuery() + "&" + extra;
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    return URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + path + "?" + query);
  }

  static byte[] hmac(String key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
