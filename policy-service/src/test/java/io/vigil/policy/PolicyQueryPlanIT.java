package io.vigil.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.common.config.ControlSchema;
import io.vigil.common.control.ControlReader;
import io.vigil.common.security.ControlCallerResolver;
import io.vigil.common.security.ProductCredentials;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilServiceTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.ibatis.mapping.BoundSql;
import org.apache.ibatis.mapping.ParameterMapping;
import org.apache.ibatis.reflection.MetaObject;
import org.apache.ibatis.session.Configuration;
import org.apache.ibatis.session.SqlSessionFactory;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A million policies is a normal size, so no list, search or load query may scan a table: each
 * statement the service and the readers run is EXPLAINed over 100,000 rows (the SQL MyBatis really
 * sends, parameters bound) and fails on a full scan. A new statement without a case here fails too.
 */
@VigilServiceTest
class PolicyQueryPlanIT {

  static final int ROWS = 100_000;

  @Autowired
  SqlSessionFactory sessions;

  record Case(String statement, Map<String, Object> params) {}

  static Map<String, Object> p(Object... kv) {
    Map<String, Object> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  static final String CM = "io.vigil.policy.store.ControlMapper.";
  static final String CR = "io.vigil.policy.credentials.CredentialMapper.";

  List<Case> cases() {
    String t = "ctl_policies";
    Map<String, Object> page = p("t", t, "tenant", "t7", "namespace", null, "namePrefix", null, "enabled", null,
        "after", null, "limit", 101);
    List<Case> cases = new ArrayList<>(List.of(
        new Case(CM + "page", page),
        new Case(CM + "page", with(page, "namespace", "ns/n3")),
        new Case(CM + "page", with(page, "namePrefix", "policy 12")),
        new Case(CM + "page", with(with(page, "namespace", "ns/n3"), "enabled", true)),
        new Case(CM + "page", with(page, "after", "pol_0000050000")),
        new Case(CM + "find", p("t", t, "id", "pol_0000000042")),
        new Case(CM + "lock", p("t", t, "id", "pol_0000000042")),
        new Case(CM + "countLive", p("t", t, "tenant", "t7", "id", "pol_0000000042")),
        new Case(CM + "anyLiveIn", p("t", t, "namespace", "ns/n3")),
        new Case(CM + "moveShard", p("t", t, "namespace", "ns/n3", "shard", "s1")),
        new Case(CM + "takeOutbox", p("limit", 500)),
        new Case(CM + "deleteOutbox", p("seqs", List.of(1L, 2L, 3L))),
        new Case(CM + "outboxEnds", p()),
        new Case(CM + "outboxCreatedAt", p("seq", 5000L)),
        new Case(CM + "takeRelayBaton", p()),
        new Case(CM + "audit", p("type", "POLICY", "id", "pol_0000000042", "before", null, "limit", 100)),
        new Case(CM + "audit", p("type", "POLICY", "id", "pol_0000000042", "before", 5000L, "limit", 100)),
        new Case(CR + "findToken", p("id", "tok_0000000042")),
        new Case(CR + "lockToken", p("id", "tok_0000000042")),
        new Case(CR + "tokens", p("after", "tok_0000000100", "limit", 100)),
        new Case(CR + "revokeToken", p("id", "tok_0000000042", "expected", 1L, "now", 1L, "actor", "a")),
        new Case(CR + "lockCredential", p("id", "ak_0000000042")),
        new Case(CR + "credentials", p("product", "p7"))));
    io.vigil.policy.store.ControlRow row = new io.vigil.policy.store.ControlRow();
    row.id = "pol_0000000042";
    row.tenant = "t2";
    row.name = "x";
    row.body = "{}";
    row.updatedBy = "a";
    cases.add(new Case(CM + "update", p("t", t, "r", row, "expected", 1L)));
    io.vigil.policy.credentials.CredentialRow cred = new io.vigil.policy.credentials.CredentialRow();
    cred.id = "ak_0000000042";
    cases.add(new Case(CR + "updateCredential", p("c", cred, "expected", 1L)));
    return cases;
  }

  static Map<String, Object> with(Map<String, Object> m, String k, Object v) {
    Map<String, Object> c = new HashMap<>(m);
    c.put(k, v);
    return c;
  }

  @Test
  void noStatementScansATableOfAHundredThousandRows() throws Exception {
    String db = TestRun.database("policy_plans");
    String url = "jdbc:mysql://" + TestServers.mysqlHost() + ":" + TestServers.mysqlPort() + "/" + db
        + "?useSSL=false&allowPublicKeyRetrieval=true&createDatabaseIfNotExist=true&rewriteBatchedStatements=true";
    Flyway.configure().dataSource(url, TestServers.mysqlUser(), TestServers.mysqlPassword())
        .locations(ControlSchema.LOCATION).table(ControlSchema.HISTORY_TABLE).load().migrate();
    try (Connection c = DriverManager.getConnection(url, TestServers.mysqlUser(), TestServers.mysqlPassword())) {
      fill(c);
      Configuration config = sessions.getConfiguration();
      List<String> scans = new ArrayList<>();
      List<String> covered = new ArrayList<>();
      for (Case k : cases()) {
        covered.add(k.statement());
        BoundSql bound = config.getMappedStatement(k.statement()).getBoundSql(k.params());
        List<Object> values = new ArrayList<>();
        MetaObject meta = config.newMetaObject(k.params());
        for (ParameterMapping pm : bound.getParameterMappings()) {
          String name = pm.getProperty();
          values.add(bound.hasAdditionalParameter(name) ? bound.getAdditionalParameter(name) : meta.getValue(name));
        }
        explain(c, k.statement() + " " + k.params(), bound.getSql(), values, scans);
      }
      // the readers' statements, kept as constants in common
      explain(c, "token by hash", ControlCallerResolver.TOKEN_QUERY, List.of("ab".repeat(32)), scans);
      explain(c, "credential by key id", ProductCredentials.CREDENTIAL_QUERY, List.of("ak_0000000042"), scans);
      explain(c, "a shard's policy load", ControlReader.loadQuery("ctl_policies", true), List.of("s2"), scans);
      assertThat(scans).as("statements that scan a whole table").isEmpty();

      List<String> all = config.getMappedStatementNames().stream()
          .filter(n -> n.startsWith(CM) || n.startsWith(CR)).filter(n -> !n.endsWith("!selectKey")).distinct().toList();
      List<String> uncovered = new ArrayList<>();
      for (String n : all) {
        if (!covered.contains(n) && !n.matches(".*\\.insert\\w*")) {
          uncovered.add(n); // an insert writes one row and reads none
        }
      }
      assertThat(uncovered).as("mapped statements without a plan check").isEmpty();
    }
  }

  private static void explain(Connection c, String what, String sql, List<Object> values, List<String> scans)
      throws Exception {
    String plain = sql.replace(" FOR UPDATE SKIP LOCKED", "").replace(" FOR UPDATE", "");
    try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + plain)) {
      for (int i = 0; i < values.size(); i++) {
        ps.setObject(i + 1, values.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String type = rs.getString("type");
          String table = rs.getString("table");
          long rows = rs.getLong("rows");
          if ("ALL".equals(type) || ("index".equals(type) && rows > 1000)) {
            scans.add(what + ": " + type + " on " + table + " (" + rows + " rows): " + plain);
          }
        }
      }
    }
  }

  /** 100,000 rows in each table the statements read, spread over tenants, namespaces and shards. */
  private static void fill(Connection c) throws Exception {
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO ctl_policies (id, tenant, name, namespace, shard,"
        + " enabled, version, deleted, live, body, created_at_ms, updated_at_ms, updated_by)"
        + " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, '{}', 1, 1, 'filler')")) {
      for (int i = 0; i < ROWS; i++) {
        ps.setString(1, "pol_%010d".formatted(i));
        ps.setString(2, "t" + (i % 100));
        ps.setString(3, "policy " + i);
        ps.setString(4, "ns/n" + (i % 50));
        ps.setString(5, "s" + (i % 5));
        ps.setBoolean(6, i % 7 != 0);
        ps.setBoolean(7, i % 10 == 0);
        ps.setObject(8, i % 10 == 0 ? null : 1);
        batch(ps, c, i);
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO ctl_audit (entity_type, entity_id, tenant, version,"
        + " op, actor, at_ms) VALUES ('POLICY', ?, 't1', 1, 'UPSERT', 'filler', 1)")) {
      for (int i = 0; i < ROWS; i++) {
        ps.setString(1, "pol_%010d".formatted(i % 20_000));
        batch(ps, c, i);
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO ctl_outbox (entity_type, entity_id, version, op,"
        + " created_at_ms) VALUES ('POLICY', ?, 1, 'UPSERT', 1)")) {
      for (int i = 0; i < ROWS; i++) {
        ps.setString(1, "pol_%010d".formatted(i));
        batch(ps, c, i);
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO ctl_operator_tokens (id, name, token_sha256, role,"
        + " tenants, version, deleted, created_at_ms, updated_at_ms, updated_by)"
        + " VALUES (?, 'filler', ?, 'VIEWER', 't1', 1, ?, 1, 1, 'filler')")) {
      for (int i = 0; i < ROWS; i++) {
        ps.setString(1, "tok_%010d".formatted(i));
        ps.setString(2, "%064x".formatted(i));
        ps.setBoolean(3, i % 10 == 0);
        batch(ps, c, i);
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO ctl_product_credentials (id, product, current_key_id,"
        + " current_secret, current_created_at_ms, version, deleted, created_at_ms, updated_at_ms, updated_by)"
        + " VALUES (?, ?, 'k', 'x', 1, 1, 0, 1, 1, 'filler')")) {
      for (int i = 0; i < ROWS; i++) {
        ps.setString(1, "ak_%010d".formatted(i));
        ps.setString(2, "p" + (i % 1000));
        batch(ps, c, i);
      }
    }
    c.commit();
    c.setAutoCommit(true);
    for (String t : List.of("ctl_policies", "ctl_audit", "ctl_outbox", "ctl_operator_tokens",
        "ctl_product_credentials")) {
      c.createStatement().execute("ANALYZE TABLE " + t);
    }
  }

  private static void batch(PreparedStatement ps, Connection c, int i) throws Exception {
    ps.addBatch();
    if (i % 2000 == 1999) {
      ps.executeBatch();
      c.commit();
    }
  }
}
