package io.vigil.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A real HTTP server standing in for the console's peers (policy, storage, notifier) in the module's
 * slice tests: each route answers what the test set (status, JSON), and every call is recorded with
 * its method, path, query, bearer token and body. The browser test in e2e runs the real services.
 */
final class FakePeers implements AutoCloseable {

  record Call(String method, String path, String query, String bearer, String body, String ifMatch) {}

  record Answer(int status, String json) {}

  private final HttpServer server;
  private final Map<String, Function<Call, Answer>> routes = new ConcurrentHashMap<>();
  final List<Call> calls = new CopyOnWriteArrayList<>();

  FakePeers() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** {@code "GET /v1/me"} answers as the function says. */
  void on(String methodAndPath, Function<Call, Answer> answer) {
    routes.put(methodAndPath, answer);
  }

  void on(String methodAndPath, int status, String json) {
    on(methodAndPath, c -> new Answer(status, json));
  }

  void reset() {
    routes.clear();
    calls.clear();
  }

  List<Call> calls(String path) {
    return calls.stream().filter(c -> c.path().equals(path)).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String auth = exchange.getRequestHeaders().getFirst("Authorization");
    Call call = new Call(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
        exchange.getRequestURI().getQuery(), auth == null ? null : auth.replaceFirst("^Bearer ", ""),
        new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
        exchange.getRequestHeaders().getFirst("If-Match"));
    calls.add(call);
    Function<Call, Answer> route = routes.get(call.method() + " " + call.path());
    Answer a = route == null ? new Answer(404, "{\"code\":\"not_found\",\"detail\":\"no such route\"}") : route.apply(call);
    byte[] body = a.json().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", a.status() < 400 ? "application/json" : "application/problem+json");
    exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
