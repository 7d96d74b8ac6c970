package io.vigil.bench;

import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.series.AlertIds;
import io.vigil.common.series.AlertKey;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The console's page times with many open alerts, against the running platform ({@code bin/vigil up}):
 * puts {@code --alerts} FIRING alerts of one tenant on {@code alerts.events} (as the detector sends
 * them; storage indexes them as open), waits until storage counts them all, signs in to the console
 * with an operator token of that tenant, then times {@code --requests} loads of Firing now (its
 * default 200 rows, then 1,000, the most a page shows; the total said) and of alert detail pages, one after another, after
 * {@code --warmup} loads of each. Prints p50, p99 and max per page.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.vigil.bench.ConsoleLoad [--alerts 10000] [--requests 300]
 * </pre>
 */
public final class ConsoleLoad {

  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>(Map.of("console", "http://127.0.0.1:8088", "storage",
        "http://127.0.0.1:8083", "policy", "http://127.0.0.1:8086", "admin-key-file",
        System.getenv().getOrDefault("VIGIL_HOME", "/var/lib/vigil") + "/keys/admin.key", "alerts", "10000",
        "requests", "300", "warmup", "50", "kafka", "127.0.0.1:9092", "topic-prefix", "vigil."));
    for (int i = 0; i + 1 < argv.length; i += 2) {
      a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    String adminKey = Files.readString(Path.of(a.get("admin-key-file"))).trim();
    int alerts = Integer.parseInt(a.get("alerts"));
    String run = Long.toHexString(System.currentTimeMillis());
    String tenant = "ui-" + run;
    HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String token = NotifierLoad.token(plain, a.get("policy"), adminKey, tenant, run);

    List<String> keys = publish(a, tenant, run, alerts);
    long deadline = System.currentTimeMillis() + 300_000;
    long total = 0;
    while (System.currentTimeMillis() < deadline) {
      HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create(a.get("storage")
          + "/v1/alerts/open?limit=1&tenant=" + tenant)).header("Authorization", "Bearer " + adminKey).build(),
          HttpResponse.BodyHandlers.ofString());
      total = r.statusCode() == 200 ? JSON.readTree(r.body()).path("total").asLong() : -1;
      if (total >= alerts) {
        break;
      }
      Thread.sleep(1000);
    }
    System.out.printf("storage holds %d open alerts of tenant %s%n", total, tenant);
    if (total < alerts) {
      throw new IllegalStateException("storage did not index the alerts within 5 minutes");
    }

    HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();
    String console = a.get("console");
    String form = browser.send(HttpRequest.newBuilder(URI.create(console + "/sign-in")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = CSRF.matcher(form);
    if (!m.find()) {
      throw new IllegalStateException("no CSRF token on the sign-in page");
    }
    HttpResponse<String> in = browser.send(HttpRequest.newBuilder(URI.create(console + "/sign-in"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("token=" + enc(token) + "&_csrf=" + enc(m.group(1)))).build(),
        HttpResponse.BodyHandlers.ofString());
    if (in.statusCode() != 302) {
      throw new IllegalStateException("sign-in: " + in.statusCode());
    }
    int requests = Integer.parseInt(a.get("requests"));
    int warmup = Integer.parseInt(a.get("warmup"));
    for (String rows : new String[] {"", "&rows=1000"}) {
      String firing = console + "/?tenant=" + tenant + rows;
      String body = browser.send(HttpRequest.newBuilder(URI.create(firing)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      int rendered = count(body, "class=\"alert-row\"");
      System.out.printf("Firing now%s: %d bytes, %d rows rendered%n", rows, body.length(), rendered);
      report("Firing now (" + alerts + " open, " + rendered + " rows)", time(browser, List.of(firing), warmup,
          requests));
    }
    List<String> details = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      details.add(console + "/alerts/detail?key=" + enc(keys.get((i * 7919) % keys.size())));
    }
    report("alert detail", time(browser, details, warmup, requests));
  }

  static List<String> publish(Map<String, String> a, String tenant, String run, int alerts) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, a.get("kafka"));
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    MessageCodec codec = new MessageCodec();
    List<String> keys = new ArrayList<>();
    long t = System.currentTimeMillis();
    long series = (t & 0xffffffL) << 24;
    String[] severities = {"CRITICAL", "WARNING", "INFO"};
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
        new ByteArraySerializer())) {
      String topic = a.get("topic-prefix") + "alerts.events";
      for (int i = 0; i < alerts; i++) {
        String policy = "ui-policy-" + run + "-" + (i % 50);
        long sid = ++series;
        String key = AlertKey.ofSeries(policy, sid).toString();
        keys.add(key);
        Map<String, String> dims = Map.of("appid", tenant, "instance", "ins-" + i, "zone", "z-" + (i % 20));
        long fired = t - (i % 3600) * 1000L;
        AlertEvent e = new AlertEvent(1, AlertIds.eventId(key, 1), key, policy, 1, tenant, "bench/vm", "local", "cpu",
            sid, null, dims, AlertEvent.AlertStatus.FIRING, AlertEvent.Severity.valueOf(severities[i % 3]), 1, 97.0,
            90.0, "cpu above 90 on ins-" + i, fired, fired, 60, fired - 60_000, "bench", null);
        producer.send(new ProducerRecord<>(topic, key, codec.encode(e)));
      }
      producer.flush();
    }
    return keys;
  }

  static long[] time(HttpClient browser, List<String> urls, int warmup, int requests) throws Exception {
    for (int i = 0; i < warmup; i++) {
      get(browser, urls.get(i % urls.size()));
    }
    long[] nanos = new long[requests];
    for (int i = 0; i < requests; i++) {
      long t0 = System.nanoTime();
      get(browser, urls.get(i % urls.size()));
      nanos[i] = System.nanoTime() - t0;
    }
    return nanos;
  }

  static void get(HttpClient browser, String url) throws Exception {
    HttpResponse<String> r = browser.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + ": " + r.statusCode());
    }
  }

  static void report(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf("%-40s n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms%n", what, sorted.length,
        sorted[sorted.length / 2] / 1e6, sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6,
        sorted[sorted.length - 1] / 1e6);
  }

  static int count(String body, String needle) {
    int n = 0;
    for (int i = body.indexOf(needle); i >= 0; i = body.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
