package io.vigil.storage.history;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vigil.common.store.StoreNames;
import io.vigil.common.testing.TestRun;
import io.vigil.common.testing.TestServers;
import io.vigil.storage.rollup.RetentionSweeper;
import io.vigil.storage.rollup.RollupTemplate;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Retention of alert summaries on the real Elasticsearch (indices of its own prefix): a closed
 * alert's summary goes once it has been closed longer than alert events are kept; a recently closed
 * one and an open one stay, however old the open one is.
 */
class HistoryRetentionIT {

  @Test
  void closedSummariesGoWithTheirEventsAndOpenOnesStay() throws Exception {
    long now = System.currentTimeMillis();
    long day = Duration.ofDays(1).toMillis();
    HistoryIndices history = new HistoryIndices(new StoreNames(TestRun.indexPrefix() + "hret-", "x:"),
        Duration.ofDays(10), Duration.ofDays(10), Duration.ofDays(2), new RollupTemplate.Settings(1, 0, "1s"));
    try (ElasticsearchClient client = ElasticsearchClient.of(b -> b.host(TestServers.elasticsearchUrl()))) {
      history.ensureTemplates(client);
      AlertSummaries summaries = new AlertSummaries(client, history, new SimpleMeterRegistry());
      Map<String, UnaryOperator<Map<String, Object>>> writes = new HashMap<>();
      writes.put("closed-long-ago", s -> summary(false, now - 40 * day, now - 20 * day));
      writes.put("closed-yesterday", s -> summary(false, now - 3 * day, now - day));
      writes.put("open-for-a-month", s -> summary(true, now - 30 * day, null));
      assertThat(summaries.update(writes)).isEmpty();
      client.indices().refresh(r -> r.index(history.alerts()));

      RetentionSweeper sweeper = new RetentionSweeper(client, List.of(history.alertEvents()), Clock.systemUTC(),
          new SimpleMeterRegistry(), null).alsoSweeping(List.of(t -> history.deleteClosedSummaries(client, t)));
      sweeper.sweep(now);
      client.indices().refresh(r -> r.index(history.alerts()));

      for (String id : List.of("closed-long-ago", "closed-yesterday", "open-for-a-month")) {
        boolean found = client.get(g -> g.index(history.alerts()).id(id), Map.class).found();
        assertThat(found).as(id).isEqualTo(!id.equals("closed-long-ago"));
      }
    }
  }

  static Map<String, Object> summary(boolean open, long openedAtMs, Long resolvedAtMs) {
    Map<String, Object> m = new HashMap<>();
    m.put("tenant", "t1");
    m.put("open", open);
    m.put("openedAtMs", openedAtMs);
    if (resolvedAtMs != null) {
      m.put("resolvedAtMs", resolvedAtMs);
    }
    return m;
  }
}
