package io.vigil.policy;

import static io.vigil.common.testing.ServiceContractSupport.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.common.security.ProductCredentials;
import io.vigil.common.semantics.RequestSigning;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.VigilTestInitializer;
import java.net.http.HttpResponse;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Operator tokens and product credentials: shown once, stored hashed or sealed, resolved by common's
 * resolver with their roles and tenants, rotated with two secrets valid, revoked at once, audited
 * without a secret; and no master key, no start.
 */
@VigilServiceTest
class PolicyCredentialsIT {

  @LocalServerPort
  int port;

  @Autowired
  DataSource dataSource;

  @Autowired
  ProductCredentials productCredentials;

  Http http;
  PolicyTestClient admin;

  @BeforeEach
  void clients() {
    http = new Http(port);
    admin = new PolicyTestClient(http, VigilTestInitializer.PLATFORM_ADMIN_KEY);
    PolicyApiIT.ensureAccessConfig(admin);
  }

  @Test
  void anOperatorTokenWorksWithItsRoleAndTenantsUntilRevoked() throws Exception {
    JsonNode created = admin.create("/v1/tokens", "{\"name\": \"carol\", \"role\": \"VIEWER\", \"tenants\": [\"t1\"]}");
    String token = created.path("token").asString();
    assertThat(token).startsWith("vgl_").hasSizeGreaterThan(40);
    String id = created.path("id").asString();

    PolicyTestClient carol = new PolicyTestClient(http, token);
    assertThat(carol.get("/v1/tenants/t1/policies").statusCode()).isEqualTo(200);
    assertProblem(carol.get("/v1/tenants/t2/policies"), 404, "not_found");
    assertProblem(carol.post("/v1/tenants/t1/policies", PolicyApiIT.policy("viewer", 1)), 403, "forbidden");

    // the token is shown once: not in the list, not in the table, not in the audit
    HttpResponse<String> list = admin.get("/v1/tokens");
    assertThat(list.body()).contains(id).doesNotContain(token);
    assertThat(admin.get("/v1/tokens/" + id + "/audit").body()).doesNotContain(token);
    assertThat(tableText("ctl_operator_tokens")).doesNotContain(token);

    assertProblem(new PolicyTestClient(http, VigilTestInitializer.T1_OPERATOR_KEY)
        .post("/v1/tokens", "{\"name\": \"x\", \"role\": \"ADMIN\", \"tenants\": [\"*\"]}"), 403, "forbidden");
    JsonNode bad = assertProblem(admin.post("/v1/tokens", "{\"name\": \"\", \"role\": \"ROOT\", \"tenants\": [\"a b\"]}"),
        400, "validation_failed");
    assertThat(PolicyObjectsIT.fields(bad)).contains("name", "role", "tenants[0]");

    assertThat(admin.delete("/v1/tokens/" + id, "\"1\"").statusCode()).isEqualTo(204);
    assertProblem(carol.get("/v1/tenants/t1/policies"), 401, "unauthenticated");
    assertThat(PolicyApiIT.changesOf("OPERATOR_TOKEN:" + id, 2)).hasSize(2);
  }

