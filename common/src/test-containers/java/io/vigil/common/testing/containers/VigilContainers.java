package io.vigil.common.testing.containers;

import java.util.Map;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.elasticsearch.ElasticsearchContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.mysql.MySQLContainer;

/**
 * The servers of a test run as containers (the Maven profile {@code testcontainers}; compiled into
 * common's test-jar only there): Kafka, MySQL, Redis and Elasticsearch at the versions
 * docker-compose.yml runs, started together once per JVM and left to Testcontainers' reaper at exit.
 * {@code TestServers} asks {@link #start()} for their addresses, so every test, Spring context and
 * child JVM of the run uses them; Spring contexts also get them as service connections
 * ({@link VigilServiceConnections}).
 */
public final class VigilContainers {

  static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");
  static final MySQLContainer MYSQL = new MySQLContainer("mysql:8.4").withUsername("root").withPassword("vigil");
  static final GenericContainer<?> REDIS = new GenericContainer<>("redis:7.4").withExposedPorts(6379);
  static final ElasticsearchContainer ELASTICSEARCH =
      new ElasticsearchContainer("docker.elastic.co/elasticsearch/elasticsearch:9.2.8")
          .withEnv("xpack.security.enabled", "false")
          .withEnv("ES_JAVA_OPTS", "-Xms512m -Xmx512m");

  private static volatile Map<String, String> endpoints;

  private VigilContainers() {}

  /** Starts the four containers (once) and answers where they listen, in TestServers' names. */
  public static synchronized Map<String, String> start() {
    if (endpoints == null) {
      Startables.deepStart(KAFKA, MYSQL, REDIS, ELASTICSEARCH).join();
      endpoints = Map.of("source", "containers",
          "kafka", KAFKA.getBootstrapServers(),
          "elasticsearch", "http://" + ELASTICSEARCH.getHttpHostAddress(),
          "mysql.host", MYSQL.getHost(),
          "mysql.port", Integer.toString(MYSQL.getMappedPort(3306)),
          "mysql.user", MYSQL.getUsername(),
          "mysql.password", MYSQL.getPassword(),
          "redis.host", REDIS.getHost(),
          "redis.port", Integer.toString(REDIS.getMappedPort(6379)));
    }
    return endpoints;
  }
}
