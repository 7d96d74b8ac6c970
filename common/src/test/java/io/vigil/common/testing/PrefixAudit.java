package io.vigil.common.testing;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds what was written to the shared Elasticsearch and Redis outside the prefixes every writer
 * must use ({@code io.vigil.common.store.StoreNames}): a test run's ({@code t<hex>-vigil-}, {@code
 * t<hex>:}) or a deployment's ({@code vigil-}, {@code vigil:}). A stray name means some code named a
 * store object itself; it would escape a run's cleanup and collide with other runs and with a
 * running platform.
 */
public final class PrefixAudit {

  private static final Pattern OWNED_INDEX = Pattern.compile("^(\\.|t[0-9a-f]{8}-vigil-|vigil-).*");
  private static final Pattern OWNED_KEY = Pattern.compile("^(t[0-9a-f]{8}:|vigil:).*");

  private PrefixAudit() {}

  /** Indices created since this JVM started whose names are under no run's or deployment's prefix. */
  public static List<String> strayIndices() throws Exception {
    long since = ManagementFactory.getRuntimeMXBean().getStartTime();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(TestServers.elasticsearchUrl()
        + "/_cat/indices?h=index,creation.date&expand_wildcards=open,closed")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    List<String> strays = new ArrayList<>();
    for (String line : list.body().split("\n")) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length == 2 && Long.parseLong(parts[1]) >= since && !OWNED_INDEX.matcher(parts[0]).matches()) {
        strays.add(parts[0]);
      }
    }
    return strays;
  }

  /** Redis keys under no run's or deployment's prefix (Redis here is Vigil's alone). */
  @SuppressWarnings("unchecked")
  public static List<String> strayRedisKeys() throws Exception {
    List<String> strays = new ArrayList<>();
    String cursor = "0";
    do {
      List<Object> reply = (List<Object>) TestRunCleanup.redis("SCAN", cursor, "COUNT", "1000");
      cursor = (String) reply.get(0);
      for (Object key : (List<Object>) reply.get(1)) {
        if (!OWNED_KEY.matcher((String) key).matches()) {
          strays.add((String) key);
        }
      }
    } while (!cursor.equals("0"));
    return strays;
  }
}
