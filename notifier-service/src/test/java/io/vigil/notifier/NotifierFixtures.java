package io.vigil.notifier;

import com.sun.net.httpserver.HttpServer;
import io.vigil.common.control.ControlJson;
import io.vigil.common.control.ControlTables;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.ControlChange;
import io.vigil.common.model.ControlChange.EntityType;
import io.vigil.common.series.AlertIds;
import io.vigil.common.series.AlertKey;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilTestInitializer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * What the notifier's tests need around it: control objects written into its per-run control
 * database as policy-service would (and announced on {@code control.changes}), alert events as the
 * detector publishes them, and a local HTTP server standing in for webhook receivers, chat bots and
 * the SMS/phone provider, recording every request.
 */
final class NotifierFixtures {

  private static final AtomicInteger VERSIONS = new AtomicInteger(1);

  private NotifierFixtures() {}

  static JdbcTemplate control() {
    return new JdbcTemplate(new DriverManagerDataSource("jdbc:mysql://" + TestServers.mysqlHost() + ":"
        + TestServers.mysqlPort() + "/" + VigilTestInitializer.controlDatabase("notifier") + "?useSSL=false"
        + "&allowPublicKeyRetrieval=true", TestServers.mysqlUser(), TestServers.mysqlPassword()));
  }

  /** Writes (or replaces) a control object and announces it, as policy-service's outbox relay would. */
  static long put(EntityType type, String id, String tenant, Object body) {
    long version = VERSIONS.incrementAndGet();
    String table = ControlTables.table(type);
    control().update("REPLACE INTO " + table + " (id, tenant, name, namespace, shard, enabled, version, deleted, live,"
        + " body, created_at_ms, updated_at_ms, updated_by) VALUES (?, ?, ?, ?, 'default', 1, ?, 0, 1, ?, 1, 1, 'test')",
        id, tenant, id, type == EntityType.POLICY ? "acme/vm" : null, version, ControlJson.write(body));
    announce(type, id, tenant, version, ChangeOp.UPSERT);
    return version;
  }

  /** Soft-deletes a control object and announces it. */
  static void delete(EntityType type, String id, String tenant) {
    long version = VERSIONS.incrementAndGet();
    control().update("UPDATE " + ControlTables.table(type) + " SET deleted = 1, live = NULL, version = ? WHERE id = ?",
        version, id);
    announce(type, id, tenant, version, ChangeOp.DELETE);
  }

  static void announce(EntityType type, String id, String tenant, long version, ChangeOp op) {
    TestKafka.send("control.changes", type + ":" + id, new MessageCodec().encode(new ControlChange(1, type, id,
        "local", tenant, version, op, System.currentTimeMillis())));
  }

  /** An alert event of a metric alert, as the detector publishes it. */
  static AlertEvent event(String policyId, String tenant, long seriesId, long sequence, AlertEvent.AlertStatus status,
      AlertEvent.Severity severity, Map<String, String> dimensions) {
    String key = AlertKey.ofSeries(policyId, seriesId).toString();
    long now = System.currentTimeMillis();
    return new AlertEvent(AlertEvent.SCHEMA_VERSION, AlertIds.eventId(key, sequence), key, policyId, 1, tenant,
        "acme/vm", "ap-guangzhou", "cpu_usage", seriesId, null, dimensions, status, severity, sequence,
        status == AlertEvent.AlertStatus.RESOLVED ? 40.0 : 97.5, 90.0, null, now - 60_000, now, 60, now - 60_000,
        "default", null);
  }

  static void publish(AlertEvent e) {
    TestKafka.send("alerts.events", e.alertKey(), new MessageCodec().encode(e));
  }

  /** One request a {@link Sink} received. */
  record Received(String path, Map<String, List<String>> headers, String body) {

    String header(String name) {
      for (Map.Entry<String, List<String>> h : headers.entrySet()) {
        if (h.getKey().equalsIgnoreCase(name)) {
          return h.getValue().get(0);
        }
      }
      return null;
    }
  }

  /**
   * A local HTTP server that records every request by path and answers each path with the status set
   * for it (200 by default): the webhook receiver, bot endpoint and SMS provider of the tests.
   */
  static final class Sink implements AutoCloseable {
    final HttpServer server;
    final List<Received> received = new CopyOnWriteArrayList<>();
    final Map<String, Integer> statusByPath = new ConcurrentHashMap<>();
    /** Answers by path; a chat bot's or a provider's success by default. */
    final Map<String, String> bodyByPath = new ConcurrentHashMap<>();
    /** How long a path takes to answer (a slow receiver). */
    final Map<String, Long> delayByPath = new ConcurrentHashMap<>();

    Sink() throws IOException {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/", exchange -> {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getPath();
        received.add(new Received(path, Map.copyOf(exchange.getRequestHeaders()),
            new String(body, StandardCharsets.UTF_8)));
        long delay = delayByPath.getOrDefault(path, 0L);
        if (delay > 0) {
          try {
            Thread.sleep(delay);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        int status = statusByPath.getOrDefault(path, 200);
        byte[] answer = bodyByPath.getOrDefault(path, "{\"errcode\":0,\"code\":0,\"ok\":true}")
            .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
      });
      server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(32));
      server.start();
    }

    String url(String path) {
      return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    List<Received> at(String path) {
      return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
