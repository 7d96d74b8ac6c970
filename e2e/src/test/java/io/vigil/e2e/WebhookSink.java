package io.vigil.e2e;

import com.sun.net.httpserver.HttpServer;
import io.vigil.common.testing.Http;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * A tenant's webhook receiver: a real HTTP server on this machine that keeps every notification it
 * is sent, with the notification id the notifier put on it, and answers 200. {@link #all} and {@link
 * #matching} are every receipt (a retry or a re-delivery again); {@link #notified} what a receiver keeps.
 */
final class WebhookSink implements AutoCloseable {

  /** One POST as received. */
  record Received(String notificationId, JsonNode body, long receivedAtMs) {
    String status() {
      return body.path("status").asString();
    }

    String alertKey() {
      return body.path("alertKey").asString();
    }
  }

  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.ExecutorService executor;

  WebhookSink() throws IOException {
    this(Duration.ZERO);
  }

  /**
   * A receiver that answers each POST only after {@code answerAfter}: longer than the notifier's
   * timeout, it is a receiver that times out (every attempt still recorded as received).
   */
  WebhookSink(Duration answerAfter) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    executor = Executors.newFixedThreadPool(answerAfter.isZero() ? 4 : 32);
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(exchange.getRequestHeaders().getFirst("X-Vigil-Notification-Id"),
            Http.JSON.readTree(body), System.currentTimeMillis()));
        if (!answerAfter.isZero()) {
          Thread.sleep(answerAfter.toMillis());
        }
        exchange.sendResponseHeaders(200, -1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exchange.sendResponseHeaders(503, -1);
      } catch (RuntimeException e) {
        exchange.sendResponseHeaders(400, -1);
      } finally {
        exchange.close();
      }
    });
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  List<Received> matching(Predicate<Received> filter) {
    List<Received> out = new ArrayList<>();
    for (Received r : received) {
      if (filter.test(r)) {
        out.add(r);
      }
    }
    return out;
  }

  List<Received> all() {
    return List.copyOf(received);
  }

  /**
   * What a receiver that honours the idempotency key keeps: the first receipt of each notification id.
   * Delivery is at-least-once (ARCHITECTURE.md): a notifier that crashed after a send and before noting it
   * sends it again, under the same id, and a receiver drops the repeat.
   */
  List<Received> notified(Predicate<Received> filter) {
    Set<String> ids = new HashSet<>();
    List<Received> out = new ArrayList<>();
    for (Received r : received) {
      if (ids.add(r.notificationId()) && filter.test(r)) {
        out.add(r);
      }
    }
    return out;
  }

  List<Received> notified() {
    return notified(r -> true);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
