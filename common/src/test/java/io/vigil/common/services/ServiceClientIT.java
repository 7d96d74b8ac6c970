package io.vigil.common.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.error.DependencyUnavailableException;
import io.vigil.common.error.ErrorClassifier;
import io.vigil.common.observability.DependencyMetrics;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.fault.FaultProxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service-to-service client against a real HTTP server behind a fault proxy: answers come back
 * with the caller, trace and credential sent; a peer that fails is retried for reads, classed as an
 * unavailable dependency, opens its breaker and is let through again once it answers; a peer that
 * refuses the call itself neither opens the breaker nor is retried.
 */
class ServiceClientIT {

  private HttpServer server;
  private FaultProxy proxy;
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicReference<Map<String, String>> seen = new AtomicReference<>();
  private final AtomicReference<String> seenMethod = new AtomicReference<>();
  private final AtomicReference<String> seenQuery = new AtomicReference<>();
  private final AtomicReference<String> seenRawQuery = new AtomicReference<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private ServiceClient storage;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/ping", exchange -> {
      calls.incrementAndGet();
      seen.set(Map.of("caller", String.valueOf(exchange.getRequestHeaders().getFirst("X-Vigil-Caller")),
          "authorization", String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")),
          "traceparent", String.valueOf(exchange.getRequestHeaders().getFirst("traceparent"))));
      seenMethod.set(exchange.getRequestMethod());
      seenQuery.set(exchange.getRequestURI().getQuery());
      seenRawQuery.set(exchange.getRequestURI().getRawQuery());
      byte[] body = (status.get() < 400 ? "{\"ok\":true}" : "{\"code\":\"refused\",\"field\":\"name\"}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", status.get() < 400 ? "application/json"
          : "application/problem+json");
      exchange.sendResponseHeaders(status.get(), body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    proxy = FaultProxy.to("127.0.0.1", server.getAddress().getPort());
    VigilServicesProperties.Peer peer = new VigilServicesProperties.Peer(URI.create("http://127.0.0.1:" + proxy.port()),
        Duration.ofMillis(500), Duration.ofMillis(800), 2, Duration.ofMillis(20), 10, 50, Duration.ofMillis(500));
    VigilServicesProperties.Peer unused = new VigilServicesProperties.Peer(null, Duration.ofSeconds(1),
        Duration.ofSeconds(2), 2, Duration.ofMillis(100), 20, 50, Duration.ofSeconds(10));
    VigilServicesProperties properties = new VigilServicesProperties(unused, unused, peer, unused, unused, unused, unused, null,
        "service-secret");
    ServiceClients clients = new ServiceClients(properties, "detector", registry,
        new DependencyMetrics(registry, Set.of("storage")));
    storage = clients.client("storage");
  }

  @AfterEach
  void stop() {
    proxy.close();
    server.stop(0);
  }

  record Pong(boolean ok) {}

