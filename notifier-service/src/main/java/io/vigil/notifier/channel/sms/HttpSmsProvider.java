package io.vigil.notifier.channel.sms;

import io.vigil.notifier.channel.HttpCall;
import io.vigil.notifier.channel.SendException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A provider reached by one JSON POST per text: {@code {"to", "channel": "sms"|"voice", "text",
 * "idempotencyKey"}} to a configured endpoint with {@code Authorization: Bearer <api key>}; any 2xx
 * means accepted. The endpoint is the operator's configuration and is not put through the outbound URL
 * policy. The key is never logged nor shown by {@link #toString()}.
 */
public final class HttpSmsProvider implements SmsProvider {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpCall http;
  private final URI endpoint;
  private final String apiKey;
  private final Duration timeout;

  public HttpSmsProvider(HttpCall http, URI endpoint, String apiKey, Duration timeout) {
    this.http = http;
    this.endpoint = endpoint;
    this.apiKey = apiKey;
    this.timeout = timeout;
  }

  @Override
  public void send(Kind kind, String to, String text, String idempotencyKey) throws SendException {
    ObjectNode body = JSON.createObjectNode();
    body.put("to", to);
    body.put("channel", kind.word());
    body.put("text", text);
    body.put("idempotencyKey", idempotencyKey);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Idempotency-Key", idempotencyKey);
    if (apiKey != null && !apiKey.isEmpty()) {
      headers.put("Authorization", "Bearer " + apiKey);
    }
    // the operator's endpoint, not a tenant's: resolved as configured, not pinned by the URL policy
    HttpCall.requireSuccess(http.post(endpoint, null, headers, JSON.writeValueAsBytes(body),
        HttpCall.JSON, timeout));
  }

  @Override
  public String toString() {
    return "HttpSmsProvider[endpoint=" + endpoint + ", apiKey=" + (apiKey == null || apiKey.isEmpty() ? "(none)"
        : io.vigil.common.control.Secrets.REDACTED) + "]";
  }
}
