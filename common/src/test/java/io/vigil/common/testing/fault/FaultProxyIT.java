package io.vigil.common.testing.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vigil.common.error.ErrorClassifier;
import io.vigil.common.testing.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The proxy takes a real server away from a client and gives it back; what the real clients throw
 * meanwhile is what the kit classes as an unavailable dependency (never a dead letter).
 */
class FaultProxyIT {

  @Test
  void mysqlRefusedAndBlackholedIsAnUnavailableDependencyAndComesBack() throws Exception {
    try (FaultProxy proxy = FaultProxy.to(TestServers.mysqlHost(), TestServers.mysqlPort())) {
      String url = "jdbc:mysql://127.0.0.1:" + proxy.port()
          + "/?useSSL=false&allowPublicKeyRetrieval=true&connectTimeout=1000&socketTimeout=1000";
      assertThat(selectOne(url)).isEqualTo(1);

      proxy.refuse();
      Throwable refused = catchThrowable(() -> selectOne(url));
      assertThat(refused).isNotNull();
      assertThat(ErrorClassifier.classify(refused)).isEqualTo(new ErrorClassifier.Verdict(ErrorClassifier.Kind.DEPENDENCY, "mysql"));

      proxy.blackhole();
      long start = System.nanoTime();
      Throwable hung = catchThrowable(() -> selectOne(url));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
      assertThat(ErrorClassifier.classify(hung)).isEqualTo(new ErrorClassifier.Verdict(ErrorClassifier.Kind.DEPENDENCY, "mysql"));

      proxy.pass();
      assertThat(selectOne(url)).isEqualTo(1);
    }
  }

  @Test
  void anHttpPeerRefusedOrSlowIsAnUnavailableDependency() throws Exception {
    URI es = URI.create(TestServers.elasticsearchUrl());
    try (FaultProxy proxy = FaultProxy.to(es.getHost(), es.getPort())) {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/_cluster/health"))
          .timeout(Duration.ofMillis(800)).build();
      assertThat(client.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

      proxy.refuse();
      assertThat(ErrorClassifier.classify(catchThrowable(() -> client.send(health, HttpResponse.BodyHandlers.ofString())))
          .retriable()).isTrue();

      proxy.delay(2000);
      assertThat(ErrorClassifier.classify(catchThrowable(() -> client.send(health, HttpResponse.BodyHandlers.ofString())))
          .retriable()).as("a read timeout").isTrue();

      proxy.pass();
      assertThat(client.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
  }

  private static int selectOne(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url, TestServers.mysqlUser(), TestServers.mysqlPassword());
        ResultSet rs = c.createStatement().executeQuery("SELECT 1")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
