import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A webhook receiver for the local platform (bin/vigil sink): listens on 127.0.0.1, answers every POST
 * with 204 and appends its body to a file, one line per notification, so a person or a script can
 * follow what the notifier sent ({@code tail -f}, {@code grep}). A repeat of an {@code Idempotency-Key}
 * already kept is answered and not written again, as a receiver should. Bodies are written as received, with
 * any line breaks replaced by spaces so one notification stays one line. Run as a single source file:
 * {@code java WebhookSink.java <port> <file>}; it needs nothing but the JDK.
 */
public final class WebhookSink {

  private static final int MAX_BODY = 1 << 20;
  /**
   * The idempotency keys of the last notifications kept: delivery is at-least-once, and a notifier that
   * crashed between a send and noting it sends again under the same key, which a receiver drops.
   */
  private static final Map<String, Boolean> SEEN = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > 100_000;
    }
  };

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java WebhookSink.java <port> <file>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    Path file = Path.of(args[1]);
    Files.createDirectories(file.toAbsolutePath().getParent());
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", exchange -> {
      try (exchange; InputStream in = exchange.getRequestBody()) {
        if (!"POST".equals(exchange.getRequestMethod())) {
          exchange.sendResponseHeaders(405, -1);
          return;
        }
        byte[] body = in.readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
          exchange.sendResponseHeaders(413, -1);
          return;
        }
        String line = new String(body, StandardCharsets.UTF_8).replace('\r', ' ').replace('\n', ' ') + "\n";
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        boolean repeat;
        synchronized (WebhookSink.class) {
          repeat = key != null && SEEN.containsKey(key);
          if (!repeat) {
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (key != null) {
              SEEN.put(key, Boolean.TRUE); // kept: a retry after a failed write is written, not dropped
            }
          }
        }
        System.out.println(Instant.now() + " " + exchange.getRequestURI().getPath() + " "
            + exchange.getRequestHeaders().getFirst("X-Vigil-Notification-Id") + " " + body.length + " bytes"
            + (repeat ? " (a repeat of a notification already kept: not written again)" : ""));
        exchange.sendResponseHeaders(204, -1);
      }
    });
    server.start();
    System.out.println("listening on http://127.0.0.1:" + port + "/, writing to " + file);
  }
}
