package io.vigil.console;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One console for the module's tests (one Spring context), its peers a real HTTP server of the
 * tests' own ({@link FakePeers}, alive for the whole test JVM, since the cached context points at it),
 * and a fresh browser per test, signed out.
 */
// the tests change a tenant's silences between two loads of a page: nothing cached between them
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"vigil.console.silence-cache=0ms", "vigil.console.policy-label-cache=0ms",
        "vigil.console.test-notification-timeout=1s"})
@ExtendWith(OutputCaptureExtension.class)
abstract class ConsoleTestSupport {

  static final String TOKEN = "t1-operator-token-0123456789abcdef";
  static final String ME = "{\"name\":\"ops-alice\",\"kind\":\"OPERATOR\",\"roles\":[\"OPERATOR\"],\"tenants\":[\"t1\"]}";
  static final String ALERT = "{\"alertKey\":\"k-1\",\"tenant\":\"t1\",\"namespace\":\"acme/vm\",\"region\":\"r1\","
      + "\"policyId\":\"p-1\",\"metric\":\"cpu\",\"severity\":\"CRITICAL\",\"status\":\"FIRING\",\"value\":97.5,"
      + "\"threshold\":90.0,\"summary\":\"cpu above 90 on vm-7\",\"firstFiredAtMs\":1700000000000,"
      + "\"timestampMs\":1700000060000,\"periodSeconds\":60,\"seriesId\":42,\"dimensions\":{\"vm\":\"vm-7\"}}";
  static final FakePeers PEERS = start();

  @LocalServerPort
  protected int port;

  Browser browser;

  static FakePeers start() {
    try {
      return new FakePeers();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @DynamicPropertySource
  static void peers(DynamicPropertyRegistry registry) {
    for (String peer : new String[] {"policy", "storage", "notifier", "detector", "cmdb"}) {
      registry.add("vigil.services." + peer + ".base-url", () -> "http://127.0.0.1:" + PEERS.port());
      registry.add("vigil.services." + peer + ".retries", () -> "0");
    }
    // shard "big" has a detector of its own: the same server, under a path of its own
    registry.add("vigil.services.detector-shards.big.base-url", () -> "http://127.0.0.1:" + PEERS.port() + "/shard-big");
    registry.add("vigil.services.detector-shards.big.retries", () -> "0");
  }

  @BeforeEach
  void fresh() {
    PEERS.reset();
    PEERS.on("GET /v1/me", c -> TOKEN.equals(c.bearer()) ? new FakePeers.Answer(200, ME)
        : new FakePeers.Answer(401, "{\"code\":\"unauthenticated\"}"));
    PEERS.on("GET /v1/alerts/open", c -> c.query() != null && c.query().contains("alertKey=other")
        ? new FakePeers.Answer(200, "{\"total\":0,\"items\":[]}")
        : new FakePeers.Answer(200, "{\"total\":1,\"items\":[" + ALERT + "]}"));
    PEERS.on("GET /v1/tenants/t1/silences", 200, "{\"items\":[]}");
    browser = new Browser(port);
  }

}
