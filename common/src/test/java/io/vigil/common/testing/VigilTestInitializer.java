package io.vigil.common.testing;

import io.vigil.common.security.ConfiguredCredentials;
import java.util.HashMap;
import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * Points a service under test at the real servers with this run's isolation: its own topic prefix,
 * database, index prefix and Redis key prefix, and a test API key. Properties the test sets itself
 * (e.g. a dead port) win, since this source is added last.
 */
public class VigilTestInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

  /** The API key tests authenticate with (an {@code OPERATOR} credential, admin of tenant {@code test}). */
  public static final String TEST_KEY = "vigil-test-key-not-a-secret";
  /** A product credential allowed to ingest for namespace {@code test/ns}. */
  public static final String PRODUCT_KEY = "vigil-test-product-key";

  /** Tenancy test callers: a platform admin (admin of every tenant). */
  public static final String PLATFORM_ADMIN_KEY = "vigil-test-platform-admin";
  /** An operator of tenant {@code t1}. */
  public static final String T1_OPERATOR_KEY = "vigil-test-t1-operator";
  /** A viewer of tenant {@code t1}. */
  public static final String T1_VIEWER_KEY = "vigil-test-t1-viewer";
  /** An operator of tenant {@code t2}. */
  public static final String T2_OPERATOR_KEY = "vigil-test-t2-operator";
  /** A service credential (cross-tenant, read-only). */
  public static final String SERVICE_KEY = "vigil-test-service";

  private static final java.util.concurrent.atomic.AtomicInteger CONTEXTS = new java.util.concurrent.atomic.AtomicInteger();

  /** Services whose database is the control-plane schema they read (policy-service migrates its own). */
  static final java.util.Set<String> CONTROL_READERS = java.util.Set.of("gateway", "detector", "storage");
  /**
   * Services with a database of their own that read the control tables from a second one
   * ({@code vigil.control.database}): each gets a per-run control database, migrated like a reader's.
   */
  static final java.util.Set<String> SEPARATE_CONTROL = java.util.Set.of("cmdb", "notifier");
  private static final java.util.Set<String> MIGRATED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Applies common's control-plane migrations to a reader's per-run database, once per run, exactly
   * as policy-service applies them in production (same location, same history table).
   */
  public static void migrateControlSchema(String database) {
    if (!MIGRATED.add(database)) {
      return;
    }
    String url = "jdbc:mysql://" + TestServers.mysqlHost() + ":" + TestServers.mysqlPort() + "/" + database
        + "?useSSL=false&allowPublicKeyRetrieval=true&createDatabaseIfNotExist=true&connectTimeout=3000";
    org.flywaydb.core.Flyway.configure()
        .dataSource(url, TestServers.mysqlUser(), TestServers.mysqlPassword())
        .locations(io.vigil.common.config.ControlSchema.LOCATION)
        .table(io.vigil.common.config.ControlSchema.HISTORY_TABLE)
        .load().migrate();
  }

  /**
   * The run's settings for one service: the real servers, this run's prefixes and database, a short
   * retry backoff, the test credentials. Used for Spring contexts in this JVM and, as command-line
   * arguments, for services started in a child JVM ({@code ChildJvm.startService}).
   */
  public static Map<String, Object> runProperties(String app) {
    Map<String, Object> p = new HashMap<>();
    p.put("spring.kafka.bootstrap-servers", TestServers.kafkaBootstrap());
    p.put("vigil.kafka.topic-prefix", TestRun.topicPrefix());
    p.put("vigil.kafka.retry-backoff", "100ms");
    p.put("spring.kafka.streams.state-dir", "target/kstreams-" + TestRun.id() + "-" + System.nanoTime());
    p.put("spring.elasticsearch.uris", TestServers.elasticsearchUrl());
    p.put("vigil.elasticsearch.index-prefix", TestRun.indexPrefix());
    p.put("spring.data.redis.host", TestServers.redisHost());
    p.put("spring.data.redis.port", TestServers.redisPort());
    p.put("vigil.redis.key-prefix", TestRun.redisPrefix());
    p.put("vigil.mysql.url-base", "jdbc:mysql://" + TestServers.mysqlHost() + ":" + TestServers.mysqlPort());
    p.put("vigil.mysql.database", TestRun.database(app));
    if (SEPARATE_CONTROL.contains(app)) {
      p.put("vigil.control.database", controlDatabase(app));
    }
    p.put("spring.datasource.username", TestServers.mysqlUser());
    p.put("spring.datasource.password", TestServers.mysqlPassword());
    p.put("vigil.security.credentials[0].name", "test-user");
    p.put("vigil.security.credentials[0].sha256", ConfiguredCredentials.sha256(TEST_KEY));
    p.put("vigil.security.credentials[0].kind", "OPERATOR");
    p.put("vigil.security.credentials[0].tenants", "test");
    p.put("vigil.security.credentials[0].roles", "ADMIN");
    p.put("vigil.security.credentials[1].name", "test-product");
    p.put("vigil.security.credentials[1].sha256", ConfiguredCredentials.sha256(PRODUCT_KEY));
    p.put("vigil.security.credentials[1].kind", "PRODUCT");
    p.put("vigil.security.credentials[1].namespaces", "test/ns");
    p.put("vigil.security.credentials[1].roles", "INGEST");
    credential(p, 2, "platform-admin", PLATFORM_ADMIN_KEY, "OPERATOR", "*", "ADMIN");
    credential(p, 3, "t1-operator", T1_OPERATOR_KEY, "OPERATOR", "t1", "OPERATOR");
    credential(p, 4, "t1-viewer", T1_VIEWER_KEY, "OPERATOR", "t1", "VIEWER");
    credential(p, 5, "t2-operator", T2_OPERATOR_KEY, "OPERATOR", "t2", "OPERATOR");
    credential(p, 6, "test-service", SERVICE_KEY, "SERVICE", null, null);
    p.put("vigil.web.max-body-size", "64KB");
    p.put("vigil.security.master-key-file", testMasterKey());
    return p;
  }

  /** The per-run control database of a service that keeps its own data elsewhere. */
  public static String controlDatabase(String app) {
    return TestRun.database(app + "-control");
  }

  private static volatile String masterKey;

  /** A master key file for this test JVM (owner-only, under target/), made on first use. */
  public static synchronized String testMasterKey() {
    if (masterKey == null) {
      try {
        java.nio.file.Path f = java.nio.file.Path.of("target", "test-master-" + TestRun.id() + ".key").toAbsolutePath();
        java.nio.file.Files.createDirectories(f.getParent());
        java.nio.file.Files.writeString(f, io.vigil.common.security.SecretBox.newKeyLine("test") + "\n");
        java.nio.file.Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        masterKey = f.toString();
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot write the test master key", e);
      }
    }
    return masterKey;
  }

  private static void credential(Map<String, Object> p, int i, String name, String key, String kind, String tenants,
      String roles) {
    String at = "vigil.security.credentials[" + i + "].";
    p.put(at + "name", name);
    p.put(at + "sha256", ConfiguredCredentials.sha256(key));
    p.put(at + "kind", kind);
    if (tenants != null) {
      p.put(at + "tenants", tenants);
    }
    if (roles != null) {
      p.put(at + "roles", roles);
    }
  }

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    var env = context.getEnvironment();
    String app = env.getProperty("spring.application.name", "vigil");
    Map<String, Object> p = runProperties(app);
    // each context its own consumer groups: cached contexts in one JVM never share a group by
    // accident (a test that wants several contexts in one group sets vigil.kafka.group-suffix itself)
    p.put("vigil.kafka.group-suffix", "-c" + CONTEXTS.incrementAndGet());
    if (CONTROL_READERS.contains(app)) {
      migrateControlSchema(TestRun.database(app));
    }
    if (SEPARATE_CONTROL.contains(app)) {
      migrateControlSchema(controlDatabase(app));
    }
    env.getPropertySources().addLast(new MapPropertySource("vigilTestRun", p));
    // the run's values must beat the service's application.yml but not the test's own properties:
    // move the source just after the test's inlined properties
    var sources = env.getPropertySources();
    var source = sources.remove("vigilTestRun");
    if (sources.contains("Inlined Test Properties")) {
      sources.addAfter("Inlined Test Properties", source);
    } else if (sources.contains("commandLineArgs")) {
      sources.addAfter("commandLineArgs", source); // a test that starts an application with arguments
    } else {
      sources.addFirst(source);
    }
  }
}
