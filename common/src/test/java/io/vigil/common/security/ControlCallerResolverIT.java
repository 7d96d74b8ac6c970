package io.vigil.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.config.ControlSchema;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.observability.MetricNames;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.fault.FaultProxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The caller resolver against the real control tables: configured credentials first, then tokens
 * by hash with their role and tenants; expiry honoured; and with MySQL away (through a proxy, the
 * shared server untouched) a token seen before still works from the cache, counted as degraded,
 * while an unknown one is "unavailable", never "unauthenticated".
 */
class ControlCallerResolverIT {

  @Test
  void tokensResolveFromTheTablesAndSurviveAMysqlOutageFromTheCache() {
    String db = TestRun.database("kit_callers");
    JdbcTemplate admin = controlTables(db);
    admin.update("INSERT INTO ctl_operator_tokens (id, name, token_sha256, role, tenants, expires_at_ms, version,"
        + " deleted, created_at_ms, updated_at_ms, updated_by) VALUES ('tok_1', 'dora', ?, 'OPERATOR', 't1,t2', NULL, 1,"
        + " 0, 1, 1, 'test'), ('tok_2', 'old', ?, 'ADMIN', '*', 1000, 1, 0, 1, 1, 'test')",
        ConfiguredCredentials.sha256("vgl_dora"), ConfiguredCredentials.sha256("vgl_expired"));

    try (FaultProxy proxy = FaultProxy.to(TestServers.mysqlHost(), TestServers.mysqlPort())) {
      String viaProxy = "jdbc:mysql://127.0.0.1:" + proxy.port() + "/" + db
          + "?useSSL=false&allowPublicKeyRetrieval=true&connectTimeout=1000&socketTimeout=2000";
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      DependencyMetrics deps = new DependencyMetrics(registry, Set.of("mysql"));
      VigilSecurityProperties props = new VigilSecurityProperties(java.util.List.of(),
          ConfiguredCredentials.sha256("bootstrap-admin"));
      ControlCallerResolver resolver = new ControlCallerResolver(new ConfiguredCredentials(props),
          new JdbcTemplate(new DriverManagerDataSource(viaProxy, TestServers.mysqlUser(), TestServers.mysqlPassword())),
          Clock.fixed(Instant.ofEpochMilli(5_000), ZoneOffset.UTC), Duration.ZERO, deps);

      VigilPrincipal dora = resolver.resolve("vgl_dora").orElseThrow();
      assertThat(dora.kind()).isEqualTo(VigilPrincipal.Kind.OPERATOR);
      assertThat(dora.tenants()).containsExactlyInAnyOrder("t1", "t2");
      assertThat(dora.canWrite("t1")).isTrue();
      assertThat(dora.canRead("t3")).isFalse();
      assertThat(resolver.resolve("vgl_expired")).as("past its expiry").isEmpty();
      assertThat(resolver.resolve("vgl_nobody")).isEmpty();
      VigilPrincipal bootstrap = resolver.resolve("bootstrap-admin").orElseThrow();
      assertThat(bootstrap.isPlatformAdmin()).isTrue();
      assertThat(bootstrap.name()).isEqualTo(VigilSecurityProperties.BOOTSTRAP_ADMIN);

      proxy.refuse();
      assertThat(resolver.resolve("vgl_dora")).as("seen before: served from the cache").contains(dora);
      assertThat(registry.counter(MetricNames.DEGRADED, MetricNames.TAG_COMPONENT, "caller_resolver",
          MetricNames.TAG_REASON, "mysql_down_cached").count()).isEqualTo(1);
      assertThatThrownBy(() -> resolver.resolve("vgl_never_seen")).isInstanceOf(DependencyUnavailableException.class);
      assertThat(resolver.resolve("bootstrap-admin")).as("configured credentials need no database").isPresent();
      proxy.pass();
      resolver.invalidate();
      assertThat(resolver.resolve("vgl_dora")).isPresent();
    }
  }

  /**
   * Changes arrive late and out of step with reads: a change no newer than the cached answer keeps it,
   * a newer one for that token drops it, another token's change leaves it alone, and any token change
   * drops the cached "no such token" answers (a new token may carry that hash).
   */
  @Test
  void aChangeDropsOnlyWhatItMakesStale() {
    JdbcTemplate jdbc = controlTables(TestRun.database("kit_callers_changes"));
    String insert = "INSERT INTO ctl_operator_tokens (id, name, token_sha256, role, tenants, expires_at_ms, version,"
        + " deleted, created_at_ms, updated_at_ms, updated_by) VALUES (?, ?, ?, 'VIEWER', 't1', NULL, 1, 0, 1, 1, 'test')";
    jdbc.update(insert, "tok_e", "erin", ConfiguredCredentials.sha256("vgl_erin"));
    ControlCallerResolver resolver = new ControlCallerResolver(new ConfiguredCredentials(
        new VigilSecurityProperties(java.util.List.of(), null)), jdbc, Clock.systemUTC(), Duration.ofHours(1),
        new DependencyMetrics(new SimpleMeterRegistry(), Set.of("mysql")));

    assertThat(resolver.resolve("vgl_erin")).isPresent();
    assertThat(resolver.resolve("vgl_frank")).isEmpty();
    jdbc.update("UPDATE ctl_operator_tokens SET deleted = 1, version = 2 WHERE id = 'tok_e'");
    jdbc.update(insert, "tok_f", "frank", ConfiguredCredentials.sha256("vgl_frank"));
    assertThat(resolver.resolve("vgl_erin")).as("cached for the ttl").isPresent();

    resolver.onChange(tokenChange("tok_e", 1)); // erin's creation, arriving late
    assertThat(resolver.resolve("vgl_erin")).as("a change it has already seen").isPresent();
    assertThat(resolver.resolve("vgl_frank")).as("a new token answers to a hash cached as unknown").isPresent();
    resolver.onChange(tokenChange("tok_f", 1));
    assertThat(resolver.resolve("vgl_erin")).as("another token's change").isPresent();
    resolver.onChange(tokenChange("tok_e", 2));
    assertThat(resolver.resolve("vgl_erin")).as("revoked at version 2").isEmpty();
  }

  /** The control tables migrated into a database of this run, straight to the shared server. */
  private static JdbcTemplate controlTables(String db) {
    String url = "jdbc:mysql://" + TestServers.mysqlHost() + ":" + TestServers.mysqlPort() + "/" + db
        + "?useSSL=false&allowPublicKeyRetrieval=true&createDatabaseIfNotExist=true";
    Flyway.configure().dataSource(url, TestServers.mysqlUser(), TestServers.mysqlPassword())
        .locations(ControlSchema.LOCATION).table(ControlSchema.HISTORY_TABLE).load().migrate();
    return new JdbcTemplate(new DriverManagerDataSource(url, TestServers.mysqlUser(), TestServers.mysqlPassword()));
  }

  private static io.vigil.common.model.ControlChange tokenChange(String id, long version) {
    return new io.vigil.common.model.ControlChange(1, io.vigil.common.model.ControlChange.EntityType.OPERATOR_TOKEN,
        id, "test", null, version, io.vigil.common.model.ChangeOp.UPSERT, System.currentTimeMillis(), null, null);
  }
}
