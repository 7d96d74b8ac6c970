package io.vigil.notifier.channel;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real HTTP server on 127.0.0.1 for the channel tests: it records every request it gets and answers
 * with what the test tells it, per request number (0 for the first).
 */
public final class TestSink implements AutoCloseable {

  /** A request as the sink received it. */
  public record Received(String method, String path, String query, Map<String, String> headers, byte[] body) {

    public String header(String name) {
      return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** An answer: status, body, and how long to hold it back (0: at once). */
  public record Answer(int status, String body, long delayMs) {
    public static Answer of(int status) {
      return new Answer(status, "", 0);
    }

    public static Answer of(int status, String body) {
      return new Answer(status, body, 0);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Received> received = new ArrayList<>();
  private final AtomicInteger count = new AtomicInteger();
  private final CountDownLatch released = new CountDownLatch(1);
  private volatile Function<Integer, Answer> answers = n -> Answer.of(200);

  public TestSink() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Answers request number n (from 0) with {@code answers.apply(n)}. */
  public TestSink answering(Function<Integer, Answer> answers) {
    this.answers = answers;
    return this;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Requests received so far. */
  public int count() {
    return count.get();
  }

  public synchronized List<Received> received() {
    return List.copyOf(received);
  }

  public Received last() {
    List<Received> all = received();
    return all.get(all.size() - 1);
  }

  private void handle(HttpExchange exchange) throws IOException {
    int n = count.getAndIncrement();
    Map<String, String> headers = new TreeMap<>();
    exchange.getRequestHeaders()
        .forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), String.join(",", v)));
    byte[] body = exchange.getRequestBody().readAllBytes();
    synchronized (this) {
      received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
          exchange.getRequestURI().getRawQuery(), headers, body));
    }
    Answer answer = answers.apply(n);
    if (answer.delayMs() > 0) {
      try {
        released.await(answer.delayMs(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
    try {
      exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream os = exchange.getResponseBody()) {
          os.write(out);
        }
      }
    } catch (IOException e) {
      // the client gave up waiting (a timeout test): nothing to answer
    } finally {
      exchange.close();
    }
  }

  /** Lets every held-back answer go now. */
  public void release() {
    released.countDown();
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
