package io.vigil.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The audit itself can fail: a key and an index named outside every prefix are found, then removed. */
class PrefixAuditIT {

  @Test
  void namesOutsideThePrefixesAreFound() throws Exception {
    String stray = "stray-" + UUID.randomUUID();
    TestRunCleanup.redis("SET", stray, "x");
    HttpClient http = HttpClient.newHttpClient();
    String index = "stray-" + UUID.randomUUID().toString().substring(0, 8);
    http.send(HttpRequest.newBuilder(URI.create(TestServers.elasticsearchUrl() + "/" + index))
        .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    try {
      assertThat(PrefixAudit.strayRedisKeys()).contains(stray);
      assertThat(PrefixAudit.strayIndices()).contains(index);
      TestRunCleanup.redis("SET", TestRun.redisPrefix() + "owned", "x");
      assertThat(PrefixAudit.strayRedisKeys()).doesNotContain(TestRun.redisPrefix() + "owned");
    } finally {
      TestRunCleanup.redis("DEL", stray);
      TestRunCleanup.redis("DEL", TestRun.redisPrefix() + "owned");
      http.send(HttpRequest.newBuilder(URI.create(TestServers.elasticsearchUrl() + "/" + index)).DELETE().build(),
          HttpResponse.BodyHandlers.discarding());
    }
    assertThat(PrefixAudit.strayRedisKeys()).doesNotContain(stray);
  }
}
