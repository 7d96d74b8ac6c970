import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The local platform's demo (bin/vigil demo): a small synthetic fleet that makes Vigil visibly work.
 * It onboards two products through the public APIs with the local admin token (web servers in three
 * zones with cpu and mem, MySQL instances with qps and latency, a failover event), a tenant "demo"
 * with a user who gets e-mail, a webhook to the local sink and four policies; then it pushes signed
 * points for every instance every few seconds. Waves of trouble come and go on a fixed schedule: ten
 * web servers of one zone run hot for two minutes in every four, three databases slow down for two
 * minutes in every six, and a database fails over every three minutes. So within two minutes of start
 * the first pages arrive, and later they resolve and come back.
 *
 * <p>Run as a single source file, it needs only the JDK: {@code java Demo.java}. Settings are
 * environment variables: POLICY, GATEWAY (the services' URLs, standard ports by default), VIGIL_HOME
 * (where keys/admin.key is) or DEMO_ADMIN_KEY_FILE (the token's file), DEMO_SINK_URL (the webhook), DEMO_WEB and DEMO_DB (instances, 200 and
 * 100), DEMO_EVERY_SECONDS (5), DEMO_MINUTES (0: until stopped). Setting up twice is harmless: what
 * exists is kept.
 */
public final class Demo {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private static final String[] ZONES = {"zone-a", "zone-b", "zone-c"};

  private final String policy = env("POLICY", "http://127.0.0.1:8086");
  private final String gateway = env("GATEWAY", "http://127.0.0.1:8081");
  private final String adminKey;
  private final int web = Integer.parseInt(env("DEMO_WEB", "200"));
  private final int db = Integer.parseInt(env("DEMO_DB", "100"));
  private String keyWeb;
  private String secretWeb;
  private String keyDb;
  private String secretDb;
  private long pushed;
  private long failed;

  private Demo(String adminKey) {
    this.adminKey = adminKey;
  }

  public static void main(String[] args) throws Exception {
    Path home = Path.of(env("VIGIL_HOME", "/var/lib/vigil"));
    String key = Files.readString(Path.of(env("DEMO_ADMIN_KEY_FILE", home.resolve("keys/admin.key").toString())))
        .trim();
    Demo demo = new Demo(key);
    demo.setUp(env("DEMO_SINK_URL", "http://127.0.0.1:9099/hook"));
    demo.run(Integer.parseInt(env("DEMO_EVERY_SECONDS", "5")), Integer.parseInt(env("DEMO_MINUTES", "0")));
  }

  void setUp(String sinkUrl) throws Exception {
    create("/v1/products", "{\"name\": \"demo-shop\", \"owners\": [\"Demo web team\"]}");
    create("/v1/products", "{\"name\": \"demo-db\", \"owners\": [\"Demo DBA\"]}");
    create("/v1/namespaces", "{\"name\": \"demo-shop/web\", \"requiredDimensions\": [\"instance\", \"zone\"],"
        + " \"metrics\": [{\"name\": \"cpu\", \"unit\": \"percent\"}, {\"name\": \"mem\", \"unit\": \"percent\"}],"
        + " \"graceMs\": 2000}");
    create("/v1/namespaces", "{\"name\": \"demo-db/mysql\", \"requiredDimensions\": [\"instance\", \"cluster\"],"
        + " \"metrics\": [{\"name\": \"qps\"}, {\"name\": \"latency_ms\", \"unit\": \"ms\"}],"
        + " \"eventTypes\": [\"failover\"], \"graceMs\": 2000}");
    String web = call("POST", "/v1/products/demo-shop/credentials", "", 201);
    keyWeb = field(web, "keyId");
    secretWeb = field(web, "secret");
    String dbCred = call("POST", "/v1/products/demo-db/credentials", "", 201);
    keyDb = field(dbCred, "keyId");
    secretDb = field(dbCred, "secret");

    String user = idOf("/v1/tenants/demo/users", "alice", "{\"name\": \"alice\", \"displayName\": \"Alice (on call)\","
        + " \"contacts\": {\"EMAIL\": \"alice@demo.example\"}}");
    String hook = idOf("/v1/tenants/demo/webhooks", "demo-sink",
        "{\"name\": \"demo-sink\", \"url\": \"" + sinkUrl + "\"}");
    String both = "\"receivers\": {\"users\": [\"" + user + "\"], \"webhooks\": [\"" + hook + "\"]}";
    String hookOnly = "\"receivers\": {\"webhooks\": [\"" + hook + "\"]}";
    idOf("/v1/tenants/demo/policies", "web cpu high", "{\"name\": \"web cpu high\", \"namespace\": \"demo-shop/web\","
        + " \"severity\": \"CRITICAL\", \"annotations\": {\"summary\": \"a web server's CPU is above 90%\"},"
        + " \"conditions\": [{\"metric\": \"cpu\", \"period\": 60, \"statistic\": \"AVG\", \"operator\": \"GT\","
        + " \"threshold\": 90, \"recoveryThreshold\": 70}], " + both + ","
        + " \"notification\": {\"groupBy\": [\"zone\"], \"groupWaitSec\": 10, \"repeatIntervalSec\": 600}}");
    idOf("/v1/tenants/demo/policies", "web mem full", "{\"name\": \"web mem full\", \"namespace\": \"demo-shop/web\","
        + " \"severity\": \"WARNING\", \"conditions\": [{\"metric\": \"mem\", \"period\": 60, \"statistic\": \"MAX\","
        + " \"operator\": \"GT\", \"threshold\": 97}], " + hookOnly + "}");
    idOf("/v1/tenants/demo/policies", "db slow", "{\"name\": \"db slow\", \"namespace\": \"demo-db/mysql\","
        + " \"severity\": \"WARNING\", \"annotations\": {\"summary\": \"queries take over 200 ms\"},"
        + " \"conditions\": [{\"metric\": \"latency_ms\", \"period\": 60, \"statistic\": \"MAX\", \"operator\": \"GT\","
        + " \"threshold\": 200}], " + hookOnly + ", \"notification\": {\"groupWaitSec\": 0}}");
    idOf("/v1/tenants/demo/policies", "db failover", "{\"name\": \"db failover\", \"namespace\": \"demo-db/mysql\","
        + " \"severity\": \"CRITICAL\", \"eventRules\": [{\"eventTypes\": [\"failover\"]}], " + both + ","
        + " \"notification\": {\"groupWaitSec\": 0}}");
    System.out.println("demo: tenant demo set up: 2 products, 2 namespaces, user alice (e-mail), webhook " + sinkUrl
        + ", 4 policies; fleet: " + this.web + " web servers, " + db + " databases");
  }

  void run(int everySeconds, int minutes) throws Exception {
    long start = System.currentTimeMillis();
    long lastReport = 0;
    long lastFailover = 0;
    while (minutes == 0 || System.currentTimeMillis() - start < minutes * 60_000L) {
      long now = System.currentTimeMillis();
      long minute = (now - start) / 60_000; // the schedule starts with the demo: trouble at once

      pushWeb(now, minute);
      pushDb(now, minute);
      if (now - lastFailover >= 180_000) {
        lastFailover = now;
        int i = (int) (minute % db);
        String events = "{\"namespace\": \"demo-db/mysql\", \"events\": [{\"eventType\": \"failover\","
            + " \"objectId\": \"db-" + i + "\", \"severity\": \"CRITICAL\", \"timestampMs\": " + now + ","
            + " \"message\": \"primary moved to its replica\", \"dimensions\": {\"appid\": \"demo\", \"instance\": \"db-"
            + i + "\", \"cluster\": \"c" + (i % 5) + "\"}}]}";
        signed("/v1/events", keyDb, secretDb, events);
      }
      if (now - lastReport >= 60_000) {
        lastReport = now;
        System.out.printf("demo: %s pushed %d points so far, %d batches refused%n", Instant.ofEpochMilli(now), pushed,
            failed);
      }
      Thread.sleep(Math.max(0, everySeconds * 1000L - (System.currentTimeMillis() - now)));
    }
  }

  /**
   * Ten web servers of one zone run hot in the first two minutes of every four of the demo (a new zone
   * each time).
   */
  private void pushWeb(long now, long minute) throws Exception {
    String hotZone = ZONES[(int) ((minute / 4) % ZONES.length)];
    boolean wave = minute % 4 < 2;
    List<String> points = new ArrayList<>();
    for (int i = 0; i < web; i++) {
      String zone = ZONES[i % ZONES.length];
      boolean hot = wave && zone.equals(hotZone) && i / ZONES.length < 10;
      double cpu = hot ? 94 + (i % 5) : 20 + ((i * 7 + minute * 3) % 40);
      double mem = i == 7 ? 98.5 : 40 + ((i * 11) % 30);
      String dims = "{\"appid\": \"demo\", \"instance\": \"web-" + i + "\", \"zone\": \"" + zone + "\"}";
      points.add(point("cpu", dims, now, cpu));
      points.add(point("mem", dims, now, mem));
    }
    push("demo-shop/web", points, keyWeb, secretWeb);
  }

  /** Three databases slow down in the first two minutes of every six of the demo. */
  private void pushDb(long now, long minute) throws Exception {
    boolean slow = minute % 6 < 2;
    List<String> points = new ArrayList<>();
    for (int i = 0; i < db; i++) {
      String dims = "{\"appid\": \"demo\", \"instance\": \"db-" + i + "\", \"cluster\": \"c" + (i % 5) + "\"}";
      points.add(point("qps", dims, now, 500 + (i * 13) % 300));
      points.add(point("latency_ms", dims, now, slow && i < 3 ? 350 + i * 20 : 5 + (i % 20)));
    }
    push("demo-db/mysql", points, keyDb, secretDb);
  }

  private static String point(String metric, String dims, long t, double value) {
    return "{\"metric\": \"" + metric + "\", \"dimensions\": " + dims + ", \"timestampMs\": " + t + ", \"value\": "
        + value + "}";
  }

  private void push(String namespace, List<String> points, String keyId, String secret) throws Exception {
    String body = "{\"namespace\": \"" + namespace + "\", \"points\": [" + String.join(", ", points) + "]}";
    if (signed("/v1/metrics", keyId, secret, body)) {
      pushed += points.size();
    } else {
      failed++;
    }
  }

  /** A signed POST to the gateway as docs/request-signing.md says; true when it was accepted. */
  private boolean signed(String path, String keyId, String secret, String body) throws Exception {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    long ts = System.currentTimeMillis();
    String nonce = UUID.randomUUID().toString();
    String canonical = "VIGIL-HMAC-SHA256\nPOST\n" + path + "\n\n" + ts + "\n" + nonce + "\n"
        + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String signature = HexFormat.of().formatHex(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + path))
          .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
          .header("Authorization", "VIGIL-HMAC-SHA256 Credential=" + keyId + ", Signature=" + signature)
          .header("X-Vigil-Timestamp", Long.toString(ts)).header("X-Vigil-Nonce", nonce)
          .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        System.out.println("demo: " + path + " answered " + r.statusCode() + ": " + abbreviate(r.body()));
      }
      return r.statusCode() == 200;
    } catch (java.io.IOException e) {
      System.out.println("demo: " + path + " failed: " + e.getMessage());
      return false;
    }
  }

  /** Creates an object; one that exists already (409) is kept. */
  private void create(String path, String json) throws Exception {
    call("POST", path, json, 201, 409);
  }

  /** The id of the tenant object of this name, created when there is none. */
  private String idOf(String collection, String name, String json) throws Exception {
    String list = call("GET", collection + "?name=" + java.net.URLEncoder.encode(name, StandardCharsets.UTF_8)
        + "&limit=100", null, 200);
    Matcher m = Pattern.compile("\"id\":\"([^\"]+)\"[^{}]*?\"spec\":\\{\"name\":\"" + Pattern.quote(name) + "\"")
        .matcher(list);
    if (m.find()) {
      return m.group(1);
    }
    return field(call("POST", collection, json, 201), "id");
  }

  private String call(String method, String path, String json, int... ok) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(policy + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + adminKey);
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = HTTP.send(b.method(method, json == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    for (int code : ok) {
      if (r.statusCode() == code) {
        return r.body();
      }
    }
    throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
  }

  /** A top-level string field of a JSON object (enough for the answers read here). */
  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":\"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(1);
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "…";
  }
}