  @Test
  void aShardWithADetectorOfItsOwnIsCalledThereAndEveryOtherShardAtTheDetector() throws Exception {
    AtomicReference<String> shardPath = new AtomicReference<>();
    server.createContext("/shard-big/api/ping", exchange -> {
      shardPath.set(exchange.getRequestURI().getPath());
      byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    VigilServicesProperties.Peer shared = new VigilServicesProperties.Peer(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Duration.ofMillis(500),
        Duration.ofMillis(800), 0, Duration.ofMillis(20), 10, 50, Duration.ofMillis(500));
    VigilServicesProperties.Peer big = new VigilServicesProperties.Peer(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/shard-big"), Duration.ofMillis(500),
        Duration.ofMillis(800), 0, Duration.ofMillis(20), 10, 50, Duration.ofMillis(500));
    VigilServicesProperties properties = new VigilServicesProperties(shared, shared, shared, shared, shared, shared,
        shared, Map.of("big", big), "service-secret");
    ServiceClients clients = new ServiceClients(properties, "console", registry,
        new DependencyMetrics(registry, Set.of("detector")));

    assertThat(clients.detector("big").getAs(URI.create("/api/ping"), "user-key", Pong.class)).isEqualTo(new Pong(true));
    assertThat(shardPath.get()).isEqualTo("/shard-big/api/ping");
    assertThat(calls.get()).isZero();
    assertThat(clients.detector("default").getAs(URI.create("/api/ping"), "user-key", Pong.class))
        .isEqualTo(new Pong(true));
    assertThat(clients.detector(null)).isSameAs(clients.client("detector"));
    assertThat(calls.get()).isEqualTo(1);
    assertThat(clients.detector("big")).isSameAs(clients.detector("big")).isNotSameAs(clients.client("detector"));
    assertThat(properties.toString()).contains("big").doesNotContain("service-secret");
  }

  @Test
  void anAnswerComesBackWithCallerCredentialAndTrace() {
    assertThat(storage.get("/api/ping", Pong.class)).isEqualTo(new Pong(true));
    assertThat(seen.get()).containsEntry("caller", "detector").containsEntry("authorization", "Bearer service-secret");
    assertThat(seen.get().get("traceparent")).startsWith("00-");
  }

  @Test
  void anUnavailablePeerIsRetriedThenOpensTheBreakerAndIsLetThroughWhenItAnswers() {
    status.set(503);
    Throwable failed = org.assertj.core.api.Assertions.catchThrowable(() -> storage.get("/api/ping", Pong.class));
    assertThat(failed).isInstanceOf(DependencyUnavailableException.class);
    assertThat(ErrorClassifier.classify(failed)).isEqualTo(new ErrorClassifier.Verdict(ErrorClassifier.Kind.DEPENDENCY, "storage"));
    assertThat(calls.get()).as("first try and two retries").isEqualTo(3);

    proxy.refuse(); // a window of 10 judges after 5 calls: three more failed attempts open the breaker
    assertThatThrownBy(() -> storage.get("/api/ping", Pong.class)).isInstanceOf(DependencyUnavailableException.class);
    assertThat(storage.breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
    int before = calls.get();
    proxy.pass();
    status.set(200);
    assertThatThrownBy(() -> storage.get("/api/ping", Pong.class)).as("open: refused without a call")
        .isInstanceOf(DependencyUnavailableException.class).hasMessageContaining("circuit breaker is open");
    assertThat(calls.get()).isEqualTo(before);
    assertThat(registry.get("vigil.dependency.failures").tag("dependency", "storage").counter().count()).isGreaterThanOrEqualTo(4);

    Awaits.until("the breaker lets calls through again", Duration.ofSeconds(10), () -> {
      try {
        return storage.get("/api/ping", Pong.class).ok();
      } catch (DependencyUnavailableException e) {
        return false;
      }
    });
  }

  @Test
  void aRefusedCallIsNeitherRetriedNorAnOutage() {
    status.set(404);
    for (int i = 0; i < 6; i++) {
      assertThatThrownBy(() -> storage.get("/api/ping", Pong.class)).isInstanceOf(ServiceCallException.class);
    }
    assertThat(calls.get()).isEqualTo(6);
    assertThat(storage.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(ErrorClassifier.classify(new ServiceCallException("storage", 404, "x")).retriable()).isFalse();
  }

  @Test
  void aCallForAUserCarriesItsKeyAndItsRefusalIsTheUsersAnswerWithTheProblemBody() {
    assertThat(storage.putAs("/api/ping", Map.of("a", 1), "user-key", Pong.class)).isEqualTo(new Pong(true));
    assertThat(seenMethod.get()).isEqualTo("PUT");
    assertThat(seen.get()).containsEntry("authorization", "Bearer user-key").containsEntry("caller", "detector");
    storage.deleteAs("/api/ping", "user-key");
    assertThat(seenMethod.get()).isEqualTo("DELETE");
    java.net.URI odd = ServiceClient.encoded(org.springframework.web.util.UriComponentsBuilder.fromPath("/api/ping")
        .queryParam("q", "{x} 100% a&b=c/d c++"));
    assertThat(storage.getAs(odd, "user-key", Pong.class)).isEqualTo(new Pong(true));
    assertThat(seenQuery.get()).as("a user's value arrives as typed").isEqualTo("q={x} 100% a&b=c/d c++");
    assertThat(seenRawQuery.get()).as("a + a server would read as a space").contains("c%2B%2B").doesNotContain("+");
    storage.sendAs(org.springframework.http.HttpMethod.POST, odd, Map.of("a", 1), "user-key", Pong.class);
    assertThat(seenMethod.get()).isEqualTo("POST");

    for (int status : new int[] {401, 403, 400}) {
      this.status.set(status);
      for (int i = 0; i < 6; i++) { // a window of 10 would open after 5 outages: these are none
        assertThatThrownBy(() -> storage.getAs("/api/ping", "revoked-key", Pong.class))
            .isInstanceOfSatisfying(ServiceCallException.class, e -> {
              assertThat(e.status()).isEqualTo(status);
              assertThat(e.body()).contains("\"field\":\"name\"");
            });
      }
    }
    assertThat(storage.breakerState()).isEqualTo(CircuitBreaker.State.CLOSED);
    this.status.set(401);
    assertThatThrownBy(() -> storage.get("/api/ping", Pong.class)).as("this service's own key refused: an outage")
        .isInstanceOf(DependencyUnavailableException.class);
  }

  @Test
  void aPeerThatHangsTimesOutAsUnavailable() {
    proxy.blackhole();
    long start = System.nanoTime();
    assertThatThrownBy(() -> storage.post("/api/ping", Map.of("a", 1), Pong.class))
        .isInstanceOf(DependencyUnavailableException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }
}
