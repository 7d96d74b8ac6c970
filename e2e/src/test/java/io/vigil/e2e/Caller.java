package io.vigil.e2e;

import io.vigil.common.semantics.RequestSigning;
import io.vigil.common.testing.Http;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * A caller of the platform's HTTP APIs: a bearer key for the control plane and the query APIs, or a
 * product credential whose requests are signed through common's signer (the gateway's way in).
 */
final class Caller {

  private final Http http;
  private final String bearer;

  Caller(Http http, String bearer) {
    this.http = http;
    this.bearer = bearer;
  }

  HttpResponse<String> get(String path) {
    return http.send(http.request(path).header("Authorization", "Bearer " + bearer).GET().build());
  }

  HttpResponse<String> post(String path, String json) {
    return http.send(http.request(path).header("Authorization", "Bearer " + bearer)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  /** DELETEs the object as it is now: its version read first and sent as {@code If-Match}, as the API asks. */
  HttpResponse<String> delete(String path) {
    String etag = get(path).headers().firstValue("ETag").orElseThrow(() -> new AssertionError(path + " has no ETag"));
    return http.send(http.request(path).header("Authorization", "Bearer " + bearer).header("If-Match", etag)
        .DELETE().build());
  }

  /** POSTs and returns the created object, failing unless the answer is 201. */
  JsonNode create(String path, String json) {
    HttpResponse<String> r = post(path, json);
    if (r.statusCode() != 201) {
      throw new AssertionError("POST " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return Http.json(r);
  }

  /** GETs and returns the answer, failing unless it is 200. */
  JsonNode read(String path) {
    HttpResponse<String> r = get(path);
    if (r.statusCode() != 200) {
      throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return Http.json(r);
  }

  /** A JSON body POSTed to the gateway, signed with a product credential. */
  static HttpResponse<String> signedPost(Http gateway, String path, String keyId, String secret, String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    long timestamp = System.currentTimeMillis();
    String nonce = "e2e-" + UUID.randomUUID();
    String signature = RequestSigning.sign(secret, new RequestSigning.Request("POST", path, Map.of(), timestamp,
        nonce, bytes));
    return gateway.send(gateway.request(path).header("Content-Type", "application/json")
        .header("Authorization", RequestSigning.authorization(keyId, signature))
        .header(RequestSigning.TIMESTAMP_HEADER, Long.toString(timestamp))
        .header(RequestSigning.NONCE_HEADER, nonce)
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
  }
}
