package io.vigil.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.VigilTestInitializer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A product onboarded as a user does it, through policy-service's API: the product, one namespace of
 * it and a credential; then signed pushes through the gateway. Each test class onboards its own.
 */
final class Onboarded {

  final String product;
  final String namespace;
  final String keyId;
  final String secret;
  private final Platform platform;

  private Onboarded(Platform platform, String product, String namespace, String keyId, String secret) {
    this.platform = platform;
    this.product = product;
    this.namespace = namespace;
    this.keyId = keyId;
    this.secret = secret;
  }

  /**
   * Registers the product and the namespace ({@code namespaceJson}: its whole body, name included),
   * makes a credential, and waits until the gateway takes a push for {@code probe} (the gateway hears
   * of the new objects on {@code control.changes}).
   */
  static Onboarded register(Platform platform, String product, String namespace, String namespaceJson, String metric,
      Map<String, String> probe, double probeValue) {
    Caller admin = admin(platform);
    admin.create("/v1/products", """
        {"name": "%s", "owners": ["Vigil e2e"]}""".formatted(product));
    admin.create("/v1/namespaces", namespaceJson);
    JsonNode credential = admin.create("/v1/products/" + product + "/credentials", "");
    String secret = credential.path("secret").asString();
    assertThat(secret).as("the secret is shown once, at creation").isNotBlank();
    Onboarded o = new Onboarded(platform, product, namespace, credential.path("keyId").asString(), secret);
    Awaits.until("the gateway accepts " + product + "'s pushes", Duration.ofSeconds(60),
        () -> o.push(metric, Map.of(probe, probeValue)).statusCode() == 200);
    return o;
  }

  static Caller admin(Platform platform) {
    return new Caller(platform.http("policy"), VigilTestInitializer.PLATFORM_ADMIN_KEY);
  }

  /** Makes the tenant a webhook receiver of this name at the sink's {@code /hook}; answers its id. */
  static String webhook(Caller admin, String tenant, String name, WebhookSink sink) {
    return admin.create("/v1/tenants/" + tenant + "/webhooks", Http.JSON.writeValueAsString(
        Map.of("name", name, "url", sink.url("/hook")))).path("id").asString();
  }

  /** One point now for each series (its dimensions) with its value, signed and sent as one batch. */
  HttpResponse<String> push(String metric, Map<Map<String, String>, Double> values) {
    return pushAt("gateway", System.currentTimeMillis(), metric, values);
  }

  /**
   * One point at {@code timestampMs} for each series, signed and sent as one batch to one gateway
   * instance ({@code gateway}, {@code gateway-2}); sent again with the same time, it is the same points.
   */
  HttpResponse<String> pushAt(String gateway, long timestampMs, String metric,
      Map<Map<String, String>, Double> values) {
    List<Map<String, Object>> points = new ArrayList<>();
    values.forEach((dims, value) -> points.add(Map.of("metric", metric, "dimensions", dims, "timestampMs",
        timestampMs, "value", value)));
    return send(gateway, "/v1/metrics", Map.of("namespace", namespace, "points", points));
  }

  /** A batch of events, signed and sent. */
  HttpResponse<String> sendEvents(List<Map<String, Object>> events) {
    return send("gateway", "/v1/events", Map.of("namespace", namespace, "events", events));
  }

  private HttpResponse<String> send(String gateway, String path, Map<String, Object> body) {
    return Caller.signedPost(platform.http(gateway), path, keyId, secret, Http.JSON.writeValueAsString(body));
  }
}
