package io.vigil.storage;

import static org.assertj.core.api.Assertions.assertThat;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.vigil.common.kafka.MessageCodec;
import io.vigil.common.model.AlertEvent;
import io.vigil.common.model.AlertEvent.AlertStatus;
import io.vigil.common.model.AlertEvent.Severity;
import io.vigil.common.model.Channel;
import io.vigil.common.model.MetricPoint;
import io.vigil.common.model.NotificationRecord;
import io.vigil.common.observability.MetricNames;
import io.vigil.common.series.AlertKey;
import io.vigil.common.series.SeriesId;
import io.vigil.common.testing.Awaits;
import io.vigil.common.testing.TestKafka;
import io.vigil.common.testing.VigilServiceTest;
import io.vigil.storage.history.AlertSummaries;
import io.vigil.storage.history.AlertSummaryTest;
import io.vigil.storage.history.HistoryIndices;
import io.vigil.storage.history.LatePointIndexer;
import io.vigil.storage.history.NotificationHistoryIndexer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Alert events, notification records and late points from Kafka into their history indices through
 * the running service (StorageServiceIT's context): one document per event or outcome however often
 * it is delivered, one summary per alert that follows the newest event and survives a concurrent
 * writer, acknowledgements on the summary, late points kept.
 */
@VigilServiceTest
@TestPropertySource(properties = "vigil.kafka.shards=default,big-product")
class HistoryIndexingIT {

  static final long T = 1_764_892_800_000L; // 2025-12-05T00:00:00Z

  @Autowired
  ElasticsearchClient client;

  @Autowired
  HistoryIndices indices;

  @Autowired
  AlertSummaries summaries;

  @Autowired
  MeterRegistry registry;

  final MessageCodec codec = new MessageCodec();

  static String key(long series) {
    return AlertKey.ofSeries("p-9", series).value();
  }

  void send(AlertEvent e) {
    TestKafka.send("alerts.events", e.alertKey(), codec.encode(e));
  }

  void send(NotificationRecord r) {
    TestKafka.send("notify.records", r.notificationId(), codec.encode(r));
  }

  long count(String index, String field, Object value) {
    try {
      if (!client.indices().exists(e -> e.index(index)).value()) {
        return 0;
      }
      client.indices().refresh(r -> r.index(index));
      return client.count(c -> c.index(index).query(q -> q.term(t -> t.field(field)
          .value(v -> value instanceof Long l ? v.longValue(l) : v.stringValue(value.toString()))))).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> summary(String alertKey) {
    try {
      if (!client.indices().exists(e -> e.index(indices.alerts())).value()) {
        return Map.of();
      }
      var doc = client.get(g -> g.index(indices.alerts()).id(alertKey), Map.class);
      return doc.found() ? doc.source() : Map.of();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void eachEventIsOneDocumentAndTheSummaryFollowsTheNewest() {
    String key = key(0x5eed0101L);
    AlertEvent fired = AlertSummaryTest.event(key, 1, AlertStatus.FIRING, Severity.WARNING, T, T);
    AlertEvent resolved = AlertSummaryTest.event(key, 2, AlertStatus.RESOLVED, Severity.WARNING, T + 120_000, T);
    send(fired);
    send(fired); // a redelivery
    send(resolved);
    send(fired); // a replay of an older event after the newer one
    String index = indices.alertEvents().indexFor(T);
    Awaits.until("the summary resolved", Duration.ofSeconds(30), () -> Boolean.FALSE.equals(summary(key).get("open")));
    Awaits.until("both events indexed", Duration.ofSeconds(30), () -> count(index, "alertKey", key) == 2);
    Map<String, Object> s = summary(key);
    assertThat(((Number) s.get("sequence")).longValue()).isEqualTo(2);
    assertThat(((Number) s.get("resolvedAtMs")).longValue()).isEqualTo(T + 120_000);
    assertThat(((Number) s.get("events")).intValue()).as("the replays counted nothing").isEqualTo(2);
    assertThat(s).containsEntry("status", "RESOLVED").containsEntry("tenant", "t1");
  }

  @Test
  void notificationsAndAcknowledgementsAreHistoryAndTheAckIsOnTheSummary() {
    String key = key(0x5eed0102L);
    send(AlertSummaryTest.event(key, 1, AlertStatus.FIRING, Severity.CRITICAL, T, T));
    NotificationRecord first = AlertSummaryTest.sent(key, 1, T + 1_000, "alice", Channel.SMS, 0);
    NotificationRecord escalated = AlertSummaryTest.sent(key, 1, T + 300_000, "bob", Channel.PHONE, 1);
    NotificationRecord ack = AlertSummaryTest.ack(key, T + 400_000, "bob");
    send(first);
    send(escalated);
    send(first);
    send(ack);
    String index = indices.notifications().indexFor(T);
    Awaits.until("three outcomes indexed", Duration.ofSeconds(30), () -> count(index, "alertKey", key) == 3);
    assertThat(count(index, "escalationLevel", 1L)).isGreaterThanOrEqualTo(1);
    try {
      var doc = client.get(g -> g.index(index).id(NotificationHistoryIndexer.documentId(ack)), Map.class);
      assertThat(doc.found()).isTrue();
      assertThat(doc.source()).containsEntry("status", "ACKNOWLEDGED").containsEntry("recipient", "bob");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Awaits.until("the summary acknowledged", Duration.ofSeconds(30),
        () -> "bob".equals(summary(key).get("acknowledgedBy")) && Boolean.TRUE.equals(summary(key).get("open")));
  }

  @Test
  void aLatePointIsKept() {
    long series = SeriesId.of("qce/cvm", "local", "cpu", Map.of("appid", "t1", "host", "late"));
    MetricPoint late = new MetricPoint(1, series, "qce/cvm", "local", "cpu", Map.of("appid", "t1", "host", "late"),
        T + 5_000, 42.5, null, "default", T + 400_000, Set.of(60), 5_000, "t1");
    TestKafka.send("metrics.late", SeriesId.key(series), codec.encode(late));
    String index = indices.latePoints().indexFor(late.timestampMs());
    Awaits.until("the late point indexed", Duration.ofSeconds(30), () -> {
      try {
        return client.indices().exists(e -> e.index(index)).value()
            && client.get(g -> g.index(index).id(LatePointIndexer.documentId(late)), Map.class).found();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  @Test
  void aSummaryWriteThatLosesARaceIsComputedAgainFromTheWinner() throws Exception {
    String key = key(0x5eed0103L);
    summaries.update(Map.of(key, s -> {
      Map<String, Object> out = new HashMap<>(s);
      out.put("tenant", "t1");
      return out;
    }));
    double before = registry.counter(MetricNames.STORAGE_SUMMARY_CONFLICTS).count();
    AtomicInteger calls = new AtomicInteger();
    var refused = summaries.update(Map.of(key, s -> {
      if (calls.getAndIncrement() == 0) {
        try { // another writer changes the document between our read and our write
          client.index(i -> i.index(indices.alerts()).id(key).document(Map.of("tenant", "t1", "acknowledgedBy", "eve")));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      Map<String, Object> out = new HashMap<>(s);
      out.put("reason", "mine");
      return out;
    }));
    assertThat(refused).isEmpty();
    assertThat(calls.get()).as("computed again after the conflict").isEqualTo(2);
    assertThat(summary(key)).containsEntry("acknowledgedBy", "eve").containsEntry("reason", "mine");
    assertThat(registry.counter(MetricNames.STORAGE_SUMMARY_CONFLICTS).count()).isGreaterThan(before);
  }
}
