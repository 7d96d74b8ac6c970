package io.vigil.common.testing;

/**
 * Where the real servers of a test run are: the same {@code VIGIL_*} variables the services read,
 * with the local platform's defaults. {@code bin/test} starts Kafka and Elasticsearch when they are
 * not running; MariaDB and Redis are the machine's own.
 */
public final class TestServers {

  private TestServers() {}

  public static String kafkaBootstrap() {
    return env("VIGIL_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
  }

  public static String elasticsearchUrl() {
    return env("VIGIL_ES_URL", "http://127.0.0.1:9200");
  }

  public static String mysqlHost() {
    return env("VIGIL_MYSQL_HOST", "127.0.0.1");
  }

  public static int mysqlPort() {
    return Integer.parseInt(env("VIGIL_MYSQL_PORT", "3306"));
  }

  public static String mysqlUser() {
    return env("VIGIL_MYSQL_USER", "root");
  }

  public static String mysqlPassword() {
    return env("VIGIL_MYSQL_PASSWORD", "");
  }

  /** A JDBC URL without a database, for administration (create/drop). */
  public static String mysqlAdminUrl() {
    return "jdbc:mysql://" + mysqlHost() + ":" + mysqlPort() + "/?useSSL=false&allowPublicKeyRetrieval=true&connectTimeout=3000";
  }

  public static String redisHost() {
    return env("VIGIL_REDIS_HOST", "127.0.0.1");
  }

  public static int redisPort() {
    return Integer.parseInt(env("VIGIL_REDIS_PORT", "6379"));
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
