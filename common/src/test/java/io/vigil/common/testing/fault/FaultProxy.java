package io.vigil.common.testing.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy on a loopback port in front of one real server (MySQL, Redis, Elasticsearch, an HTTP
 * peer), so a test can take the dependency away from one service without touching the shared
 * server. Modes, switchable at any time:
 *
 * <ul>
 *   <li>{@link #pass()}: bytes flow both ways (the start);
 *   <li>{@link #refuse()}: open connections are cut and new ones are closed at once (connection
 *       refused / reset, as when the server is down);
 *   <li>{@link #blackhole()}: open connections are cut, new ones are accepted and never answered (a
 *       partition or a hung server: clients run into their timeouts);
 *   <li>{@link #delay(long)}: bytes flow, each chunk held back this long (a slow network).
 * </ul>
 *
 * Kafka cannot be cut this way (clients reconnect to the broker's advertised listener): use {@link
 * PrivateKafka}.
 */
public final class FaultProxy implements AutoCloseable {

  private enum Mode { PASS, REFUSE, BLACKHOLE }

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "fault-proxy");
    t.setDaemon(true);
    return t;
  });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile Mode mode = Mode.PASS;
  private volatile long delayMs;
  private volatile boolean closed;

  private FaultProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  /** A proxy in front of {@code host:port}, passing traffic. */
  public static FaultProxy to(String host, int port) {
    try {
      return new FaultProxy(host, port);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open a proxy port", e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  public String host() {
    return "127.0.0.1";
  }

  public FaultProxy pass() {
    delayMs = 0;
    mode = Mode.PASS;
    return this;
  }

  public FaultProxy refuse() {
    mode = Mode.REFUSE;
    cutAll();
    return this;
  }

  public FaultProxy blackhole() {
    mode = Mode.BLACKHOLE;
    cutAll();
    return this;
  }

  public FaultProxy delay(long millis) {
    delayMs = millis;
    mode = Mode.PASS;
    return this;
  }

  private void cutAll() {
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      switch (mode) {
        case REFUSE -> {
          try {
            client.setSoLinger(true, 0); // a reset, as from a closed port
          } catch (SocketException ignored) {
            // closing anyway
          }
          closeQuietly(client);
        }
        case BLACKHOLE -> open.add(client); // held open, never read or answered
        case PASS -> threads.execute(() -> connect(client));
      }
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    try {
      upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
    } catch (IOException e) {
      closeQuietly(client);
      closeQuietly(upstream);
      return;
    }
    open.add(client);
    open.add(upstream);
    threads.execute(() -> pump(client, upstream));
    threads.execute(() -> pump(upstream, client));
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        long d = delayMs;
        if (d > 0) {
          Thread.sleep(d);
        }
        if (mode != Mode.PASS) {
          break;
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // cut, or the other side went away
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    cutAll();
    threads.shutdownNow();
  }
}
