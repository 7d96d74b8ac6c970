package io.vigil.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * The run's isolation is real: what a run creates on each shared server carries its id, and the
 * cleanup removes it — and only it.
 */
class RunCleanupIT {

  @Test
  void removesTheRunsTopicsDatabasesIndicesAndRedisKeysOnly() throws Exception {
    String topic = TestKafka.topic("cleanup.probe");
    String otherTopic = "other-run.cleanup.probe." + System.nanoTime();
    String database = TestRun.database("cleanup-probe");
    String index = TestRun.indexPrefix() + "cleanup-probe";
    String redisKey = TestRun.redisPrefix() + "cleanup-probe";
    try (AdminClient admin = admin()) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1), new NewTopic(otherTopic, 1, (short) 1)))
          .all().get(20, TimeUnit.SECONDS);
    }
    try (Connection c = mysql()) {
      c.createStatement().executeUpdate("CREATE DATABASE `" + database + "`");
    }
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(TestServers.elasticsearchUrl() + "/" + index))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"settings\":{\"number_of_replicas\":0}}"))
        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    TestRunCleanup.redis("SET", redisKey, "1");
    assertThat(TestRunCleanup.redis("EXISTS", redisKey)).isEqualTo("1");

    TestRunCleanup.dropTopics();
    TestRunCleanup.dropDatabases();
    TestRunCleanup.dropIndices();
    TestRunCleanup.dropRedisKeys();

    try (AdminClient admin = admin()) {
      Awaits.until("run topic deleted", () -> !names(admin).contains(topic));
      assertThat(names(admin)).contains(otherTopic);
      admin.deleteTopics(List.of(otherTopic)).all().get(20, TimeUnit.SECONDS);
    }
    try (Connection c = mysql(); ResultSet rs = c.createStatement().executeQuery("SHOW DATABASES LIKE '" + database + "'")) {
      assertThat(rs.next()).isFalse();
    }
    HttpResponse<String> gone = http.send(HttpRequest.newBuilder(URI.create(TestServers.elasticsearchUrl() + "/" + index))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(TestRunCleanup.redis("EXISTS", redisKey)).isEqualTo("0");
  }

  private static java.util.Set<String> names(AdminClient admin) {
    try {
      return admin.listTopics().names().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static AdminClient admin() {
    return AdminClient.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestServers.kafkaBootstrap()));
  }

  private static Connection mysql() throws Exception {
    return DriverManager.getConnection(TestServers.mysqlAdminUrl(), TestServers.mysqlUser(), TestServers.mysqlPassword());
  }
}
