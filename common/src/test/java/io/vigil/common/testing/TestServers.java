package io.vigil.common.testing;

import java.util.Map;

/**
 * Where the real servers of a test run are. By default ({@link ServerSource#LOCAL}) the machine's:
 * the same {@code VIGIL_*} variables the services read, with the local platform's defaults
 * ({@code bin/test} starts Kafka and Elasticsearch when they are not running; MariaDB and Redis are the
 * machine's own). With the Maven profile {@code testcontainers} ({@link ServerSource#CONTAINERS}) the
 * containers it starts once per JVM. The choice is made once, on first use, and printed with the
 * addresses, so a test's output says which servers it ran against.
 */
public final class TestServers {

  private static volatile Map<String, String> endpoints;

  private TestServers() {}

  public static String kafkaBootstrap() {
    return endpoint("kafka");
  }

  public static String elasticsearchUrl() {
    return endpoint("elasticsearch");
  }

  public static String mysqlHost() {
    return endpoint("mysql.host");
  }

  public static int mysqlPort() {
    return Integer.parseInt(endpoint("mysql.port"));
  }

  public static String mysqlUser() {
    return endpoint("mysql.user");
  }

  public static String mysqlPassword() {
    return endpoint("mysql.password");
  }

  /** A JDBC URL without a database, for administration (create/drop). */
  public static String mysqlAdminUrl() {
    return "jdbc:mysql://" + mysqlHost() + ":" + mysqlPort() + "/?useSSL=false&allowPublicKeyRetrieval=true&connectTimeout=3000";
  }

  public static String redisHost() {
    return endpoint("redis.host");
  }

  public static int redisPort() {
    return Integer.parseInt(endpoint("redis.port"));
  }

  /** Which servers, and where: one line. */
  public static String describe() {
    Map<String, String> e = endpoints();
    return e.get("source") + ": Kafka " + e.get("kafka") + ", Elasticsearch " + e.get("elasticsearch") + ", MySQL "
        + e.get("mysql.host") + ":" + e.get("mysql.port") + ", Redis " + e.get("redis.host") + ":" + e.get("redis.port");
  }

  private static String endpoint(String name) {
    return endpoints().get(name);
  }

  private static Map<String, String> endpoints() {
    Map<String, String> e = endpoints;
    if (e == null) {
      synchronized (TestServers.class) {
        e = endpoints;
        if (e == null) {
          e = resolve(ServerSource.ofThisRun());
          endpoints = e;
          System.err.println("[vigil-test] servers " + describe());
        }
      }
    }
    return e;
  }

  private static Map<String, String> resolve(ServerSource source) {
    if (source == ServerSource.LOCAL) {
      return Map.of("source", "local",
          "kafka", env("VIGIL_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
          "elasticsearch", env("VIGIL_ES_URL", "http://127.0.0.1:9200"),
          "mysql.host", env("VIGIL_MYSQL_HOST", "127.0.0.1"),
          "mysql.port", env("VIGIL_MYSQL_PORT", "3306"),
          "mysql.user", env("VIGIL_MYSQL_USER", "root"),
          "mysql.password", env("VIGIL_MYSQL_PASSWORD", ""),
          "redis.host", env("VIGIL_REDIS_HOST", "127.0.0.1"),
          "redis.port", env("VIGIL_REDIS_PORT", "6379"));
    }
    try {
      // compiled in by the testcontainers profile only, so the default build needs none of its libraries
      @SuppressWarnings("unchecked")
      Map<String, String> started = (Map<String, String>) Class.forName(ServerSource.CONTAINER_SUPPORT)
          .getMethod("start").invoke(null);
      return started;
    } catch (ReflectiveOperationException ex) {
      throw new IllegalStateException("cannot start the test containers", ex);
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
