package io.vigil.cmdb;

import io.vigil.common.control.ControlJson;
import io.vigil.common.control.NamespaceConfig;
import io.vigil.common.control.Product;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.ChangeOp;
import io.vigil.common.model.ControlChange;
import io.vigil.common.security.SecretBox;
import io.vigil.common.testing.Http;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilTestInitializer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The control rows the cmdb's tests need in its per-run control database: products {@code acme}
 * and {@code other}, their namespaces and credentials. The service loaded its snapshot of the access
 * config before they existed, so each namespace is announced on {@code control.changes}.
 */
final class CmdbFixtures {

  static final String ACME_KEY = "ak_acme_cmdb:acme-secret-not-real";
  static final String OTHER_KEY = "ak_other_cmdb:other-secret-not-real";
  static final String VM = "acme/vm";
  static final String DB = "other/db";

  private static boolean seeded;

  private CmdbFixtures() {}

  /** The cmdb's per-run control database, written as policy-service would. */
  static JdbcTemplate control() {
    return new JdbcTemplate(new DriverManagerDataSource("jdbc:mysql://" + TestServers.mysqlHost() + ":"
        + TestServers.mysqlPort() + "/" + VigilTestInitializer.controlDatabase("cmdb") + "?useSSL=false"
        + "&allowPublicKeyRetrieval=true", TestServers.mysqlUser(), TestServers.mysqlPassword()));
  }

  /** Announces a changed control object as policy-service's relay would. */
  static void announce(ControlChange.EntityType type, String id, String tenant, long version) {
    TestKafka.send("control.changes", type + ":" + id, new MessageCodec().encode(new ControlChange(1, type, id,
        "local", tenant, version, ChangeOp.UPSERT, System.currentTimeMillis())));
  }

  static synchronized void seed() {
    if (seeded) {
      return;
    }
    JdbcTemplate jdbc = control();
    SecretBox box = SecretBox.fromFile(Path.of(VigilTestInitializer.testMasterKey()));
    for (String product : List.of("acme", "other")) {
      jdbc.update("INSERT INTO ctl_products (id, tenant, name, version, body, created_at_ms, updated_at_ms,"
          + " updated_by) VALUES (?, '', ?, 1, ?, 1, 1, 'test')", product, product,
          ControlJson.write(new Product(product, null, null)));
    }
    namespace(jdbc, new NamespaceConfig(VM, null, null, List.of("instance"), List.of("zone"), List.of(), null, null,
        null, null, null, null, null).withDefaults());
    namespace(jdbc, new NamespaceConfig(DB, null, "owner", null, null, List.of(), null, null, null, null, null, null,
        null).withDefaults());
    credential(jdbc, box, ACME_KEY, "acme");
    credential(jdbc, box, OTHER_KEY, "other");
    MessageCodec codec = new MessageCodec();
    for (String ns : List.of(VM, DB)) {
      TestKafka.send("control.changes", "NAMESPACE:" + ns, codec.encode(new ControlChange(1,
          ControlChange.EntityType.NAMESPACE, ns, "local", null, 1, ChangeOp.UPSERT, System.currentTimeMillis())));
    }
    seeded = true;
  }

  static void namespace(JdbcTemplate jdbc, NamespaceConfig ns) {
    jdbc.update("INSERT INTO ctl_namespaces (id, tenant, name, namespace, shard, version, body, created_at_ms,"
        + " updated_at_ms, updated_by) VALUES (?, '', ?, ?, ?, 1, ?, 1, 1, 'test')", ns.name(), ns.name(), ns.name(),
        ns.shard(), ControlJson.write(ns));
  }

  private static void credential(JdbcTemplate jdbc, SecretBox box, String key, String product) {
    String keyId = key.substring(0, key.indexOf(':'));
    SecretBox.Sealed sealed = box.seal(keyId, key.substring(key.indexOf(':') + 1));
    jdbc.update("INSERT INTO ctl_product_credentials (id, product, current_key_id, current_secret,"
        + " current_created_at_ms, version, created_at_ms, updated_at_ms, updated_by) VALUES (?, ?, ?, ?, 1, 1, 1, 1,"
        + " 'test')", keyId, product, sealed.keyId(), sealed.ciphertext());
  }

  /** A realistic CVM-like instance of tenant {@code tenant}. */
  static Map<String, Object> vm(String tenant, String id, long version) {
    return Map.of("version", version,
        "attributes", Map.of("appid", tenant, "instance", id, "zone", "ap-guangzhou-3", "name", "web-" + id,
            "vpc", "vpc-8f2k1x", "private_ip", "10.0.3.17", "os", "TencentOS Server 3.1", "cpu", "8", "memory_gb", "32"),
        "tags", Map.of("team", "checkout", "env", "prod", "cost-center", "cc-42"));
  }

  static HttpResponse<String> send(Http http, String method, String path, String key, Object body,
      String... headers) {
    HttpRequest.Builder b = http.request(path).header("Authorization", "Bearer " + key);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(Http.JSON.writeValueAsString(body)));
    }
    return http.send(b.build());
  }
}
