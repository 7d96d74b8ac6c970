package io.vigil.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.ControlChange;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.VigilTestInitializer;
import io.vigil.common.testing.fault.PrivateKafka;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The outbox's promises: rows that commit out of seq order are all published; writes go on while
 * Kafka is down and are published once it is back; and a restart between commit and publish loses
 * nothing.
 */
@VigilServiceTest
class PolicyOutboxIT {

  @Autowired
  DataSource dataSource;

  @Test
  void aChangeThatCommitsAfterALaterOneIsStillPublished() throws Exception {
    String lateId = "pol_LATECOMMIT" + System.nanoTime();
    try (Connection slow = dataSource.getConnection()) {
      slow.setAutoCommit(false);
      try (var insert = slow.prepareStatement("INSERT INTO ctl_outbox (entity_type, entity_id, version, op, tenant,"
          + " created_at_ms) VALUES ('POLICY', ?, 1, 'UPSERT', 't1', ?)")) {
        insert.setString(1, lateId);
        insert.setLong(2, System.currentTimeMillis());
        insert.executeUpdate(); // takes its seq now, commits later
      }
      // a later transaction commits first and is published
      try (Connection fast = dataSource.getConnection(); var s = fast.createStatement()) {
        fast.setAutoCommit(true); // the service's pool starts connections outside auto-commit
        s.executeUpdate("INSERT INTO ctl_outbox (entity_type, entity_id, version, op, tenant, created_at_ms)"
            + " VALUES ('POLICY', '" + lateId + "-fast', 1, 'UPSERT', 't1', " + System.currentTimeMillis() + ")");
      }
      assertThat(PolicyApiIT.changesOf("POLICY:" + lateId + "-fast", 1)).hasSize(1);
      slow.commit();
    }
    // the earlier seq committed last: a relay reading "seq > last published" would skip it forever
    assertThat(PolicyApiIT.changesOf("POLICY:" + lateId, 1)).hasSize(1);
  }

  @Test
  void writesGoOnWhileKafkaIsDownAndAreAllPublishedAfterARestart() throws Exception {
    String database = TestRun.database("policy_outbox");
    try (PrivateKafka kafka = PrivateKafka.start()) {
      ConfigurableApplicationContext first = start(kafka, database);
      List<String> ids = new ArrayList<>();
      try {
        int port = ((WebServerApplicationContext) first).getWebServer().getPort();
        PolicyTestClient admin = new PolicyTestClient(new Http(port), VigilTestInitializer.PLATFORM_ADMIN_KEY);
        PolicyApiIT.ensureAccessConfig(admin);
        kafka.kill();
        PolicyTestClient t1 = new PolicyTestClient(new Http(port), VigilTestInitializer.T1_OPERATOR_KEY);
        for (int i = 0; i < 3; i++) {
          ids.add(t1.create("/v1/tenants/t1/policies", PolicyApiIT.policy("while kafka is down " + i, 90))
              .path("id").asString());
        }
        Awaits.until("the relay to report the backlog", () -> Http.sample(new Http(port).get("/actuator/prometheus")
            .body(), "vigil_outbox_pending", "") >= 3);
      } finally {
        first.close(); // stopped between commit and publish
      }
      assertThat(pending(database)).isGreaterThanOrEqualTo(3);

      kafka.restart();
      ConfigurableApplicationContext second = start(kafka, database);
      try {
        Set<String> wanted = new java.util.HashSet<>();
        ids.forEach(id -> wanted.add("POLICY:" + id));
        List<ControlChange> published = read(kafka, wanted, Duration.ofSeconds(60));
        assertThat(published).extracting(ControlChange::id).containsExactlyInAnyOrderElementsOf(ids);
        Awaits.until("the outbox to drain", () -> pending(database) == 0);
      } finally {
        second.close();
      }
    }
  }

  private static ConfigurableApplicationContext start(PrivateKafka kafka, String database) {
    return new SpringApplicationBuilder(PolicyApplication.class)
        .initializers(new VigilTestInitializer())
        .run("--server.port=0", "--spring.kafka.bootstrap-servers=" + kafka.bootstrap(),
            "--vigil.mysql.database=" + database, "--vigil.kafka.health-timeout=1s",
            "--spring.kafka.admin.operation-timeout=3s");
  }

  private static long pending(String database) {
    String url = "jdbc:mysql://" + TestServers.mysqlHost() + ":" + TestServers.mysqlPort() + "/" + database;
    try (Connection c = DriverManager.getConnection(url, TestServers.mysqlUser(), TestServers.mysqlPassword());
        var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM ctl_outbox")) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<ControlChange> read(PrivateKafka kafka, Set<String> keys, Duration timeout) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "probe-" + UUID.randomUUID());
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    MessageCodec codec = new MessageCodec();
    List<ControlChange> found = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of(TestRun.topicPrefix() + "control.changes"));
      while (found.size() < keys.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(250))) {
          if (keys.contains(r.key())) {
            found.add(codec.decode(r.value(), ControlChange.class));
          }
        }
      }
    }
    return found;
  }
}
