package io.vigil.common.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for tests against a service on a local port. */
public final class Http {

  public static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String base;

  public Http(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
  }

  public HttpResponse<String> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpResponse<String> get(String path) {
    return send(request(path).GET().build());
  }

  public static JsonNode json(HttpResponse<String> response) {
    return JSON.readTree(response.body());
  }

  /** The names of the series in a Prometheus text exposition (the family with its suffix, no labels). */
  public static java.util.SortedSet<String> seriesNames(String prometheusText) {
    java.util.SortedSet<String> names = new java.util.TreeSet<>();
    for (String line : prometheusText.split("\n")) {
      if (!line.isEmpty() && !line.startsWith("#")) {
        int end = line.indexOf('{');
        names.add(line.substring(0, end > 0 ? end : line.indexOf(' ')));
      }
    }
    return names;
  }

  /**
   * The value of the first sample in Prometheus text whose labels contain every fragment, e.g.
   * {@code sample(text, "vigil_kafka_consumed_total", "topic=\"metrics.raw\"")}; -1 when absent.
   */
  public static double sample(String prometheusText, String family, String... labelFragments) {
    for (String line : prometheusText.split("\n")) {
      if (line.startsWith(family + "{") && java.util.Arrays.stream(labelFragments).allMatch(line::contains)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  /**
   * The sum of every sample in Prometheus text of this family whose labels contain every fragment (a
   * counter over all its other labels); 0 when none matches.
   */
  public static double sum(String prometheusText, String family, String... labelFragments) {
    double sum = 0;
    for (String line : prometheusText.split("\n")) {
      if (line.startsWith(family + "{") && java.util.Arrays.stream(labelFragments).allMatch(line::contains)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