  @Test
  void aProductCredentialIsShownOnceSealedAndRotatesWithoutAGap() throws Exception {
    JsonNode created = admin.create("/v1/products/acme/credentials", "{}");
    String keyId = created.path("keyId").asString();
    String first = created.path("secret").asString();
    assertThat(keyId).startsWith("ak_");
    assertThat(first).startsWith("vsk_");
    assertThat(admin.get("/v1/products/acme/credentials").body()).contains(keyId).doesNotContain(first);
    assertThat(tableText("ctl_product_credentials")).doesNotContain(first);

    // the verifier every service uses opens it and checks a signature made with it
    ProductCredentials.Credential c = productCredentials.find(keyId).orElseThrow();
    assertThat(c.product()).isEqualTo("acme");
    RequestSigning.Request request = new RequestSigning.Request("POST", "/v1/metrics", Map.of(),
        System.currentTimeMillis(), "n-1", "{}".getBytes());
    assertThat(RequestSigning.sign(c.secrets().get(0), request)).isEqualTo(RequestSigning.sign(first, request));

    JsonNode rotated = Http.json(admin.send("POST", "/v1/products/acme/credentials/" + keyId + "/rotate?overlap=PT1H",
        null, "\"1\""));
    String second = rotated.path("secret").asString();
    assertThat(second).startsWith("vsk_").isNotEqualTo(first);
    assertThat(productCredentials.find(keyId).orElseThrow().secrets()).as("both valid during the overlap")
        .containsExactly(second, first);
    admin.send("POST", "/v1/products/acme/credentials/" + keyId + "/rotate?overlap=PT0S", null, "\"2\"");
    assertThat(productCredentials.find(keyId).orElseThrow().secrets()).as("never three; no overlap asked")
        .hasSize(1).doesNotContain(first, second);
    assertProblem(admin.send("POST", "/v1/products/acme/credentials/" + keyId + "/rotate", null, "\"2\""), 409,
        "conflict");

    assertThat(admin.delete("/v1/products/acme/credentials/" + keyId, "\"3\"").statusCode()).isEqualTo(204);
    assertThat(productCredentials.find(keyId)).isEmpty();
    assertThat(admin.get("/v1/products/acme/credentials").body()).doesNotContain(keyId);
    assertProblem(admin.post("/v1/products/nope/credentials", "{}"), 404, "not_found");
  }

  /**
   * A token revoked by another instance (here: straight in the table, then its change on the topic)
   * stops working here when the change arrives, not when this instance's cache expires.
   */
  @Test
  void aChangeFromAnotherInstanceDropsTheCachedToken() throws Exception {
    JsonNode created = admin.create("/v1/tokens", "{\"name\": \"erin\", \"role\": \"VIEWER\", \"tenants\": [\"t1\"]}");
    PolicyTestClient erin = new PolicyTestClient(http, created.path("token").asString());
    assertThat(erin.get("/v1/tenants/t1/policies").statusCode()).isEqualTo(200); // now cached
    String id = created.path("id").asString();
    try (var c = dataSource.getConnection(); var s = c.createStatement()) {
      s.executeUpdate("UPDATE ctl_operator_tokens SET deleted = 1, version = 2 WHERE id = '" + id + "'");
      if (!c.getAutoCommit()) {
        c.commit();
      }
    }
    assertThat(erin.get("/v1/tenants/t1/policies").statusCode()).as("still cached").isEqualTo(200);
    io.vigil.common.testing.TestKafka.send("control.changes", "OPERATOR_TOKEN:" + id, new io.vigil.common.kafka.MessageCodec()
        .encode(new io.vigil.common.model.ControlChange(1, io.vigil.common.model.ControlChange.EntityType.OPERATOR_TOKEN,
            id, "other-instance", null, 2, io.vigil.common.model.ChangeOp.DELETE, System.currentTimeMillis())));
    io.vigil.common.testing.Awaits.until("the revoked token refused",
        () -> erin.get("/v1/tenants/t1/policies").statusCode() == 401);
  }

  @Test
  void withoutAMasterKeyTheServiceDoesNotStart() {
    assertThatThrownBy(() -> new SpringApplicationBuilder(PolicyApplication.class)
        .initializers(new VigilTestInitializer())
        .run("--server.port=0", "--vigil.security.master-key-file=", "--vigil.mysql.database=unused"))
        .hasStackTraceContaining("there is no default key");
  }

  private String tableText(String table) throws Exception {
    StringBuilder all = new StringBuilder();
    try (var c = dataSource.getConnection(); var rs = c.createStatement().executeQuery("SELECT * FROM " + table)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= n; i++) {
          all.append(rs.getString(i)).append('|');
        }
      }
    }
    try (var c = dataSource.getConnection(); var rs = c.createStatement().executeQuery(
        "SELECT before_body, after_body FROM ctl_audit")) {
      while (rs.next()) {
        all.append(rs.getString(1)).append(rs.getString(2));
      }
    }
    return all.toString();
  }
}
