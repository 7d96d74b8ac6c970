package io.vigil.storage;

import static org.assertj.core.api.Assertions.catchThrowable;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.vigil.common.testing.DeadDependencySupport;
import io.vigil.common.testing.TestServers;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.common.testing.fault.FaultProxy;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Elasticsearch taken away through a proxy: storage lives, is not ready and says why, the client's
 * error is an unavailable dependency (so its consumers pause instead of dead-lettering), and
 * readiness returns with Elasticsearch.
 */
@VigilServiceTest
class StorageDeadElasticsearchIT {

  static final URI ES = URI.create(TestServers.elasticsearchUrl());
  static final FaultProxy proxy = FaultProxy.to(ES.getHost(), ES.getPort());

  @DynamicPropertySource
  static void throughTheProxy(DynamicPropertyRegistry registry) {
    registry.add("spring.elasticsearch.uris", () -> "http://127.0.0.1:" + proxy.port());
  }

  @AfterAll
  static void close() {
    proxy.close();
  }

  @LocalServerPort
  int port;

  @Autowired
  ElasticsearchClient client;

  @Test
  void readinessIsDownNamingElasticsearchAndComesBack() {
    proxy.refuse();
    try {
      DeadDependencySupport.assertNotReadyBecauseOf(port, "elasticsearch", "elasticsearch");
      DeadDependencySupport.assertClassedUnavailable(catchThrowable(() -> client.cluster().health()), "elasticsearch");
    } finally {
      proxy.pass();
    }
    DeadDependencySupport.assertReadyAgain(port);
  }
}
