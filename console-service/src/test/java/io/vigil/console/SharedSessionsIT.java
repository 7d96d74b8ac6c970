package io.vigil.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.security.SecretBox;
import io.vigil.common.testing.TestRedis;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.fault.FaultProxy;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Two console replicas keeping their sessions in the real Redis ({@code vigil.console.sessions=redis}):
 * a sign-in on one is a sign-in on the other, and a sign-out on either ends it; Redis holds no token
 * (every value sealed), a value that does not open sends the user to sign in again, and Redis down
 * answers a 503 page (counted) without losing the session it held.
 */
class SharedSessionsIT {

  private static final String TOKEN = ConsoleTestSupport.TOKEN;
  private static FakePeers peers;
  private static FaultProxy redisProxy;
  private static ConfigurableApplicationContext first;
  private static ConfigurableApplicationContext second;
  private static StringRedisTemplate redis;

  @BeforeAll
  static void start() throws Exception {
    peers = new FakePeers();
    Path keys = Files.createTempFile("console-session-key", ".key",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(keys, SecretBox.newKeyLine("k1") + "\n");
    redisProxy = FaultProxy.to(TestServers.redisHost(), TestServers.redisPort());
    first = console(keys, TestServers.redisHost(), TestServers.redisPort());
    second = console(keys, "127.0.0.1", redisProxy.port());
    redis = TestRedis.template(TestServers.redisHost(), TestServers.redisPort());
  }

  private static ConfigurableApplicationContext console(Path keys, String redisHost, int redisPort) {
    Map<String, Object> p = new HashMap<>();
    p.put("server.port", "0");
    p.put("vigil.console.sessions", "redis");
    p.put("vigil.console.session-key-file", keys.toString());
    p.put("spring.data.redis.host", redisHost);
    p.put("spring.data.redis.port", redisPort);
    p.put("spring.data.redis.timeout", "500ms");
    p.put("spring.data.redis.connect-timeout", "500ms");
    p.put("vigil.redis.key-prefix", TestRun.redisPrefix());
    for (String peer : new String[] {"policy", "storage", "notifier", "detector", "cmdb"}) {
      p.put("vigil.services." + peer + ".base-url", "http://127.0.0.1:" + peers.port());
      p.put("vigil.services." + peer + ".retries", "0");
    }
    // as arguments, which outrank the module's application.yml
    return new SpringApplicationBuilder(ConsoleApplication.class)
        .run(p.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
  }

  private static int port(ConfigurableApplicationContext c) {
    return Integer.parseInt(c.getEnvironment().getProperty("local.server.port"));
  }

  @AfterAll
  static void stop() {
    for (ConfigurableApplicationContext c : new ConfigurableApplicationContext[] {first, second}) {
      if (c != null) {
        c.close();
      }
    }
    if (redisProxy != null) {
      redisProxy.close();
    }
    if (peers != null) {
      peers.close();
    }
  }

  @BeforeEach
  void answers() {
    redisProxy.pass();
    peers.reset();
    peers.on("GET /v1/me", c -> TOKEN.equals(c.bearer()) ? new FakePeers.Answer(200, ConsoleTestSupport.ME)
        : new FakePeers.Answer(401, "{\"code\":\"unauthenticated\"}"));
    peers.on("GET /v1/alerts/open", 200, "{\"total\":1,\"items\":[" + ConsoleTestSupport.ALERT + "]}");
    peers.on("GET /v1/tenants/t1/silences", 200, "{\"items\":[]}");
  }

  @Test
  void aSignInOnOneReplicaIsASignInOnTheOtherAndASignOutOnEitherEndsIt() {
    Browser one = new Browser(port(first));
    assertThat(one.signIn(TOKEN).statusCode()).isEqualTo(302);
    Browser other = new Browser(port(second), one.cookies);
    HttpResponse<String> there = other.get("/");
    assertThat(there.statusCode()).isEqualTo(200);
    assertThat(there.body()).contains("ops-alice").contains("cpu above 90 on vm-7").doesNotContain(TOKEN);
    assertThat(peers.calls("/v1/alerts/open")).allSatisfy(c -> assertThat(c.bearer()).isEqualTo(TOKEN));

    Set<String> stored = sessionKeys();
    assertThat(stored).isNotEmpty();
    int signedIn = 0;
    for (String key : stored) {
      Map<Object, Object> hash = redis.opsForHash().entries(key);
      assertThat(hash.toString()).as("no token in Redis").doesNotContain(TOKEN);
      Object context = hash.get("sessionAttr:SPRING_SECURITY_CONTEXT");
      if (context != null) {
        assertThat(String.valueOf(context)).as("sealed under key k1").startsWith("k1:");
        signedIn++;
      }
    }
    assertThat(signedIn).isPositive();

    assertThat(redis.getExpire(sessionKey(one))).as("a signed-in session lives the idle timeout")
        .isGreaterThan(11 * 3600L);
    Browser stranger = new Browser(port(first));
    stranger.get("/sign-in");
    assertThat(redis.getExpire(sessionKey(stranger))).as("a session before sign-in lives minutes, not hours")
        .isBetween(1L, 15 * 60L);

    assertThat(other.post("/sign-out", Map.of(), true).statusCode()).isEqualTo(302);
    assertThat(one.get("/").statusCode()).as("signed out on the first replica too").isEqualTo(302);
  }

  @Test
  void aSessionValueThatDoesNotOpenSendsTheUserToSignIn() {
    Browser one = new Browser(port(first));
    one.signIn(TOKEN);
    assertThat(one.get("/").statusCode()).isEqualTo(200);
    for (String key : sessionKeys()) {
      redis.opsForHash().put(key, "sessionAttr:SPRING_SECURITY_CONTEXT", "k1:bm90IHNlYWxlZA==");
    }
    String key = sessionKey(one);
    HttpResponse<String> page = one.get("/");
    assertThat(page.statusCode()).isEqualTo(302);
    assertThat(page.headers().firstValue("Location").orElseThrow()).endsWith("/sign-in?expired");
    assertThat(page.headers().allValues("Set-Cookie")).as("the cookie expired as Spring Session writes it")
        .anySatisfy(c -> assertThat(c).startsWith("VIGIL_CONSOLE=;").contains("Max-Age=0").contains("HttpOnly"));
    assertThat(redis.hasKey(key)).as("the unreadable session deleted")
        .isFalse();
    assertThat(degraded(first, "session_unreadable")).isPositive();
    assertThat(one.signIn(TOKEN).statusCode()).isEqualTo(302);
    assertThat(one.get("/").statusCode()).as("a fresh sign-in works").isEqualTo(200);
  }

  @Test
  void redisDownAnswersAPageThatSaysSoAndTheSessionIsThereWhenItReturns() {
    Browser viaProxy = new Browser(port(second));
    viaProxy.signIn(TOKEN);
    assertThat(viaProxy.get("/").statusCode()).isEqualTo(200);

    redisProxy.refuse();
    HttpResponse<String> down = viaProxy.get("/");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.body()).contains("Sessions cannot be read just now").doesNotContain("Exception");
    assertThat(degraded(second, "session_store_down")).isPositive();

    redisProxy.pass();
    io.vigil.common.testing.Awaits.until("the same session, still signed in", java.time.Duration.ofSeconds(20),
        () -> viaProxy.get("/").statusCode() == 200);
  }

  /**
   * This run's session keys, by SCAN: the Redis these tests share may hold millions of other keys (a
   * local platform's, a benchmark's), and KEYS over them outlasts the client's command timeout.
   */
  private Set<String> sessionKeys() {
    Set<String> out = new java.util.HashSet<>();
    try (var cursor = redis.scan(org.springframework.data.redis.core.ScanOptions.scanOptions()
        .match(TestRun.redisPrefix() + "console:sessions:*").count(10_000).build())) {
      cursor.forEachRemaining(out::add);
    }
    return out;
  }

  /** The Redis key of a browser's session: Spring Session's cookie is the id, base64-encoded. */
  private static String sessionKey(Browser b) {
    return TestRun.redisPrefix() + "console:sessions:" + new String(java.util.Base64.getDecoder()
        .decode(b.session().getValue()), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static double degraded(ConfigurableApplicationContext c, String reason) {
    var counter = c.getBean(MeterRegistry.class).find("vigil.degraded").tag("component", "console")
        .tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }
}
