package io.vigil.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.config.ControlSchema;
import io.vigil.common.control.AlertPolicy;
import io.vigil.common.control.ControlJson;
import io.vigil.common.control.FilterSpec;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.fault.ChildJvm;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * A reader's full load streams: 200,000 policies load in a JVM whose heap cannot hold the result
 * set, while the same query buffered (Connector/J's default) runs out of memory under the same cap,
 * which is what makes the cap a test.
 */
class PolicyStreamedLoadIT {

  static final int POLICIES = 200_000;
  static final String HEAP = "-Xmx48m";

  @Test
  void twoHundredThousandPoliciesStreamUnderAHeapABufferedResultCannotFit() throws Exception {
    String db = TestRun.database("policy_stream");
    String url = "jdbc:mysql://" + TestServers.mysqlHost() + ":" + TestServers.mysqlPort() + "/" + db
        + "?useSSL=false&allowPublicKeyRetrieval=true&createDatabaseIfNotExist=true&rewriteBatchedStatements=true";
    Flyway.configure().dataSource(url, TestServers.mysqlUser(), TestServers.mysqlPassword())
        .locations(ControlSchema.LOCATION).table(ControlSchema.HISTORY_TABLE).load().migrate();
    fill(url);

    List<String> args = List.of(url, TestServers.mysqlUser(), "big", "stream", TestServers.mysqlPassword());
    try (ChildJvm streamed = ChildJvm.start("streamed-load", StreamedLoadMain.class.getName(), List.of(HEAP), args)) {
      assertThat(streamed.awaitExit(Duration.ofMinutes(3))).as(streamed.output()).isZero();
      assertThat(streamed.output()).contains("loaded " + POLICIES + " policies (" + POLICIES + " conditions)");
    }
    List<String> buffered = List.of(url, TestServers.mysqlUser(), "big", "buffered", TestServers.mysqlPassword());
    try (ChildJvm naive = ChildJvm.start("buffered-load", StreamedLoadMain.class.getName(),
        List.of(HEAP, "-XX:+ExitOnOutOfMemoryError"), buffered)) {
      int exit = naive.awaitExit(Duration.ofMinutes(3));
      assertThat(exit).as("a buffered load under the same heap: %s", naive.output()).isNotZero();
      assertThat(naive.output()).contains("OutOfMemoryError");
    }
  }

  private static void fill(String url) throws Exception {
    String body = ControlJson.write(new AlertPolicy("disk almost full on a big shard", "big/db",
        List.of(new AlertPolicy.Condition("disk_used", 60, AlertPolicy.Statistic.MAX, null, null,
            AlertPolicy.Operator.GT, 90.0, 3, 2, 85.0, null)), null,
        List.of(new FilterSpec("Regex", "instance", "db-[0-9]+"), new FilterSpec("In", "zone", List.of("a", "b", "c"))),
        null, AlertPolicy.Severity.CRITICAL, null, new AlertPolicy.Annotations("Disk of {{instance}} above 90%",
            null, "https://runbooks.example.com/db/disk"), null, null, true).withDefaults());
    try (Connection c = DriverManager.getConnection(url, TestServers.mysqlUser(), TestServers.mysqlPassword());
        PreparedStatement ps = c.prepareStatement("INSERT INTO ctl_policies (id, tenant, name, namespace, shard,"
            + " enabled, version, deleted, live, body, created_at_ms, updated_at_ms, updated_by)"
            + " VALUES (?, ?, 'p', 'big/db', 'big', 1, 1, 0, 1, ?, 1, 1, 'filler')")) {
      c.setAutoCommit(false);
      for (int i = 0; i < POLICIES; i++) {
        ps.setString(1, "pol_%010d".formatted(i));
        ps.setString(2, "t" + (i % 1000));
        ps.setString(3, body);
        ps.addBatch();
        if (i % 2000 == 1999) {
          ps.executeBatch();
          c.commit();
        }
      }
      ps.executeBatch();
      c.commit();
    }
  }
}
