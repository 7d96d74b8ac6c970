package io.vigil.notifier.values;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.series.SeriesId;
import io.vigil.common.services.ServiceClients;
import io.vigil.common.services.VigilServicesProperties;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The FIRING's last hour, against a real HTTP server that answers as storage's series API does. */
class SeriesHistoryTest {

  private static final long SERIES = 0x00ab_cdef_1234_5678L;
  private static final long WINDOW = 1_796_000_000_000L / 60_000 * 60_000;

  private HttpServer server;
  private final AtomicInteger calls = new AtomicInteger();
  private volatile long answerAfterMs;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private DependencyMetrics dependencies;
  private io.vigil.common.services.ServiceClient storage;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/series/query", exchange -> {
      calls.incrementAndGet();
      try {
        Thread.sleep(answerAfterMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // three windows of the hour: two minutes ago, one minute ago (no data between), and the alert's
      byte[] body = ("""
          {"period": 60, "statistic": "max", "stepMs": 60000, "fromMs": 0, "toMs": 0, "truncated": false,
           "series": [{"seriesId": "%s", "namespace": "acme/vm", "metric": "cpu", "region": "r",
                       "dimensions": {"instance": "i-1"},
                       "points": [{"t": %d, "v": 40}, {"t": %d, "v": 96.5}]},
                      {"seriesId": "00000000000000ff", "namespace": "acme/vm", "metric": "cpu", "region": "r",
                       "dimensions": {"instance": "i-1", "disk": "sda"}, "points": [{"t": %d, "v": 1}]}]}""")
          .formatted(SeriesId.hex(SERIES), WINDOW - 120_000, WINDOW, WINDOW).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.start();
    VigilServicesProperties.Peer peer = new VigilServicesProperties.Peer(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Duration.ofSeconds(1),
        Duration.ofSeconds(3), 1, Duration.ofMillis(20), 100, 50, Duration.ofSeconds(1));
    VigilServicesProperties.Peer unused = new VigilServicesProperties.Peer(null, Duration.ofSeconds(1),
        Duration.ofSeconds(2), 1, Duration.ofMillis(100), 20, 50, Duration.ofSeconds(10));
    dependencies = new DependencyMetrics(registry, Set.of("storage"));
    storage = new ServiceClients(new VigilServicesProperties(unused, unused, peer, unused, unused, unused, unused, null,
        "service-secret"), "notifier", registry, dependencies).client("storage");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  static AlertEvent firing() {
    String key = io.vigil.common.series.AlertKey.ofSeries("pol", SERIES).toString();
    return new AlertEvent(AlertEvent.SCHEMA_VERSION, io.vigil.common.series.AlertIds.eventId(key, WINDOW), key, "pol",
        1, "t1", "acme/vm", "r", "cpu", SERIES, null,
        Map.of("instance", "i-1"), AlertEvent.AlertStatus.FIRING, AlertEvent.Severity.WARNING, WINDOW, 96.5, 90.0,
        "cpu max 96.5 GT 90", WINDOW + 60_000, WINDOW + 61_000, 60, WINDOW, "default", null);
  }

  @Test
  void theHourIsTheAlertsOwnSeriesWindowByWindowWithGapsWhereNoDataWas() {
    List<Double> hour = new SeriesHistory(storage, dependencies, 4).lastHour(firing(), null);

    assertThat(hour).hasSize(60);
    assertThat(hour.get(59)).as("the alert's window, last").isEqualTo(96.5);
    assertThat(hour.get(57)).isEqualTo(40.0);
    assertThat(hour.get(58)).as("no data that minute").isNaN();
    assertThat(hour.subList(0, 57)).allMatch(v -> v.isNaN());
    assertThat(hour).as("the other series with more dimensions is not mixed in").doesNotContain(1.0);
  }

  @Test
  void beyondItsQueriesInFlightAFiringGoesWithoutAChartAtOnce() throws Exception {
    answerAfterMs = 400;
    SeriesHistory history = new SeriesHistory(storage, dependencies, 2);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<Double>>> asked = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      asked.add(pool.submit(() -> {
        go.await();
        return history.lastHour(firing(), null);
      }));
    }
    go.countDown();
    int charted = 0;
    for (Future<List<Double>> f : asked) {
      charted += f.get().isEmpty() ? 0 : 1;
    }
    pool.shutdown();

    assertThat(calls.get()).as("storage was asked at most twice at once").isEqualTo(charted).isBetween(1, 2);
    assertThat(registry.get("vigil.degraded").tag("component", "chart").tag("reason", "busy").counter().count())
        .isEqualTo(8 - charted);
  }

  @Test
  void storageAwayMeansNoChartCounted() {
    server.stop(0);
    List<Double> hour = new SeriesHistory(storage, dependencies, 4).lastHour(firing(), null);

    assertThat(hour).isEmpty();
    assertThat(registry.get("vigil.degraded").tag("component", "chart").tag("reason", "storage_unavailable")
        .counter().count()).isEqualTo(1.0);
  }
}
