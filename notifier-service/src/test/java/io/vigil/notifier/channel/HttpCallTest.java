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

  /** What the receiver does with a request, by its number over all connections (0 for the first). */
  enum Reply {
    /** answers and keeps the connection */
    KEEP,
    /** answers, then closes the connection without saying so (no {@code Connection: close}) */
    ANSWER_AND_CLOSE,
    /** reads the request and closes the connection without an answer */
    CLOSE_UNANSWERED,
    /** sends an answer head announcing 100 bytes, two of them, and closes */
    CUT_SHORT
  }

  /** A real socket server on 127.0.0.1 that reads each request whole, then replies as told. */
  static final class Receiver implements AutoCloseable {
    final ServerSocket server;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();

    Receiver(java.util.function.IntFunction<Reply> replies) throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket s = server.accept();
            connections.incrementAndGet();
            Thread t = new Thread(() -> serve(s, replies), "receiver-connection");
            t.setDaemon(true);
            t.start();
          } catch (IOException e) {
            // closed by the test
          }
        }
      }, "receiver");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    private void serve(Socket s, java.util.function.IntFunction<Reply> replies) {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        while (readRequest(in)) {
          Reply r = replies.apply(requests.getAndIncrement());
          switch (r) {
            case KEEP, ANSWER_AND_CLOSE -> out.write(("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                + "Content-Type: text/plain\r\n\r\nok").getBytes(StandardCharsets.US_ASCII));
            case CUT_SHORT -> out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nok"
                .getBytes(StandardCharsets.US_ASCII));
            case CLOSE_UNANSWERED -> { }
          }
          out.flush();
          if (r != Reply.KEEP) {
            return;
          }
        }
      } catch (IOException e) {
        // the client went away
      }
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/hook");
    }

    /** Reads one request (head and body); false when the connection ended first. */
    private static boolean readRequest(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0) {
        head.write(b);
        if (head.size() >= 4 && head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
          break;
        }
      }
      if (b < 0) {
        return false;
      }
      int length = 0;
      for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      in.readNBytes(length);
      return true;
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  private Receiver receiver;

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
    receiver = new Receiver(n -> Reply.ANSWER_AND_CLOSE);
    HttpCall call = HttpCall.client(Duration.ofSeconds(1));

    for (int i = 0; i < 10; i++) {
      // one after the other, well inside the pool's idle check: each send finds the last one's
      // connection kept, and closed by the receiver
      assertThat(post(call, receiver.uri()).statusCode()).isEqualTo(200);
    }

    assertThat(receiver.requests.get()).as("each notification reached the receiver once").isEqualTo(10);
  }

  @Test
  void aKeptConnectionClosedWithoutAnAnswerIsSentOnceMoreOnAConnectionOfItsOwn() throws Exception {
    receiver = new Receiver(n -> n == 1 ? Reply.CLOSE_UNANSWERED : Reply.KEEP);
    AtomicInteger resent = new AtomicInteger();
    HttpCall call = HttpCall.client(Duration.ofSeconds(1), resent::incrementAndGet);
    post(call, receiver.uri());

    assertThat(post(call, receiver.uri()).statusCode()).isEqualTo(200);

    assertThat(receiver.requests.get()).as("the unanswered request, then its copy").isEqualTo(3);
    assertThat(receiver.connections.get()).isEqualTo(2);
    assertThat(resent.get()).as("the resend is told (the channel counts it)").isEqualTo(1);
  }

  @Test
  void aFreshConnectionClosedWithoutAnAnswerIsTheDispatchersToRetry() throws Exception {
    receiver = new Receiver(n -> Reply.CLOSE_UNANSWERED);
    AtomicInteger resent = new AtomicInteger();
    HttpCall call = HttpCall.client(Duration.ofSeconds(1), resent::incrementAndGet);

    assertThatThrownBy(() -> post(call, receiver.uri()))
        .isInstanceOfSatisfying(SendException.class, e -> {
          assertThat(e.reason()).isEqualTo(SendException.IO_ERROR);
          assertThat(e.retryable()).as("the dispatcher's retry and breaker take it from here").isTrue();
        });
    assertThat(receiver.requests.get()).as("not sent again here: the receiver had it").isEqualTo(1);
    assertThat(resent.get()).isZero();
  }

  @Test
  void anAnswerCutShortOnAKeptConnectionIsNotSentAgain() throws Exception {
    receiver = new Receiver(n -> n == 1 ? Reply.CUT_SHORT : Reply.KEEP);
    HttpCall call = HttpCall.client(Duration.ofSeconds(1));
    post(call, receiver.uri());

    assertThatThrownBy(() -> post(call, receiver.uri()))
        .isInstanceOfSatisfying(SendException.class, e -> assertThat(e.retryable()).isTrue());
    assertThat(receiver.requests.get()).as("the receiver answered: no copy").isEqualTo(2);
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
