package io.vigil.common.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Removes what this test run created on the shared servers when the test JVM ends: topics and
 * consumer groups with the run's prefix, the run's databases, indices and Redis keys. Spring's
 * cached test contexts (and their consumers) are closed by their own shutdown hooks only as the JVM
 * exits, so the cleanup runs in a shutdown hook too and first waits, up to 15 s, for the run's
 * consumer groups to empty. Each step is best-effort with short timeouts (a server that is down has
 * nothing of ours to remove), and reports what it could not do on stderr.
 */
public class TestRunCleanup implements LauncherSessionListener {

  @Override
  public void launcherSessionClosed(LauncherSession session) {
    if (Boolean.getBoolean("vigil.test.keep")) {
      System.err.println("[vigil-test] keeping run " + TestRun.id() + " (vigil.test.keep=true)");
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      run("waiting for consumers to leave", TestRunCleanup::awaitGroupsEmpty);
      run("kafka topics", TestRunCleanup::dropTopics);
      run("databases", TestRunCleanup::dropDatabases);
      run("elasticsearch indices", TestRunCleanup::dropIndices);
      run("redis keys", TestRunCleanup::dropRedisKeys);
    }, "vigil-test-cleanup"));
  }

  static void awaitGroupsEmpty() throws Exception {
    if (!reachable(TestServers.kafkaBootstrap())) {
      return;
    }
    try (AdminClient admin = admin()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        List<String> groups = ourGroups(admin);
        boolean active = !groups.isEmpty() && admin.describeConsumerGroups(groups).all().get(5, TimeUnit.SECONDS)
            .values().stream().anyMatch(g -> !g.members().isEmpty());
        if (!active) {
          return;
        }
        Thread.sleep(250);
      }
    }
  }

  private static AdminClient admin() {
    return AdminClient.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
  }

  private static List<String> ourGroups(AdminClient admin) throws Exception {
    List<String> groups = new ArrayList<>();
    admin.listConsumerGroups().all().get(10, TimeUnit.SECONDS).forEach(g -> {
      if (g.groupId().startsWith(TestRun.topicPrefix())) {
        groups.add(g.groupId());
      }
    });
    return groups;
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void run(String what, Step step) {
    try {
      step.run();
    } catch (Exception | LinkageError e) {
      System.err.println("[vigil-test] cleanup of " + what + " for run " + TestRun.id() + " skipped: " + e);
    }
  }

  static void dropTopics() throws Exception {
    if (!reachable(TestServers.kafkaBootstrap())) {
      return;
    }
    try (AdminClient admin = admin()) {
      Set<String> ours = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream()
          .filter(t -> t.startsWith(TestRun.topicPrefix())).collect(Collectors.toSet());
      if (!ours.isEmpty()) {
        admin.deleteTopics(ours).all().get(20, TimeUnit.SECONDS);
      }
      List<String> groups = ourGroups(admin);
      if (!groups.isEmpty()) {
        admin.deleteConsumerGroups(groups).all().get(10, TimeUnit.SECONDS);
      }
    }
  }

  static void dropDatabases() throws Exception {
    Class.forName("com.mysql.cj.jdbc.Driver");
    try (Connection c = DriverManager.getConnection(TestServers.mysqlAdminUrl(), TestServers.mysqlUser(),
        TestServers.mysqlPassword()); Statement s = c.createStatement()) {
      List<String> ours = new ArrayList<>();
      try (ResultSet rs = s.executeQuery("SHOW DATABASES")) {
        while (rs.next()) {
          if (rs.getString(1).startsWith(TestRun.databasePrefix())) {
            ours.add(rs.getString(1));
          }
        }
      }
      for (String db : ours) {
        s.executeUpdate("DROP DATABASE `" + db + "`");
      }
    }
  }

  static void dropIndices() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String base = TestServers.elasticsearchUrl();
    HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(base + "/_cat/indices/"
        + TestRun.indexPrefix() + "*?h=index&expand_wildcards=all")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (list.statusCode() != 200) {
      return;
    }
    for (String index : list.body().split("\\s+")) {
      if (index.startsWith(TestRun.indexPrefix())) {
        http.send(HttpRequest.newBuilder(URI.create(base + "/" + index)).DELETE().timeout(Duration.ofSeconds(10))
            .build(), HttpResponse.BodyHandlers.discarding());
      }
    }
    HttpResponse<String> templates = http.send(HttpRequest.newBuilder(URI.create(base + "/_index_template/"
        + TestRun.indexPrefix() + "*")).DELETE().timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    templates.statusCode(); // 404 when the run made none
  }

  /** SCAN + UNLINK over a plain socket (RESP), so the cleanup needs no Redis client library. */
  static void dropRedisKeys() throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(TestServers.redisHost(), TestServers.redisPort()), 2000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      String cursor = "0";
      do {
        send(out, "SCAN", cursor, "MATCH", TestRun.redisPrefix() + "*", "COUNT", "1000");
        List<Object> reply = (List<Object>) read(in);
        cursor = (String) reply.get(0);
        List<Object> keys = (List<Object>) reply.get(1);
        if (!keys.isEmpty()) {
          List<String> cmd = new ArrayList<>();
          cmd.add("UNLINK");
          keys.forEach(k -> cmd.add((String) k));
          send(out, cmd.toArray(String[]::new));
          read(in);
        }
      } while (!cursor.equals("0"));
    }
  }

  /** One command on a fresh connection; the reply as {@link #read} decodes it. */
  static Object redis(String... args) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(TestServers.redisHost(), TestServers.redisPort()), 2000);
      socket.setSoTimeout(5000);
      send(socket.getOutputStream(), args);
      return read(socket.getInputStream());
    }
  }

  private static void send(OutputStream out, String... args) throws IOException {
    StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      byte[] b = a.getBytes(StandardCharsets.UTF_8);
      sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
    }
    out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = readLine(in);
    switch (type) {
      case '+', ':' -> {
        return line;
      }
      case '-' -> throw new IOException("redis: " + line);
      case '$' -> {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        byte[] b = in.readNBytes(n + 2);
        return new String(b, 0, n, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int n = Integer.parseInt(line);
        List<Object> items = new ArrayList<>(Math.max(n, 0));
        for (int i = 0; i < n; i++) {
          items.add(read(in));
        }
        return items;
      }
      default -> throw new IOException("unexpected redis reply type " + type);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\r') {
      sb.append((char) c);
    }
    in.read(); // '\n'
    return sb.toString();
  }

  private static boolean reachable(String bootstrap) {
    String first = bootstrap.split(",")[0];
    int colon = first.lastIndexOf(':');
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(first.substring(0, colon), Integer.parseInt(first.substring(colon + 1))), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
