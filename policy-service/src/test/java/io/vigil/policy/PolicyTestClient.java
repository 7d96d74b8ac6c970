package io.vigil.policy;

import io.vigil.common.testing.Http;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import tools.jackson.databind.JsonNode;

/** Calls the policy API as one caller (an API key). */
final class PolicyTestClient {

  private final Http http;
  private final String key;

  PolicyTestClient(Http http, String key) {
    this.http = http;
    this.key = key;
  }

  HttpResponse<String> get(String path) {
    return http.send(request(path).GET().build());
  }

  HttpResponse<String> post(String path, String json) {
    return http.send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  HttpResponse<String> put(String path, String ifMatch, String json) {
    HttpRequest.Builder b = request(path).header("Content-Type", "application/json");
    if (ifMatch != null) {
      b.header("If-Match", ifMatch);
    }
    return http.send(b.PUT(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  HttpResponse<String> delete(String path, String ifMatch) {
    HttpRequest.Builder b = request(path);
    if (ifMatch != null) {
      b.header("If-Match", ifMatch);
    }
    return http.send(b.DELETE().build());
  }

  HttpResponse<String> send(String method, String path, String json, String ifMatch) {
    HttpRequest.Builder b = request(path);
    if (ifMatch != null) {
      b.header("If-Match", ifMatch);
    }
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(json)).build());
  }

  /** POSTs and returns the created object, failing unless the answer is 201. */
  JsonNode create(String path, String json) {
    HttpResponse<String> r = post(path, json);
    if (r.statusCode() != 201) {
      throw new AssertionError("POST " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return Http.json(r);
  }

  private HttpRequest.Builder request(String path) {
    return http.request(path).header("Authorization", "Bearer " + key);
  }
}
