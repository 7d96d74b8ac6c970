package io.vigil.notifier.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The channels' HTTP client against receivers that close connections their own way: a real socket
 * server on 127.0.0.1 that reads each request whole and then does what the test says.
 */
class HttpCallTest {

  /** A receiver that takes one request per connection, then answers (or not) and closes it. */
  static final class ClosingReceiver implements AutoCloseable {
    final ServerSocket server;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    final Thread acceptor;

    /** @param answer whether a request gets its answer before the connection is closed */
    ClosingReceiver(boolean answer) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try (Socket s = server.accept()) {
            connections.incrementAndGet();
            readRequest(s.getInputStream());
            requests.incrementAndGet();
            if (answer) {
              // an HTTP/1.1 answer without "Connection: close": the client may keep the connection,
              // which is closed right after, as a server past its idle-connection limit does
              OutputStream out = s.getOutputStream();
              out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
                  .getBytes(StandardCharsets.US_ASCII));
              out.flush();
            }
          } catch (IOException e) {
            // closed by the test, or a client that went away
          }
        }
      }, "closing-receiver");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/hook");
    }

    private static void readRequest(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        head.write(b);
        if (head.size() >= 4 && head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
          break;
        }
      }
      int length = 0;
      for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      in.readNBytes(length);
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  private ClosingReceiver receiver;

  @AfterEach
  void stop() throws IOException {
    if (receiver != null) {
      receiver.close();
    }
  }

  private static HttpCall.Answer post(HttpCall call, URI uri) throws SendException {
    return call.post(uri, null, Map.of("Idempotency-Key", "ntf-1"), "{}".getBytes(StandardCharsets.UTF_8),
        HttpCall.JSON, Duration.ofSeconds(2));
  }

  @Test
  void aKeptConnectionTheReceiverClosedAfterItsAnswerIsNotAFailedSend() throws Exception {
    receiver = new ClosingReceiver(true);
    HttpCall call = HttpCall.client(Duration.ofSeconds(1));

    for (int i = 0; i < 10; i++) {
      // one after the other, well inside the pool's idle check: each send finds the last one's
      // connection kept, and closed by the receiver
      assertThat(post(call, receiver.uri()).statusCode()).isEqualTo(200);
    }

    assertThat(receiver.requests.get()).as("every send reached the receiver").isGreaterThanOrEqualTo(10);
  }

  @Test
  void aReceiverThatNeverAnswersIsTriedABoundedNumberOfTimesThenFailsForTheDispatcher() throws Exception {
    receiver = new ClosingReceiver(false);
    HttpCall call = HttpCall.client(Duration.ofSeconds(1));

    assertThatThrownBy(() -> post(call, receiver.uri()))
        .isInstanceOfSatisfying(SendException.class, e -> {
          assertThat(e.reason()).isEqualTo(SendException.IO_ERROR);
          assertThat(e.retryable()).as("the dispatcher's retry and breaker take it from here").isTrue();
        });
    // the first try and at most STALE_RESENDS more, each on a fresh connection
    assertThat(receiver.requests.get()).isEqualTo(1 + HttpCall.STALE_RESENDS);
    assertThat(receiver.connections.get()).isEqualTo(1 + HttpCall.STALE_RESENDS);
  }

  @Test
  void aRefusedConnectionIsNotSentAgainHere() throws Exception {
    URI nobody;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nobody = URI.create("http://127.0.0.1:" + s.getLocalPort() + "/hook");
    }
    HttpCall call = HttpCall.client(Duration.ofSeconds(1));

    assertThatThrownBy(() -> post(call, nobody))
        .isInstanceOfSatisfying(SendException.class, e -> assertThat(e.reason())
            .isEqualTo(SendException.CONNECT_FAILED));
  }
}
