package io.vigil.storage;

import io.vigil.common.testing.DeadDependencySupport;
import io.vigil.common.testing.VigilServiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/** Elasticsearch on a dead port: storage lives, is not ready, and says why. */
@VigilServiceTest
@TestPropertySource(properties = "spring.elasticsearch.uris=http://127.0.0.1:1")
class StorageDeadElasticsearchIT {

  @LocalServerPort
  int port;

  @Test
  void readinessIsDownNamingElasticsearch() {
    DeadDependencySupport.assertNotReadyBecauseOf(port, "elasticsearch", "elasticsearch");
  }
}
